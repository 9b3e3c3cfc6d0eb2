import { Alert, Anchor, Button, Group, Modal, Paper, Progress, Stack, Table, Text } from '@mantine/core'
import { IconDownload, IconLock, IconLockOpen, IconMail, IconTrash, IconX } from '@tabler/icons-react'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { notifyError, notifySuccess } from '../../lib/forms'
import { errorMessage } from '../../lib/problem'
import { EXPORT_IDS_MAX, useExportUsers, userKeys } from './api'
import { BULK_ACTIONS, collectMatching, isAbort, MATCHING_CAP, runBulk, type BulkAction, type BulkReport, type Target } from './bulk'
import type { UserFilters } from './model'

const number = (n: number) => new Intl.NumberFormat().format(n)
const users = (n: number) => (n === 1 ? '1 user' : `${number(n)} users`)

/**
 * The users the actions apply to: those picked one by one (id → email, `null` for a user without
 * one: the report names them by id), or every user matching the filter.
 */
export interface BulkSelection {
  picked: Map<string, string | null>
  all: boolean
}

type Pending = BulkAction | 'export'

type Run =
  | { phase: 'collecting'; action: BulkAction; collected: number; total: number }
  | { phase: 'running'; action: BulkAction; handled: number; total: number }
  | { phase: 'finished'; report: BulkReport; capped: boolean }
  | { phase: 'failed'; action: BulkAction; error: unknown }

/** Most failures listed in the report (the counts are always complete). */
const FAILURES_SHOWN = 100

