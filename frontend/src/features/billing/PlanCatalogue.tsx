import { Alert, Badge, Button, Card, Group, List, Modal, SimpleGrid, Skeleton, Stack, Text, Title, Tooltip } from '@mantine/core'
import { useId, useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage } from '../../lib/problem'
import { useChangePlan, usePlans } from './api'
import { formatCount, formatMoney, LIMIT_LABELS, limitDescription, mayChangePlan, type InstanceRef, type Plan } from './model'

/** The problem's word on the `plan` field when it has one, else its message. */
function changeError(error: unknown): string {
  const field = error instanceof ApiError ? error.fieldErrors.find((fe) => fe.field === 'plan') : undefined
  return field?.message ?? errorMessage(error)
}

/** Asks before moving to `plan`: effective at once, prorated by day. Stays open with the server's refusal. */
function ChangePlanModal({ slug, plan, onClose }: { slug: string; plan: Plan | null; onClose: () => void }) {
  const change = useChangePlan(slug)
  const close = () => {
    if (change.isPending) return
    change.reset()
    onClose()
  }
  const confirm = () => {
    if (!plan) return
    change.mutate(plan.key, {
      onSuccess: () => {
        notifySuccess(`The instance is now on the ${plan.name} plan.`)
        change.reset()
        onClose()
      },
    })
  }
  return (
    <Modal opened={plan !== null} onClose={close} title={plan ? `Switch to ${plan.name}?` : ''} centered>
      {plan && (
        <Stack>
          <Text size="sm">
            The change is effective immediately: from now on the instance has the {plan.name} plan’s quotas (
            {formatCount(plan.included_calls)} API calls and {formatCount(plan.included_users)} users) and its{' '}
            {plan.limit} limit, for {formatMoney(plan.monthly_price_minor, plan.currency)} a month.
          </Text>
          <Text size="sm">This period is prorated by day: each plan is billed for the days it was in force.</Text>
          {change.isError && (
            <Alert color="red" title="Could not change the plan" role="alert">
              {changeError(change.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={change.isPending}>
              Cancel
            </Button>
            <Button onClick={confirm} loading={change.isPending}>
              Switch to {plan.name}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  )
}

function PlanOption({ plan, current, canChange, onChoose }: { plan: Plan; current: boolean; canChange: boolean; onChoose: () => void }) {
  const id = useId()
  return (
    <Card withBorder radius="md" padding="md" role="group" aria-labelledby={id} style={current ? { borderColor: 'var(--mantine-color-blue-7)', borderWidth: 2 } : undefined}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" gap="xs">
          <Title order={3} fz="h5" id={id}>
            {plan.name}
          </Title>
          {current && <Badge variant="filled">Current plan</Badge>}
        </Group>
        <Text fz={22} fw={700} lh={1.2}>
          {formatMoney(plan.monthly_price_minor, plan.currency)}
          <Text span size="sm" fw={400} c="dimmed">
            {' '}
            / month
          </Text>
        </Text>
        <List size="sm" spacing={2}>
          <List.Item>{formatCount(plan.included_calls)} API calls a month</List.Item>
          <List.Item>{formatCount(plan.included_users)} users</List.Item>
          <List.Item>
            {LIMIT_LABELS[plan.limit]}: {limitDescription(plan)}
          </List.Item>
        </List>
        {!current && (
          <Group mt="auto" pt="xs">
            {canChange ? (
              <Button variant="light" onClick={onChoose}>
                Switch to this plan
              </Button>
            ) : (
              <Tooltip label="Only an owner of the instance can change its plan">
                {/* Not `disabled`: a disabled button gets no hover or focus, so its tooltip would never show. */}
                <Button variant="light" data-disabled aria-disabled onClick={(e) => e.preventDefault()}>
                  Switch to this plan
                </Button>
              </Tooltip>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  )
}

/** Every plan, the current one marked; an owner switches to another. */
export function PlanCatalogue({ instance, currentKey }: { instance: InstanceRef; currentKey: string | undefined }) {
  const plans = usePlans()
  const [choosing, setChoosing] = useState<Plan | null>(null)
  const canChange = mayChangePlan(instance.role)
  return (
    <Panel title="Plans" description={canChange ? 'A change is effective immediately and prorated by day.' : `Only an owner can change the plan; you are a ${instance.role}.`}>
      {plans.isError ? (
        <ErrorAlert error={plans.error} title="Could not load the plans" onRetry={() => plans.refetch()} />
      ) : plans.isPending ? (
        <Skeleton h={180} />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: Math.min(4, Math.max(1, plans.data.items.length)) }} spacing="md">
          {plans.data.items.map((plan) => (
            <PlanOption key={plan.key} plan={plan} current={plan.key === currentKey} canChange={canChange} onChoose={() => setChoosing(plan)} />
          ))}
        </SimpleGrid>
      )}
      <ChangePlanModal slug={instance.slug} plan={choosing} onClose={() => setChoosing(null)} />
    </Panel>
  )
}
