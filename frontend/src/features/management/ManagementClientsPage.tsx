import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconPlus, IconRobot } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SecretModal } from '../../components/SecretModal'
import { formatDateTime, formatRelative } from '../../lib/datetime'
import { notifySuccess } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { AdminsOnly } from './AdminsOnly'
import { useManagementClients, useManagementScopes } from './api'
import { CreateManagementClientModal } from './CreateManagementClientModal'
import { can, type CreatedManagementClient, type InstanceRef, type ManagementClient } from './model'
import { ScopeBadges } from './ScopeBadges'
import { TokenHelp } from './TokenHelp'

const INTRO =
  'A management client is a machine — a CI job, a script, a back-office service — that calls this instance’s console API on its own, with only the scopes you give it. It exchanges its client id and secret for a short-lived token at the token endpoint.'

function EmptyClients({ onCreate, tokenEndpoint, slug }: { onCreate: () => void; tokenEndpoint?: string; slug: string }) {
  return (
    <Stack align="center" gap="xs" py="xl" px="lg">
      <IconRobot size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>No management clients yet</Text>
      <Text c="dimmed" size="sm" ta="center" maw={560}>
        {INTRO}
      </Text>
      <Button mt="xs" variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={onCreate}>
        New management client
      </Button>
      {tokenEndpoint && (
        <Stack w="100%" maw={720} mt="md">
          <TokenHelp tokenEndpoint={tokenEndpoint} slug={slug} />
        </Stack>
      )}
    </Stack>
  )
}

function Expiry({ client, timeZone }: { client: ManagementClient; timeZone: string }) {
  if (!client.expires_at) {
    return (
      <Text size="sm" c="dimmed">
        Never
      </Text>
    )
  }
  return (
    <Stack gap={2} align="flex-start">
      <Text size="sm">{formatDateTime(client.expires_at, timeZone)}
      </Text>
      {client.expired && (
        <Badge color="red" variant="light" size="sm">
          Expired
        </Badge>
      )}
    </Stack>
  )
}

export function ManagementClientsPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Management clients', instance.name ?? instance.slug)
  const allowed = can.manageClients(instance.role)
  const clients = useManagementClients(instance.slug, allowed)
  const catalogue = useManagementScopes(allowed)
  const navigate = useNavigate()
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false)
  // The one-time secret of a client just created: in component state only, until confirmed.
  const [created, setCreated] = useState<CreatedManagementClient | null>(null)

  if (!allowed) return <AdminsOnly slug={instance.slug} role={instance.role} />

  const onCreated = (c: CreatedManagementClient) => {
    closeCreate()
    notifySuccess(`Management client “${c.client.name}” created`)
    setCreated(c)
  }
  const tokenEndpoint = catalogue.data?.token_endpoint

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Anchor component={Link} to={`/i/${instance.slug}/settings`} size="sm">
            ← Settings
          </Anchor>
          <Title order={1} fz="h2">
            Management clients
          </Title>
          <Text c="dimmed" maw={720}>
            Machines with scoped access to this instance's console API (client credentials).
          </Text>
        </div>
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
          New management client
        </Button>
      </Group>

      <Paper withBorder radius="md" component="section" aria-label="Management clients list">
        {clients.isError ? (
          <ErrorAlert error={clients.error} title="Could not load the management clients" onRetry={() => clients.refetch()} />
        ) : clients.data && clients.data.length === 0 ? (
          <EmptyClients onCreate={openCreate} tokenEndpoint={tokenEndpoint} slug={instance.slug} />
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Management clients">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th style={{ whiteSpace: 'nowrap' }}>Last used</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {clients.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text c="dimmed" size="sm">
                        Loading management clients…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {clients.data?.map((c) => (
                  <Table.Tr key={c.id} data-client={c.id}>
                    <Table.Td maw={340}>
                      <Anchor component={Link} to={c.id} fw={600} size="sm">
                        {c.name}
                      </Anchor>
                      {c.description && (
                        <Text size="xs" c="dimmed" truncate>
                          {c.description}
                        </Text>
                      )}
                      <Group gap={4} wrap="nowrap" mt={2}>
                        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                          Client id
                        </Text>
                        <Text ff="monospace" size="xs">
                          {c.client_id}
                        </Text>
                        <CopyIconButton value={c.client_id} label={`Copy client id of ${c.name}`} size="sm" />
                      </Group>
                    </Table.Td>
                    <Table.Td miw={200} maw={320}>
                      <ScopeBadges scopes={c.scopes} label={`Scopes of ${c.name}`} />
                    </Table.Td>
                    <Table.Td miw={130}>
                      <Expiry client={c} timeZone={instance.timeZone} />
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={c.last_used_at ? formatDateTime(c.last_used_at, instance.timeZone) : 'No token yet'}>
                        <Text size="sm" c={c.last_used_at ? undefined : 'dimmed'} span style={{ whiteSpace: 'nowrap' }}>
                          {formatRelative(c.last_used_at)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td miw={130}>
                      <Text size="sm">
                        {formatDateTime(c.created_at, instance.timeZone)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>

      {clients.data && clients.data.length > 0 && tokenEndpoint && (
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="token-help-heading">
          <Title order={2} fz="h4" id="token-help-heading">
            Getting a token
          </Title>
          <Text c="dimmed" size="sm" mb="md" maw={720}>
            {INTRO}
          </Text>
          <TokenHelp tokenEndpoint={tokenEndpoint} slug={instance.slug} />
        </Paper>
      )}

      <CreateManagementClientModal slug={instance.slug} timeZone={instance.timeZone} opened={creating} onClose={closeCreate} onCreated={onCreated} />
      <SecretModal
        title={created ? `Client secret of “${created.client.name}”` : 'Client secret'}
        clientId={created?.client.client_id ?? ''}
        secret={created?.client_secret ?? null}
        onConfirm={() => {
          const id = created?.client.id
          setCreated(null)
          if (id) navigate(id)
        }}
      >
        {created && tokenEndpoint && (
          <TokenHelp tokenEndpoint={tokenEndpoint} slug={instance.slug} clientId={created.client.client_id} secret={created.client_secret} scopes={created.client.scopes} />
        )}
      </SecretModal>
    </Stack>
  )
}
