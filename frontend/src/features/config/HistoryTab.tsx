import { ActionIcon, Badge, Button, Code, Group, Menu, Select, Skeleton, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconChevronDown, IconChevronRight, IconHistory, IconRestore } from '@tabler/icons-react'
import { Fragment, useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { formatDateTime, formatRelative } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useConfigHistory, useConfigOverview, useRestoreAll, useRestoreEntry } from './api'
import { ReadOnlyNotice } from './ReadOnlyNotice'
import { ACTION_COLORS, ACTION_LABELS, changesCount, compactJson, mayWriteConfig, type ConfigChangeSet, type ConfigVersion, type InstanceRef } from './model'
import { StateDiff } from './StateDiff'

/** What the user asked to restore, waiting for the confirmation. */
type RestoreTarget = { kind: 'entry'; version: ConfigVersion } | { kind: 'all'; revision: number }

function restoredMessage(result: ConfigChangeSet, what: string): string {
  return result.changes.length === 0 ? `Nothing to restore: ${what} already is as it was.` : `${what} restored (${changesCount(result.changes.length)}).`
}

function afterLine(v: ConfigVersion): string {
  if (!v.after) return 'it did not exist then: restoring deletes it'
  if (v.after.value === null || v.after.value === undefined) return 'its default'
  return compactJson(v.after.value)
}

