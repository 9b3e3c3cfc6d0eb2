import { ActionIcon, Badge, Button, Code, Group, Menu, Paper, Skeleton, Stack, Table, Text, TextInput, Title, Tooltip, VisuallyHidden } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconDots, IconPencil, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { formatDateTime, formatRelative } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useConfigOverview, useDeleteEntry, useResetAll } from './api'
import { DefinitionDrawer } from './DefinitionDrawer'
import { EntryDrawer } from './EntryDrawer'
import { ReadOnlyNotice } from './ReadOnlyNotice'
import { changesCount, compactJson, groupByCategory, isStale, mayWriteConfig, typeLine, type ConfigEntry, type InstanceRef } from './model'

function matches(entry: ConfigEntry, filter: string): boolean {
  const f = filter.trim().toLowerCase()
  return !f || entry.key.toLowerCase().includes(f) || entry.description.toLowerCase().includes(f)
}

function LastChanged({ entry, timeZone }: { entry: ConfigEntry; timeZone: string }) {
  if (!entry.updated_at) {
    return (
      <Text size="xs" c="dimmed">
        Never
      </Text>
    )
  }
  return (
    <Tooltip label={formatDateTime(entry.updated_at, timeZone)} withArrow>
      <Text size="xs" c="dimmed" tabIndex={0}>
        {formatRelative(entry.updated_at)}
        {entry.updated_by && (
          <>
            <br />
            by {entry.updated_by}
          </>
        )}
      </Text>
    </Tooltip>
  )
}

