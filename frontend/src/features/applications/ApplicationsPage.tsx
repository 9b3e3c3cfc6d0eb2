import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconApps, IconPlus } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifySuccess } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { useApplications } from './api'
import { CreateApplicationModal } from './CreateApplicationModal'
import { can, formatDateTime, formatRelative, KIND_COLORS, KIND_LABELS, type CreatedApplication, type InstanceRef } from './model'
import { SecretModal } from '../../components/SecretModal'
import { SigningKeysCard } from './SigningKeysCard'

function EmptyApps({ canCreate, onCreate }: { canCreate: boolean; onCreate: () => void }) {
  return (
    <Stack align="center" gap="xs" py="xl">
      <IconApps size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>No applications yet</Text>
      <Text c="dimmed" size="sm" ta="center" maw={420}>
        Register a front-end app (browser or mobile) or a back-end app (server) to call this instance's API.
      </Text>
      {canCreate && (
        <Button mt="xs" variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={onCreate}>
          New application
        </Button>
      )}
    </Stack>
  )
}

export function ApplicationsPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Applications', instance.name ?? instance.slug)
  const apps = useApplications(instance.slug)
  const navigate = useNavigate()
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false)
  // The one-time secret of a back-end app just created: in component state only, until confirmed.
  const [created, setCreated] = useState<CreatedApplication | null>(null)
  const manage = can.manageApps(instance.role)

  const onCreated = (app: CreatedApplication) => {
    closeCreate()
    notifySuccess(`Application “${app.name}” created`)
    if (app.client_secret) setCreated(app)
    else navigate(app.id)
  }

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={1} fz="h2">
            Applications
          </Title>
          <Text c="dimmed">Connect your front-end and back-end apps to this instance's API.</Text>
        </div>
        {manage && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
            New application
          </Button>
        )}
      </Group>

      <Paper withBorder radius="md" component="section" aria-label="Applications list">
        {apps.isError ? (
          <ErrorAlert error={apps.error} title="Could not load the applications" onRetry={() => apps.refetch()} />
        ) : apps.data && apps.data.length === 0 ? (
          <EmptyApps canCreate={manage} onCreate={openCreate} />
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Application</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Client id</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last used</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {apps.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text c="dimmed" size="sm">
                        Loading applications…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {apps.data?.map((app) => (
                  <Table.Tr key={app.id}>
                    <Table.Td maw={320}>
                      <Anchor component={Link} to={app.id} fw={600} size="sm">
                        {app.name}
                      </Anchor>
                      {app.description && (
                        <Text size="xs" c="dimmed" truncate>
                          {app.description}
                        </Text>
                      )}
                      {app.kind === 'frontend' && app.allowed_origins.length > 0 && (
                        <Text size="xs" c="dimmed" truncate>
                          {app.allowed_origins.join(', ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={KIND_COLORS[app.kind]}>
                        {KIND_LABELS[app.kind]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={2} wrap="nowrap">
                        <Text ff="monospace" size="sm">
                          {app.client_id}
                        </Text>
                        <CopyIconButton value={app.client_id} label={`Copy client id of ${app.name}`} size="sm" />
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={app.enabled ? 'teal' : 'gray'}>
                        {app.enabled ? 'Enabled' : 'Disabled'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={app.last_used_at ? formatDateTime(app.last_used_at, instance.timeZone) : 'No calls yet'}>
                        <Text size="sm" c={app.last_used_at ? undefined : 'dimmed'} span>
                          {formatRelative(app.last_used_at)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>

      <SigningKeysCard instance={instance} />

      {manage && <CreateApplicationModal slug={instance.slug} opened={creating} onClose={closeCreate} onCreated={onCreated} />}
      <SecretModal
        title={created ? `Client secret of “${created.name}”` : 'Client secret'}
        clientId={created?.client_id ?? ''}
        secret={created?.client_secret ?? null}
        onConfirm={() => {
          const id = created?.id
          setCreated(null)
          if (id) navigate(id)
        }}
      />
    </Stack>
  )
}
