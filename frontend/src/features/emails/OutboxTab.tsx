import { Button, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconMailForward, IconRefresh } from '@tabler/icons-react'
import type { MouseEvent } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { AddressFilter } from './AddressFilter'
import { outboxPollInterval, useOutbox } from './api'
import { StatusBadge, ViaBadge } from './badges'
import { CancelButton, RetryButton } from './EmailActions'
import { OutboxEmailDrawer } from './OutboxEmailDrawer'
import {
  can,
  formatDateTime,
  isStuck,
  kindLabel,
  STATUS_LABELS,
  STATUSES,
  type EmailStatus,
  type InstanceRef,
  type OutboxEmail,
} from './model'

const FILTERS = [{ value: 'all', label: 'All' }, ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]

/** Why no email was sent after all (the user is gone, blocked, verified, or no account has the address). */
function SkipReason({ reason }: { reason: string }) {
  return (
    <Text size="xs" c="dimmed" lineClamp={2} maw={360} aria-label={`Not sent: ${reason}`}>
      Not sent: {reason}
    </Text>
  )
}

function LastError({ error }: { error: string }) {
  return (
    <Tooltip label={error} multiline maw={420} withinPortal>
      <Text size="xs" c="red" lineClamp={2} maw={360} tabIndex={0} aria-label={`Last error: ${error}`}>
        Last error: {error}
      </Text>
    </Tooltip>
  )
}

function EmptyOutbox({ status, to }: { status: EmailStatus | null; to: string }) {
  const title = to
    ? `No emails to ${to}${status ? ' with this status' : ''}`
    : status
      ? 'No emails with this status'
      : 'No emails sent yet'
  return (
    <Stack align="center" gap="xs" py="xl">
      <IconMailForward size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>{title}</Text>
      <Text c="dimmed" size="sm" ta="center" maw={440}>
        {to
          ? 'The filter finds every address that contains it.'
          : "Verification, password-reset and invitation emails to this instance's users are listed here with their delivery status."}
      </Text>
    </Stack>
  )
}

/**
 * Clicks meant for something else do not open the email: a control inside the row (a button, a
 * focusable badge) or anything in a portal the row rendered (a confirmation dialog, a tooltip).
 */
function fromInnerControl(event: MouseEvent<HTMLElement>): boolean {
  const row = event.currentTarget
  const target = event.target as HTMLElement
  if (!row.contains(target)) return true
  const control = target.closest('button, a, input, [tabindex]')
  return control !== null && control !== row
}

function OutboxRow({
  email,
  instance,
  onOpen,
}: {
  email: OutboxEmail
  instance: InstanceRef
  onOpen: () => void
}) {
  const tz = instance.timeZone
  return (
    <Table.Tr
      tabIndex={0}
      data-email={email.id}
      style={{ cursor: 'pointer' }}
      onClick={(e) => {
        if (!fromInnerControl(e)) onOpen()
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) {
          e.preventDefault()
          onOpen()
        }
      }}
    >
      <Table.Td maw={340}>
        <Text size="sm" fw={500} truncate title={email.subject}>
          {email.subject}
        </Text>
        <Text size="xs" c="dimmed">
          {kindLabel(email.kind)}
        </Text>
        {email.last_error &&
          (email.status === 'skipped' ? <SkipReason reason={email.last_error} /> : <LastError error={email.last_error} />)}
      </Table.Td>
      <Table.Td maw={300}>
        <Text size="sm" truncate title={email.to}>
          {email.to}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Stack gap={4} align="flex-start">
          <StatusBadge status={email.status} />
          <ViaBadge via={email.delivered_via} />
        </Stack>
        {email.status === 'queued' && email.attempts > 0 && (
          <Text size="xs" c="dimmed" mt={2}>
            Next try {formatDateTime(email.next_attempt_at, tz)}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{email.attempts}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(email.created_at, tz)}</Text>
        <Text size="xs" c="dimmed">
          {email.sent_at
            ? `Sent ${formatDateTime(email.sent_at, tz)}`
            : email.status === 'skipped'
              ? 'Not needed'
              : email.status === 'cancelled'
                ? 'Never sent'
                : 'Not sent yet'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap" justify="flex-end">
          {isStuck(email) && can.retryEmail(instance.role) && <RetryButton slug={instance.slug} email={email} compact />}
          {isStuck(email) && can.cancelEmail(instance.role) && <CancelButton slug={instance.slug} email={email} compact />}
          <Button size="xs" variant="default" onClick={onOpen} aria-label={`Details of the email to ${email.to}`}>
            Details
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}

export function OutboxTab({
  instance,
  status,
  onStatusChange,
  to,
  onToChange,
  openId,
  onOpen,
  mailboxHref,
}: {
  instance: InstanceRef
  status: EmailStatus | null
  onStatusChange: (status: EmailStatus | null) => void
  /** Part of an address (`?to=`). */
  to: string
  onToChange: (to: string) => void
  /** The email shown in the drawer (`?email=`). */
  openId: string | null
  onOpen: (id: string | null) => void
  /** The link to a captured message in the Mailbox tab. */
  mailboxHref: (messageId: string) => string
}) {
  const outbox = useOutbox(instance.slug, status, to)
  const pages = outbox.data?.pages
  const items: OutboxEmail[] = pages?.flatMap((p) => p.items) ?? []
  const total = pages?.[0]?.total ?? 0
  const polling = outboxPollInterval(pages) !== false

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Group align="flex-end" wrap="wrap" gap="sm">
          <AddressFilter value={to} onChange={onToChange} description="Emails to addresses containing this text" />
          <SegmentedControl
            aria-label="Filter by status"
            data={FILTERS}
            value={status ?? 'all'}
            onChange={(v) => onStatusChange(v === 'all' ? null : (v as EmailStatus))}
          />
        </Group>
        <Group gap="sm">
          {polling && (
            <Group gap={6} role="status">
              <Loader size={14} />
              <Text size="sm" c="dimmed">
                Refreshing every 5 s while emails are on their way
              </Text>
            </Group>
          )}
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            loading={outbox.isRefetching && !outbox.isFetchingNextPage && !polling}
            onClick={() => outbox.refetch()}
          >
            Refresh
          </Button>
        </Group>
      </Group>

      <Paper withBorder radius="md" component="section" aria-label="Outgoing emails">
        {outbox.isError ? (
          <ErrorAlert error={outbox.error} title="Could not load the emails" onRetry={() => outbox.refetch()} />
        ) : outbox.isSuccess && items.length === 0 ? (
          <EmptyOutbox status={status} to={to} />
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>To</Table.Th>
                  <Table.Th>Status / via</Table.Th>
                  <Table.Th ta="right">Attempts</Table.Th>
                  <Table.Th>Created / sent</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {outbox.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <Text c="dimmed" size="sm" role="status">
                        Loading emails…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((email) => (
                  <OutboxRow key={email.id} email={email} instance={instance} onOpen={() => onOpen(email.id)} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>

      {items.length > 0 && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Showing {items.length} of {total}
          </Text>
          {outbox.hasNextPage && (
            <Button variant="default" loading={outbox.isFetchingNextPage} onClick={() => outbox.fetchNextPage()}>
              Load more
            </Button>
          )}
        </Group>
      )}

      <OutboxEmailDrawer instance={instance} id={openId} onClose={() => onOpen(null)} mailboxHref={mailboxHref} />
    </Stack>
  )
}