function EntryRow({
  entry,
  editable,
  timeZone,
  onOpen,
  onRedefine,
  onDelete,
}: {
  entry: ConfigEntry
  editable: boolean
  timeZone: string
  onOpen: () => void
  onRedefine: () => void
  onDelete: () => void
}) {
  return (
    <Table.Tr data-key={entry.key}>
      <Table.Td style={{ verticalAlign: 'top' }}>
        <Group gap={6} wrap="nowrap">
          <Text ff="monospace" size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
            {entry.key}
          </Text>
          {entry.public && (
            <Badge size="xs" variant="light" color="orange">
              Public
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed" lineClamp={3}>
          {entry.description}
        </Text>
      </Table.Td>
      <Table.Td style={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
        <Text size="sm">{typeLine(entry)}</Text>
      </Table.Td>
      <Table.Td style={{ verticalAlign: 'top' }}>
        <Group gap={6} wrap="wrap">
          <Code style={{ wordBreak: 'break-all' }} data-testid="entry-value">
            {compactJson(entry.value, 60)}
          </Code>
          {!entry.is_set && (
            <Badge size="xs" variant="outline" color="gray">
              Default
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td style={{ verticalAlign: 'top' }}>
        <LastChanged entry={entry} timeZone={timeZone} />
      </Table.Td>
      <Table.Td style={{ verticalAlign: 'top' }}>
        <Group gap={4} wrap="nowrap" justify="flex-end">
          <Button size="compact-sm" variant={editable ? 'light' : 'subtle'} leftSection={editable ? <IconPencil size={14} aria-hidden /> : undefined} onClick={onOpen} aria-label={`${editable ? 'Edit' : 'View'} ${entry.key}`}>
            {editable ? 'Edit' : 'View'}
          </Button>
          {editable && !entry.builtin && (
            <Menu position="bottom-end" withinPortal hideDetached={false}>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${entry.key}`}>
                  <IconDots size={16} aria-hidden />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={14} aria-hidden />} onClick={onRedefine}>
                  Edit definition
                </Menu.Item>
                <Menu.Item color="red" leftSection={<IconTrash size={14} aria-hidden />} onClick={onDelete}>
                  Delete
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}

function ResetAllZone({ instance, revision }: { instance: InstanceRef; revision: number }) {
  const [opened, { open, close }] = useDisclosure(false)
  const resetAll = useResetAll(instance.slug)
  const confirm = () =>
    resetAll.mutate(
      { revision },
      {
        onSuccess: (result) => {
          close()
          notifySuccess(result.changes.length === 0 ? 'Every entry was already at its default.' : `Every entry is back to its default (${changesCount(result.changes.length)}).`)
        },
        onError: (error) => {
          close()
          notifyError(error, isStale(error) ? 'The configuration changed since you loaded it — the page now shows it; try again' : 'Could not reset the configuration')
        },
      },
    )
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="config-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h5" c="red" id="config-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="xs" wrap="wrap" gap="sm">
        <Text size="sm" c="dimmed" maw={560}>
          Reset every entry to its default. Custom entries keep their definitions. The change is recorded in the history and can be restored from there.
        </Text>
        <Button color="red" variant="outline" size="xs" onClick={open}>
          Reset all to defaults
        </Button>
      </Group>
      <ConfirmModal opened={opened} onClose={close} title="Reset all entries to their defaults" confirmLabel="Reset all" onConfirm={confirm} pending={resetAll.isPending}>
        Every value set in this instance is removed and the defaults are in force again at once (password rules, token lifetimes, rate limits…). You can restore the current state from
        the history.
      </ConfirmModal>
    </Paper>
  )
}

/** The entries grouped by category; edit a value, define custom entries. */
export function EntriesTab({ instance }: { instance: InstanceRef }) {
  const editable = mayWriteConfig(instance.role)
  const overview = useConfigOverview(instance.slug)
  const [filter, setFilter] = useState('')
  const [openKey, setOpenKey] = useState<string | null>(null)
  const [definition, setDefinition] = useState<{ entry: ConfigEntry | null } | null>(null)
  const [deleting, setDeleting] = useState<ConfigEntry | null>(null)
  const remove = useDeleteEntry(instance.slug)

  if (overview.isError) return <ErrorAlert error={overview.error} title="Could not load the configuration" onRetry={() => overview.refetch()} />
  const items = overview.data?.items ?? []
  const shown = items.filter((e) => matches(e, filter))
  const groups = groupByCategory(shown)
  const open = items.find((e) => e.key === openKey) ?? null

  const confirmDelete = () => {
    if (!deleting) return
    remove.mutate(
      { key: deleting.key, version: deleting.version },
      {
        onSuccess: () => {
          notifySuccess(`${deleting.key} deleted`)
          setDeleting(null)
        },
        onError: (error) => {
          setDeleting(null)
          notifyError(error, isStale(error) ? `${deleting.key} changed since you loaded it — reload and try again` : `Could not delete ${deleting.key}`)
        },
      },
    )
  }

  return (
    <Stack gap="md">
      {!editable && <ReadOnlyNotice instance={instance} />}
      <Group justify="space-between" wrap="wrap">
        <TextInput
          aria-label="Filter entries"
          placeholder="Filter by key or description"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          w={320}
        />
        {editable && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setDefinition({ entry: null })}>
            New entry
          </Button>
        )}
      </Group>

      {overview.isPending ? (
        <Stack gap="md" aria-busy="true" aria-label="Loading the configuration">
          <Skeleton h={140} radius="md" />
          <Skeleton h={140} radius="md" />
        </Stack>
      ) : groups.length === 0 ? (
        <Text c="dimmed" size="sm">
          No entry matches “{filter.trim()}”.
        </Text>
      ) : (
        groups.map((group) => (
          <Panel
            key={group.category}
            title={group.title}
            description={group.category === 'custom' ? 'Defined by this instance’s developers, with their own JSON Schema.' : undefined}
          >
            <Table.ScrollContainer minWidth={760} type="native">
              <Table aria-label={group.title} verticalSpacing="sm" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="38%">Entry</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Value</Table.Th>
                    <Table.Th>Last changed</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {group.items.map((entry) => (
                    <EntryRow
                      key={entry.key}
                      entry={entry}
                      editable={editable}
                      timeZone={instance.timeZone}
                      onOpen={() => setOpenKey(entry.key)}
                      onRedefine={() => setDefinition({ entry })}
                      onDelete={() => setDeleting(entry)}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Panel>
        ))
      )}
      {!overview.isPending && items.length > 0 && !items.some((e) => e.category === 'custom') && !filter.trim() && (
        <Text size="sm" c="dimmed">
          No custom entries yet.{editable ? ' “New entry” defines one: a key, a JSON Schema and a default your applications read.' : ''}
        </Text>
      )}
      {editable && overview.data && <ResetAllZone instance={instance} revision={overview.data.revision} />}

      <EntryDrawer instance={instance} entry={open} editable={editable} onClose={() => setOpenKey(null)} />
      <DefinitionDrawer instance={instance} opened={definition !== null} entry={definition?.entry ?? null} onClose={() => setDefinition(null)} />
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={deleting ? `Delete ${deleting.key}` : 'Delete'}
        confirmLabel="Delete"
        onConfirm={confirmDelete}
        pending={remove.isPending}
      >
        {deleting
          ? `Delete the custom entry ${deleting.key} and its value? Applications that read it get nothing from now on. Its history stays: a restore brings it back.`
          : ''}
      </ConfirmModal>
    </Stack>
  )
}