/** "Restore" → this entry, or everything, as of the row's revision. */
function RestoreMenu({ label, onEntry, onAll }: { label: string; onEntry?: () => void; onAll: () => void }) {
  // hideDetached off: the menu stays shown if its row scrolls away (it closes on the next click anyway).
  return (
    <Menu position="bottom-end" withinPortal hideDetached={false}>
      <Menu.Target>
        <Button size="compact-sm" variant="light" leftSection={<IconRestore size={14} aria-hidden />} aria-label={label}>
          Restore
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {onEntry && <Menu.Item onClick={onEntry}>Restore this entry</Menu.Item>}
        <Menu.Item onClick={onAll}>Restore all to this revision</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}

function When({ at, timeZone }: { at: string; timeZone: string }) {
  return (
    <Tooltip label={formatDateTime(at, timeZone)} withArrow>
      <Text size="sm" tabIndex={0} style={{ whiteSpace: 'nowrap' }}>
        {formatRelative(at)}
      </Text>
    </Tooltip>
  )
}

/** Every change, newest first, with before → after; restore one entry or everything as of a revision. */
export function HistoryTab({ instance, keyFilter, onKeyFilterChange }: { instance: InstanceRef; keyFilter: string | null; onKeyFilterChange: (key: string | null) => void }) {
  const editable = mayWriteConfig(instance.role)
  const overview = useConfigOverview(instance.slug)
  const history = useConfigHistory(instance.slug, keyFilter)
  const restoreEntry = useRestoreEntry(instance.slug)
  const restoreAll = useRestoreAll(instance.slug)
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set())
  const [target, setTarget] = useState<RestoreTarget | null>(null)

  const items = history.data?.pages.flatMap((p) => p.items) ?? []
  // Keys of the entries now, and of those the history names (custom entries deleted since).
  const keys = [...new Set([...(overview.data?.items.map((e) => e.key) ?? []), ...items.map((v) => v.key), ...(keyFilter ? [keyFilter] : [])])].toSorted()
  const complete = history.isSuccess && !history.hasNextPage
  const pending = restoreEntry.isPending || restoreAll.isPending

  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      return next
    })

  const confirm = () => {
    if (!target) return
    const done = {
      onError: (error: unknown) => {
        setTarget(null)
        notifyError(error, 'Could not restore')
      },
    }
    if (target.kind === 'entry') {
      const { key, revision } = target.version
      restoreEntry.mutate(
        { key, revision },
        {
          ...done,
          onSuccess: (result) => {
            setTarget(null)
            notifySuccess(restoredMessage(result, `${key}`))
          },
        },
      )
    } else {
      restoreAll.mutate(
        { revision: target.revision },
        {
          ...done,
          onSuccess: (result) => {
            setTarget(null)
            notifySuccess(restoredMessage(result, target.revision === 0 ? 'The initial configuration' : `The configuration of revision ${target.revision}`))
          },
        },
      )
    }
  }

  return (
    <Stack gap="md">
      {!editable && <ReadOnlyNotice instance={instance} />}
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Select
          label="Entry"
          placeholder="All entries"
          data={keys}
          value={keyFilter}
          onChange={onKeyFilterChange}
          searchable
          clearable
          nothingFoundMessage="No entry matches"
          w={340}
          styles={{ input: { fontFamily: keyFilter ? 'var(--mantine-font-family-monospace)' : undefined } }}
          comboboxProps={{ withinPortal: true }}
        />
        <Text size="sm" c="dimmed">
          {overview.data ? `The configuration is at revision ${overview.data.revision}.` : ''}
        </Text>
      </Group>

      {history.isError ? (
        <ErrorAlert error={history.error} title="Could not load the history" onRetry={() => history.refetch()} />
      ) : history.isPending ? (
        <Skeleton h={240} radius="md" aria-label="Loading the history" />
      ) : items.length === 0 ? (
        <Stack align="center" gap={4} py="xl">
          <IconHistory size={28} color="var(--mantine-color-gray-5)" aria-hidden />
          <Text c="dimmed" size="sm">
            {keyFilter ? `${keyFilter} has never been changed.` : 'No changes yet: every entry is at its default.'}
          </Text>
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={760} type="native">
          <Table aria-label="Changes" verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <VisuallyHidden>Details</VisuallyHidden>
                </Table.Th>
                <Table.Th w={90}>Revision</Table.Th>
                <Table.Th>Entry</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>When</Table.Th>
                {editable && (
                  <Table.Th w={120}>
                    <VisuallyHidden>Restore</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((v) => {
                const open = expanded.has(v.id)
                return (
                  <Fragment key={v.id}>
                    <Table.Tr data-revision={v.revision}>
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          onClick={() => toggle(v.id)}
                          aria-expanded={open}
                          aria-label={`${open ? 'Hide' : 'Show'} the change to ${v.key} in revision ${v.revision}`}
                        >
                          {open ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
                        </ActionIcon>
                      </Table.Td>
                      <Table.Td>{v.revision}</Table.Td>
                      <Table.Td>
                        <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>
                          {v.key}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={ACTION_COLORS[v.action]}>
                          {ACTION_LABELS[v.action]}
                        </Badge>
                      </Table.Td>
                      <Table.Td style={{ wordBreak: 'break-all' }}>{v.actor}</Table.Td>
                      <Table.Td>
                        <When at={v.created_at} timeZone={instance.timeZone} />
                      </Table.Td>
                      {editable && (
                        <Table.Td>
                          <RestoreMenu
                            label={`Restore ${v.key} or everything as of revision ${v.revision}`}
                            onEntry={() => setTarget({ kind: 'entry', version: v })}
                            onAll={() => setTarget({ kind: 'all', revision: v.revision })}
                          />
                        </Table.Td>
                      )}
                    </Table.Tr>
                    {open && (
                      <Table.Tr>
                        <Table.Td colSpan={editable ? 7 : 6} bg="var(--mantine-color-gray-0)">
                          <StateDiff label={`Change to ${v.key} in revision ${v.revision}`} before={v.before} after={v.after} />
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                )
              })}
              {complete && !keyFilter && (
                <Table.Tr data-revision={0}>
                  <Table.Td />
                  <Table.Td>0</Table.Td>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed">
                      Before any change: every entry at its default, no custom entries.
                    </Text>
                  </Table.Td>
                  {editable && (
                    <Table.Td>
                      <RestoreMenu label="Restore everything as of revision 0" onAll={() => setTarget({ kind: 'all', revision: 0 })} />
                    </Table.Td>
                  )}
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {history.hasNextPage && (
        <Group justify="center">
          <Button variant="default" onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage}>
            Load older
          </Button>
        </Group>
      )}

      <ConfirmModal
        opened={target !== null}
        onClose={() => setTarget(null)}
        title={target?.kind === 'entry' ? `Restore ${target.version.key}` : `Restore all to revision ${target?.kind === 'all' ? target.revision : ''}`}
        confirmLabel="Restore"
        confirmColor="blue"
        onConfirm={confirm}
        pending={pending}
      >
        {target?.kind === 'entry' ? (
          <>
            Restore <Code>{target.version.key}</Code> as it was after revision {target.version.revision} ({afterLine(target.version)})? Other entries are left as they are. The restore
            is recorded as a new change.
          </>
        ) : target?.kind === 'all' ? (
          <>
            Make the whole configuration what it was {target.revision === 0 ? 'before any change (every entry at its default, no custom entries)' : `after revision ${target.revision}`}?
            Every entry changed since goes back, and custom entries defined since are deleted. The restore is recorded as a new revision; the history keeps everything.
          </>
        ) : null}
      </ConfirmModal>
    </Stack>
  )
}