function BulkReportView({ report, capped }: { report: BulkReport; capped: boolean }) {
  const shown = report.failures.slice(0, FAILURES_SHOWN)
  return (
    <Stack gap="sm">
      <Group gap="lg" role="status" aria-label="Result">
        <Text size="sm">
          <b>{number(report.done)}</b> done
        </Text>
        <Text size="sm">
          <b>{number(report.skipped)}</b> skipped <Text span c="dimmed" size="sm">(nothing to do)</Text>
        </Text>
        <Text size="sm" c={report.failed ? 'red' : undefined}>
          <b>{number(report.failed)}</b> failed
        </Text>
      </Group>
      {report.stoppedBy && (
        <Alert color="red" title="Stopped after an error">
          {report.stoppedBy} {report.notRun > 0 && `${users(report.notRun)} were not reached.`}
        </Alert>
      )}
      {!report.stoppedBy && report.notRun > 0 && (
        <Alert color="yellow" title="Stopped">
          {users(report.notRun)} were not reached.
        </Alert>
      )}
      {capped && (
        <Text size="sm" c="dimmed">
          More than {number(MATCHING_CAP)} users matched the filter; only the first {number(MATCHING_CAP)} were included. Narrow the filter to reach the
          others.
        </Text>
      )}
      {shown.length > 0 && (
        <Table.ScrollContainer minWidth={0} mah={280} type="native">
          <Table aria-label="Failed users" verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{f.email ?? f.id}</Table.Td>
                  <Table.Td>{f.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {report.failures.length > shown.length && (
        <Text size="sm" c="dimmed">
          …and {users(report.failures.length - shown.length)} more.
        </Text>
      )}
    </Stack>
  )
}

function RunModal({ run, stopping, onStop, onClose }: { run: Run | null; stopping: boolean; onStop: () => void; onClose: () => void }) {
  const finished = run?.phase === 'finished' || run?.phase === 'failed'
  const action = run ? (run.phase === 'finished' ? run.report.action : run.action) : null
  const title = action ? `${BULK_ACTIONS[action].title} — ${finished ? 'finished' : 'in progress'}` : ''
  return (
    <Modal
      opened={run !== null}
      onClose={() => finished && onClose()}
      title={title}
      centered
      closeOnClickOutside={false}
      closeOnEscape={finished}
      withCloseButton={finished}
    >
      {run?.phase === 'collecting' && (
        <Stack gap="xs">
          <Progress value={run.total ? Math.max((run.collected / run.total) * 100, 2) : 2} animated aria-label="Finding the users" />
          <Text size="sm" role="status">
            Finding the users matching the filter… {number(run.collected)} of {number(run.total)}
          </Text>
        </Stack>
      )}
      {run?.phase === 'running' && (
        <Stack gap="xs">
          <Progress value={run.total ? (run.handled / run.total) * 100 : 0} aria-label="Progress" />
          <Text size="sm" role="status">
            {BULK_ACTIONS[run.action].running} users… {number(run.handled)} / {number(run.total)}
          </Text>
        </Stack>
      )}
      {run && !finished && (
        <Group justify="flex-end" mt="md">
          <Button variant="default" loading={stopping} onClick={onStop}>
            Stop
          </Button>
        </Group>
      )}
      {run?.phase === 'finished' && <BulkReportView report={run.report} capped={run.capped} />}
      {run?.phase === 'failed' && (
        <Alert color="red" title="Nothing was changed" role="alert">
          Could not find the users matching the filter: {errorMessage(run.error)}
        </Alert>
      )}
      {finished && (
        <Group justify="flex-end" mt="md">
          <Button onClick={onClose}>Close</Button>
        </Group>
      )}
    </Modal>
  )
}

/**
 * The bar above the users table while users are selected: how many, "select every user matching
 * the filter", and the actions. Block, unblock, delete and send verification ask first (saying how
 * many users they touch), then run in calls of 100 with a progress bar and end with a report.
 * The selection is cleared and the list fetched again afterwards.
 */
export function BulkActions({
  slug,
  timeZone,
  filters,
  selection,
  pageFullySelected,
  total,
  totalCapped,
  manage,
  onSelectAll,
  onClear,
}: {
  slug: string
  timeZone: string
  filters: UserFilters
  selection: BulkSelection
  /** Every user of the page shown is picked (offer the whole filter then). */
  pageFullySelected: boolean
  /** The list's count for the filter, and whether it stopped counting. */
  total: number
  totalCapped: boolean
  /** May change users (else: export only). */
  manage: boolean
  onSelectAll: () => void
  onClear: () => void
}) {
  const queryClient = useQueryClient()
  const exportCsv = useExportUsers(slug, timeZone)
  const [pending, setPending] = useState<Pending | null>(null)
  const [run, setRun] = useState<Run | null>(null)
  const [stopping, setStopping] = useState(false)
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])

  const overCap = selection.all && (totalCapped || total > MATCHING_CAP)
  const count = selection.all ? Math.min(total, MATCHING_CAP) : selection.picked.size
  const matching = totalCapped ? `more than ${number(total)}` : number(total)
  const who = !selection.all
    ? users(count)
    : overCap
      ? `the first ${number(count)} users matching the filter`
      : count === 1
        ? 'the 1 user matching the filter'
        : `all ${number(count)} users matching the filter`
  const exportsFilter = selection.all || selection.picked.size > EXPORT_IDS_MAX

  const doExport = (byFilter: boolean) => {
    setPending(null)
    exportCsv.mutate(byFilter ? { filters } : { ids: [...selection.picked.keys()] }, {
      onSuccess: () => {
        notifySuccess(byFilter ? 'Exported the users matching the filter' : `Exported ${users(selection.picked.size)}`)
        onClear()
      },
      onError: (error) => notifyError(error, 'Could not export the users'),
    })
  }

  const start = async (action: BulkAction) => {
    setPending(null)
    setStopping(false)
    const controller = new AbortController()
    abort.current = controller
    let targets: Target[]
    let capped = false
    try {
      if (selection.all) {
        setRun({ phase: 'collecting', action, collected: 0, total: count })
        const collected = await collectMatching(slug, filters, timeZone, {
          signal: controller.signal,
          onProgress: (n, of) => setRun({ phase: 'collecting', action, collected: n, total: of }),
        })
        targets = collected.targets
        capped = collected.capped
      } else {
        targets = [...selection.picked].map(([id, email]) => ({ id, email }))
      }
    } catch (error) {
      if (isAbort(error)) {
        setRun(null)
        notifySuccess('Stopped; nothing was changed')
      } else setRun({ phase: 'failed', action, error })
      return
    }
    setRun({ phase: 'running', action, handled: 0, total: targets.length })
    const report = await runBulk(slug, action, targets, {
      signal: controller.signal,
      onProgress: (handled, of) => setRun({ phase: 'running', action, handled, total: of }),
    })
    setRun({ phase: 'finished', report, capped })
    onClear()
    await queryClient.invalidateQueries({ queryKey: userKeys.all(slug) })
  }

  const action = pending && pending !== 'export' ? BULK_ACTIONS[pending] : null
  const busy = run !== null && run.phase !== 'finished' && run.phase !== 'failed'
  const visible = selection.all || selection.picked.size > 0
  const modals = (
    <>
      <ConfirmModal
        opened={action !== null}
        onClose={() => setPending(null)}
        title={action?.title ?? ''}
        confirmLabel={action && pending ? (pending === 'send_verification' || pending === 'send_invitation' ? `Send to ${users(count)}` : `${action.label} ${users(count)}`) : ''}
        confirmColor={action?.color}
        onConfirm={() => pending && pending !== 'export' && void start(pending)}
        pending={false}
      >
        {action && (
          <>
            {action.verb} <b>{who}</b>? {action.consequence}
          </>
        )}
      </ConfirmModal>
      <ConfirmModal
        opened={pending === 'export'}
        onClose={() => setPending(null)}
        title="Export users"
        confirmLabel="Export the filter"
        confirmColor="blue"
        onConfirm={() => doExport(true)}
        pending={false}
      >
        An export by id takes at most {number(EXPORT_IDS_MAX)} users and {number(selection.picked.size)} are selected. Export every user matching the
        filter instead ({matching} users)?
      </ConfirmModal>
      <RunModal
        run={run}
        stopping={stopping}
        onStop={() => {
          setStopping(true)
          abort.current?.abort()
        }}
        onClose={() => setRun(null)}
      />
    </>
  )
  // The modals outlive the selection: the report stays after the selection is cleared.
  return (
    <>
      {visible && (
        <Paper
          component="section"
          aria-label="Bulk actions"
          px="lg"
          py="xs"
          radius={0}
          bg="var(--mantine-color-blue-0)"
          style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}
        >
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Stack gap={2}>
              <Text size="sm" fw={600} aria-live="polite" data-testid="users-selected">
                {!selection.all
                  ? `${users(count)} selected`
                  : totalCapped
                    ? `Every user matching the filter is selected (more than ${number(total)})`
                    : `All ${number(total)} users matching the filter are selected`}
              </Text>
              {!selection.all && pageFullySelected && total > count && (
                <Anchor component="button" type="button" size="sm" onClick={onSelectAll}>
                  {totalCapped ? `Select every user matching the filter (more than ${number(total)})` : `Select all ${number(total)} users matching the filter`}
                </Anchor>
              )}
              {overCap && (
                <Text size="xs" c="dimmed">
                  Actions reach the first {number(MATCHING_CAP)} of them (in the list's order).
                </Text>
              )}
            </Stack>
            <Group gap="xs" wrap="wrap">
              {manage && (
                <>
                  <Button size="xs" variant="default" leftSection={<IconLock size={14} aria-hidden />} onClick={() => setPending('block')} disabled={busy}>
                    Block
                  </Button>
                  <Button size="xs" variant="default" leftSection={<IconLockOpen size={14} aria-hidden />} onClick={() => setPending('unblock')} disabled={busy}>
                    Unblock
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    leftSection={<IconMail size={14} aria-hidden />}
                    onClick={() => setPending('send_verification')}
                    disabled={busy}
                  >
                    Send verification email
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    leftSection={<IconMail size={14} aria-hidden />}
                    onClick={() => setPending('send_invitation')}
                    disabled={busy}
                  >
                    Send invitation
                  </Button>
                  <Button size="xs" variant="outline" color="red" leftSection={<IconTrash size={14} aria-hidden />} onClick={() => setPending('delete')} disabled={busy}>
                    Delete
                  </Button>
                </>
              )}
              <Button
                size="xs"
                variant="default"
                leftSection={<IconDownload size={14} aria-hidden />}
                loading={exportCsv.isPending}
                disabled={busy}
                onClick={() => (exportsFilter && !selection.all ? setPending('export') : doExport(selection.all))}
              >
                Export
              </Button>
              <Button size="xs" variant="subtle" color="gray" leftSection={<IconX size={14} aria-hidden />} onClick={onClear} disabled={busy}>
                Clear selection
              </Button>
            </Group>
          </Group>
        </Paper>
      )}
      {modals}
    </>
  )
}
