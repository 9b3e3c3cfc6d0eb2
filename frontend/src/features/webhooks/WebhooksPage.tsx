import { Anchor, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconPlus, IconWebhook } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { CodeSnippet } from '../../components/CodeSnippet'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SecretModal } from '../../components/SecretModal'
import { notifySuccess } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { useWebhooks } from './api'
import { EndpointStatusBadge, EventTypeBadges } from './badges'
import { CreateWebhookModal } from './CreateWebhookModal'
import { can, endpointLabel, formatDateTime, SIGNING_SECRET_NOTICE, type CreatedWebhook, type InstanceRef } from './model'
import { ReadOnlyNotice } from './ReadOnlyNotice'
import { VerifyHelp, WEBHOOKS_INTRO } from './VerifyHelp'

function EmptyWebhooks({ onCreate }: { onCreate?: () => void }) {
  return (
    <Stack align="center" gap="xs" py="xl" px="lg">
      <IconWebhook size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>No webhook endpoints yet</Text>
      <Text c="dimmed" size="sm" ta="center" maw={600}>
        {WEBHOOKS_INTRO}
      </Text>
      {onCreate && (
        <Button mt="xs" variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={onCreate}>
          Add endpoint
        </Button>
      )}
      <Stack w="100%" maw={760} mt="md" gap={0}>
        <VerifyHelp />
      </Stack>
    </Stack>
  )
}

export function WebhooksPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Webhooks', instance.name ?? instance.slug)
  const manage = can.manageWebhooks(instance.role)
  const webhooks = useWebhooks(instance.slug)
  const navigate = useNavigate()
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false)
  // The one-time secret of an endpoint just added: in component state only, until confirmed.
  const [created, setCreated] = useState<CreatedWebhook | null>(null)

  const onCreated = (c: CreatedWebhook) => {
    closeCreate()
    notifySuccess(`Webhook endpoint ${endpointLabel(c.endpoint.url)} added`)
    setCreated(c)
  }
  const endpoints = webhooks.data

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Anchor component={Link} to={`/i/${instance.slug}/settings`} size="sm">
            ← Settings
          </Anchor>
          <Title order={1} fz="h2">
            Webhooks
          </Title>
          <Text c="dimmed" maw={720}>
            Signed HTTP calls to your servers when something happens in this instance.
          </Text>
        </div>
        {manage && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
            Add endpoint
          </Button>
        )}
      </Group>

      {!manage && <ReadOnlyNotice role={instance.role} />}

      <Paper withBorder radius="md" component="section" aria-label="Webhook endpoints list">
        {webhooks.isError ? (
          <ErrorAlert error={webhooks.error} title="Could not load the webhook endpoints" onRetry={() => webhooks.refetch()} />
        ) : endpoints && endpoints.length === 0 ? (
          <EmptyWebhooks onCreate={manage ? openCreate : undefined} />
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Webhook endpoints">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Endpoint</Table.Th>
                  <Table.Th>Event types</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {webhooks.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={4}>
                      <Text c="dimmed" size="sm">
                        Loading webhook endpoints…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {endpoints?.map((w) => (
                  <Table.Tr key={w.id} data-endpoint={w.id}>
                    <Table.Td maw={380}>
                      <Anchor component={Link} to={w.id} fw={600} size="sm" style={{ wordBreak: 'break-all' }}>
                        {w.url}
                      </Anchor>
                      {w.description && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {w.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td miw={180} maw={340}>
                      <EventTypeBadges types={w.event_types} label={`Event types of ${w.url}`} />
                    </Table.Td>
                    <Table.Td miw={150}>
                      <EndpointStatusBadge endpoint={w} timeZone={instance.timeZone} />
                    </Table.Td>
                    <Table.Td miw={130}>
                      <Text size="sm">{formatDateTime(w.created_at, instance.timeZone)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>

      {endpoints && endpoints.length > 0 && (
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="verify-help-heading">
          <Title order={2} fz="h4" id="verify-help-heading">
            Verifying deliveries
          </Title>
          <Text c="dimmed" size="sm" mb="md" maw={760}>
            {WEBHOOKS_INTRO}
          </Text>
          <VerifyHelp />
        </Paper>
      )}

      {manage && <CreateWebhookModal slug={instance.slug} opened={creating} onClose={closeCreate} onCreated={onCreated} />}
      <SecretModal
        title={created ? `Signing secret of ${endpointLabel(created.endpoint.url)}` : 'Signing secret'}
        secret={created?.secret ?? null}
        secretLabel="Signing secret"
        secretTestId="signing-secret"
        notice={SIGNING_SECRET_NOTICE}
        onConfirm={() => {
          const id = created?.endpoint.id
          setCreated(null)
          if (id) navigate(id)
        }}
      >
        {created && (
          <div>
            <Text size="sm" mb={4}>
              Give it to your receiver, for example as an environment variable (see the verification example):
            </Text>
            <CodeSnippet code={`STEWARD_WEBHOOK_SECRET=${created.secret}`} label="environment variable" wrap />
          </div>
        )}
      </SecretModal>
    </Stack>
  )
}
