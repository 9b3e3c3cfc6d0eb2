import { Anchor, Badge, Button, Code, Group, Paper, Select, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core'
import { IconDownload, IconHistory } from '@tabler/icons-react'
import { useState } from 'react'
import { Link } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { formatDateTime } from '../../lib/datetime'
import { notifyError } from '../../lib/forms'
import type { InstanceRef } from '../../lib/instanceRef'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError } from '../../lib/problem'
import { useAuditLog, useExportAuditLog } from './api'
import {
  ACTION_LABELS,
  ACTIONS,
  changesOf,
  formatValue,
  mayReadAuditLog,
  NO_FILTERS,
  TARGET_KINDS,
  TARGET_LABELS,
  type AuditAction,
  type AuditEntry,
  type AuditFilters,
  type AuditTargetKind,
} from './model'

const ACTION_OPTIONS = ACTIONS.map((a) => ({ value: a, label: `${ACTION_LABELS[a]} (${a})` }))
const TARGET_OPTIONS = TARGET_KINDS.map((k) => ({ value: k, label: TARGET_LABELS[k] }))

function Changes({ entry }: { entry: AuditEntry }) {
  const changes = changesOf(entry)
  if (changes.length === 0) return <Text size="xs" c="dimmed">No field changed</Text>
  return (
    <Stack gap={2}>
      {changes.map((c) => (
        <Text key={c.field} size="xs" data-field={c.field} style={{ wordBreak: 'break-word' }}>
          <Code>{c.field}</Code>: {formatValue(c.before)} → {formatValue(c.after)}
        </Text>
      ))}
    </Stack>
  )
}

function Actor({ entry, onFilter }: { entry: AuditEntry; onFilter: (id: string) => void }) {
  const { actor } = entry
  const kind = actor.kind === 'account' ? null : actor.kind === 'application' ? 'app' : 'machine'
  return (
    <Group gap={6} wrap="nowrap">
      {actor.id ? (
        <Tooltip label="Show only this actor's changes" withinPortal>
          <Anchor component="button" type="button" size="sm" onClick={() => onFilter(actor.id ?? '')}>
            {actor.label}
          </Anchor>
        </Tooltip>
      ) : (
        <Text size="sm">{actor.label}</Text>
      )}
      {kind && (
        <Badge size="xs" variant="light">
          {kind}
        </Badge>
      )}
    </Group>
  )
}

function EmptyLog({ filtered }: { filtered: boolean }) {
  return (
    <Stack align="center" gap="xs" py="xl">
      <IconHistory size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>{filtered ? 'No entries match these filters' : 'No changes recorded yet'}</Text>
      <Text c="dimmed" size="sm" ta="center" maw={440}>
        Every change made to this instance — by a member in the console or by an application through the API — is
        recorded here with who made it, when, from where and what changed.
      </Text>
    </Stack>
  )
}

export function AuditLogPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Audit log', instance.name ?? instance.slug)
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS)
  const log = useAuditLog(instance.slug, filters, instance.timeZone, mayReadAuditLog(instance.role))
  const exportCsv = useExportAuditLog(instance.slug, instance.timeZone)
  const update = (patch: Partial<AuditFilters>) => setFilters((f) => ({ ...f, ...patch }))
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS)

  const header = (
    <div>
      <Anchor component={Link} to={`/i/${instance.slug}/settings`} size="sm">
        ← Settings
      </Anchor>
      <Title order={1} fz="h2">
        Audit log
      </Title>
      <Text c="dimmed">Who changed what in this instance, when and from where. Secrets are never shown.</Text>
    </div>
  )
  if (!mayReadAuditLog(instance.role)) {
    return (
      <Stack gap="lg">
        {header}
        <Text>The audit log is for admins and owners of the instance.</Text>
      </Stack>
    )
  }

  const fieldErrors: Record<string, string> = {}
  if (log.error instanceof ApiError) for (const fe of log.error.fieldErrors) fieldErrors[fe.field] = fe.message
  const badFilters = Object.keys(fieldErrors).length > 0
  const pages = log.data?.pages
  const items = badFilters ? [] : (pages?.flatMap((p) => p.items) ?? [])
  const total = badFilters ? 0 : (pages?.[pages.length - 1]?.total ?? 0)

  return (
    <Stack gap="lg">
      {header}
      <Paper withBorder p="md">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label="Action"
            placeholder="Any action"
            data={ACTION_OPTIONS}
            value={filters.action}
            onChange={(v) => update({ action: (v as AuditAction | null) ?? null })}
            clearable
            searchable
            error={fieldErrors.action}
            w={280}
          />
          <Select
            label="Target"
            placeholder="Any target"
            data={TARGET_OPTIONS}
            value={filters.targetKind}
            onChange={(v) => update({ targetKind: (v as AuditTargetKind | null) ?? null })}
            clearable
            error={fieldErrors.target_kind}
            w={170}
          />
          <TextInput
            label="Target id"
            placeholder="e.g. a user's id"
            value={filters.targetId}
            onChange={(e) => update({ targetId: e.currentTarget.value })}
            error={fieldErrors.target_id}
            w={200}
          />
          <TextInput
            label="Actor id"
            placeholder="Click a name to fill"
            value={filters.actor}
            onChange={(e) => update({ actor: e.currentTarget.value })}
            error={fieldErrors.actor}
            w={200}
          />
          <TextInput label="From" type="date" value={filters.from} onChange={(e) => update({ from: e.currentTarget.value })} error={fieldErrors.from} />
          <TextInput label="To" type="date" value={filters.to} onChange={(e) => update({ to: e.currentTarget.value })} error={fieldErrors.to} />
          {filtered && (
            <Button variant="subtle" onClick={() => setFilters(NO_FILTERS)}>
              Clear filters
            </Button>
          )}
          <Button
            ml="auto"
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            loading={exportCsv.isPending}
            onClick={() => exportCsv.mutate(filters, { onError: (error) => notifyError(error, 'Could not export the audit log') })}
          >
            Export CSV
          </Button>
        </Group>
      </Paper>

      {log.isError && !badFilters ? (
        <ErrorAlert error={log.error} title="Could not load the audit log" onRetry={() => log.refetch()} />
      ) : log.isPending ? (
        <Text c="dimmed">Loading…</Text>
      ) : items.length === 0 ? (
        <EmptyLog filtered={filtered} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" striped aria-label="Audit log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>IP</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Changes (before → after)</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((e) => (
                  <Table.Tr key={e.id} data-entry={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.created_at, instance.timeZone)}</Table.Td>
                    <Table.Td>
                      <Actor entry={e} onFilter={(actor) => update({ actor })} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {e.actor.ip ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{ACTION_LABELS[e.action] ?? e.action}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {e.action}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{e.target.label ?? TARGET_LABELS[e.target.kind]}</Text>
                      <Text size="xs" c="dimmed">
                        {TARGET_LABELS[e.target.kind]}
                      </Text>
                    </Table.Td>
                    <Table.Td maw={420}>
                      <Changes entry={e} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}

      {items.length > 0 && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" role="status">
            Showing {items.length} of {total}
          </Text>
          {log.hasNextPage && (
            <Button variant="default" loading={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
              Load more
            </Button>
          )}
        </Group>
      )}
    </Stack>
  )
}
