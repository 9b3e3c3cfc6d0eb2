import { Button, Code, Drawer, Group, Stack, Table, Text, Title } from '@mantine/core'
import { IconSend } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { CodeSnippet } from '../../components/CodeSnippet'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useDelivery, useResendDelivery } from './api'
import { DeliveryStatusBadge, HttpStatus } from './badges'
import { formatDateTime, formatLatency, prettyJson, type Attempt, type DeliveryDetail } from './model'

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word', minWidth: 0 }}>
        {children}
      </Text>
    </Group>
  )
}

function Attempts({ attempts, timeZone }: { attempts: Attempt[]; timeZone: string }) {
  if (attempts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No attempt yet: the delivery is waiting for its turn.
      </Text>
    )
  }
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table verticalSpacing="xs" aria-label="Delivery attempts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Latency</Table.Th>
            <Table.Th>Answer</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attempts.map((a) => (
            <Table.Tr key={a.attempt} data-attempt={a.attempt}>
              <Table.Td>{a.attempt}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at, timeZone)}</Table.Td>
              <Table.Td>
                <HttpStatus status={a.status_code} />
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatLatency(a.latency_ms)}
              </Table.Td>
              <Table.Td maw={360}>
                <Stack gap={4}>
                  {a.error && (
                    <Text size="xs" c="red" style={{ wordBreak: 'break-word' }}>
                      {a.error}
                    </Text>
                  )}
                  {a.response_excerpt ? (
                    <Code
                      block
                      fz="xs"
                      tabIndex={0}
                      aria-label={`Response to attempt ${a.attempt}`}
                      style={{ maxHeight: 140, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                    >
                      {a.response_excerpt}
                    </Code>
                  ) : (
                    !a.error && (
                      <Text size="sm" c="dimmed">
                        Empty body
                      </Text>
                    )
                  )}
                </Stack>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

function Details({
  detail,
  timeZone,
  canResend,
  onResend,
  resending,
}: {
  detail: DeliveryDetail
  timeZone: string
  canResend: boolean
  onResend: () => void
  resending: boolean
}) {
  const d = detail.delivery
  return (
    <Stack gap="md" component="article" aria-label={`Delivery of ${d.event_type}`}>
      <Group justify="space-between" align="center" wrap="wrap">
        <Group gap="sm">
          <Title order={2} fz="h4" ff="monospace">
            {d.event_type}
          </Title>
          <DeliveryStatusBadge delivery={d} />
        </Group>
        {canResend && d.status !== 'pending' && (
          <Button size="sm" variant="default" leftSection={<IconSend size={16} aria-hidden />} onClick={onResend} loading={resending}>
            Resend
          </Button>
        )}
      </Group>
      <Stack gap={4}>
        <Field label="Message id">
          <Group gap={4} wrap="nowrap">
            <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {d.message_id}
            </Text>
            <CopyIconButton value={d.message_id} label="Copy message id" size="sm" />
          </Group>
        </Field>
        <Field label="Created">{formatDateTime(d.created_at, timeZone)}</Field>
        {d.delivered_at && <Field label="Delivered">{formatDateTime(d.delivered_at, timeZone)}</Field>}
        {d.status === 'pending' && d.next_attempt_at && <Field label="Next attempt">{formatDateTime(d.next_attempt_at, timeZone)}</Field>}
        <Field label="Attempts">{d.attempts}</Field>
        {d.last_error && (
          <Field label="Last error">
            <Text size="sm" c="red" span>
              {d.last_error}
            </Text>
          </Field>
        )}
      </Stack>
      <Text size="xs" c="dimmed">
        The <Code>webhook-id</Code> header carries the message id: the same on every attempt and on a resend, so your
        receiver can drop duplicates.
      </Text>

      <Stack gap="xs" component="section" aria-labelledby="delivery-payload-heading">
        <Title order={3} fz="h5" id="delivery-payload-heading">
          Payload
        </Title>
        <CodeSnippet code={prettyJson(detail.payload)} label="payload" />
      </Stack>

      <Stack gap="xs" component="section" aria-labelledby="delivery-attempts-heading">
        <Title order={3} fz="h5" id="delivery-attempts-heading">
          Attempts
        </Title>
        <Attempts attempts={detail.attempts} timeZone={timeZone} />
      </Stack>
    </Stack>
  )
}

function DrawerBody({
  slug,
  endpointId,
  deliveryId,
  timeZone,
  canResend,
  onResent,
}: {
  slug: string
  endpointId: string
  deliveryId: string
  timeZone: string
  canResend: boolean
  onResent: (newId: string) => void
}) {
  const detail = useDelivery(slug, endpointId, deliveryId)
  const resend = useResendDelivery(slug, endpointId)
  if (detail.isError) return <ErrorAlert error={detail.error} title="Could not load the delivery" onRetry={() => detail.refetch()} />
  if (!detail.data) {
    return (
      <Text c="dimmed" size="sm" role="status">
        Loading the delivery…
      </Text>
    )
  }
  const onResend = () =>
    resend.mutate(deliveryId, {
      onSuccess: (queued) => {
        notifySuccess(`${queued.event_type} sent again: showing the new delivery`)
        onResent(queued.id)
      },
      onError: (error) => notifyError(error, 'Could not resend the delivery'),
    })
  return <Details detail={detail.data} timeZone={timeZone} canResend={canResend} onResend={onResend} resending={resend.isPending} />
}

/** One delivery in a drawer: what was sent, every attempt with the answer, and "Resend" (admins and owners). */
export function DeliveryDrawer({
  slug,
  endpointId,
  deliveryId,
  timeZone,
  canResend,
  onOpen,
}: {
  slug: string
  endpointId: string
  deliveryId: string | null
  timeZone: string
  canResend: boolean
  /** Shows another delivery (the resent one), or closes the drawer with `null`. */
  onOpen: (id: string | null) => void
}) {
  return (
    <Drawer
      opened={deliveryId !== null}
      onClose={() => onOpen(null)}
      position="right"
      size="xl"
      title="Delivery details"
      closeButtonProps={{ 'aria-label': 'Close the delivery details' }}
    >
      {deliveryId && (
        <DrawerBody
          key={deliveryId}
          slug={slug}
          endpointId={endpointId}
          deliveryId={deliveryId}
          timeZone={timeZone}
          canResend={canResend}
          onResent={(id) => onOpen(id)}
        />
      )}
    </Drawer>
  )
}
