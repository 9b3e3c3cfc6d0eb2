import { Badge, Button, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconMailForward, IconRefresh } from '@tabler/icons-react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { outboxPollInterval, useOutbox, useRetryEmail } from './api'
import {
  can,
  deliveredVia,
  formatDateTime,
  kindLabel,
  statusBadge,
  STATUS_LABELS,
  STATUSES,
  type EmailStatus,
  type InstanceRef,
  type OutboxEmail,
} from './model'

const FILTERS = [{ value: 'all', label: 'All' }, ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]

export function StatusBadge({ status }: { status: string }) {
  const { label, color } = statusBadge(status)
  return (
    <Badge variant="light" color={color} data-status={status} style={{ minWidth: 'max-content' }}>
      {label}
    </Badge>
  )
}

function ViaBadge({ via }: { via: string | null | undefined }) {
  const shown = deliveredVia(via)
  if (!shown) return null
  return (
    <Tooltip label={shown.description} withinPortal>
      <Badge variant="outline" size="sm" color={shown.color} data-via={via} style={{ minWidth: 'max-content' }} tabIndex={0}>
        {shown.label}
      </Badge>
    </Tooltip>
  )
}

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
      <Text size="xs" c="red.7" lineClamp={2} maw={360} tabIndex={0} aria-label={`Last error: ${error}`}>
        Last error: {error}
      </Text>
    </Tooltip>
  )
}

function EmptyOutbox({ filtered }: { filtered: boolean }) {
  return (
    <Stack align="center" gap="xs" py="xl">
      <IconMailForward size={36} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>{filtered ? 'No emails with this status' : 'No emails sent yet'}</Text>
      <Text c="dimmed" size="sm" ta="center" maw={440}>
        Verification, password-reset and invitation emails to this instance's users are listed here with their
        delivery status.
      </Text>
    </Stack>
  )
}

export function OutboxTab({
  instance,
  status,
  onStatusChange,
}: {
  instance: InstanceRef
  status: EmailStatus | null
  onStatusChange: (status: EmailStatus | null) => void
}) {
  const outbox = useOutbox(instance.slug, status)
  const retry = useRetryEmail(instance.slug)
  const mayRetry = can.retryEmail(instance.role)
  const pages = outbox.data?.pages
  const items: OutboxEmail[] = pages?.flatMap((p) => p.items) ?? []
  const total = pages?.[0]?.total ?? 0
  const polling = outboxPollInterval(pages) !== false

  const onRetry = (email: OutboxEmail) =>
    retry.mutate(email.id, {
      onSuccess: () => notifySuccess(`The email to ${email.to} is queued again`),
      onError: (error) => notifyError(error, 'Could not retry the email'),
    })

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <SegmentedControl
          aria-label="Filter by status"
          data={FILTERS}
          value={status ?? 'all'}
          onChange={(v) => onStatusChange(v === 'all' ? null : (v as EmailStatus))}
        />
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
          <EmptyOutbox filtered={status !== null} />
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>To</Table.Th>
                  <Table.Th>Status / via</Table.Th>
                  <Table.Th ta="right">Attempts</Table.Th>
                  <Table.Th>Created / sent</Table.Th>
                  {mayRetry && (
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {outbox.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={mayRetry ? 6 : 5}>
                      <Text c="dimmed" size="sm" role="status">
                        Loading emails…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((email) => (
                  <Table.Tr key={email.id}>
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
                          Next try {formatDateTime(email.next_attempt_at, instance.timeZone)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{email.attempts}</Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{formatDateTime(email.created_at, instance.timeZone)}</Text>
                      <Text size="xs" c="dimmed">
                        {email.sent_at
                          ? `Sent ${formatDateTime(email.sent_at, instance.timeZone)}`
                          : email.status === 'skipped'
                            ? 'Not needed'
                            : 'Not sent yet'}
                      </Text>
                    </Table.Td>
                    {mayRetry && (
                      <Table.Td>
                        {email.status === 'failed' && (
                          <Button
                            size="xs"
                            variant="light"
                            leftSection={<IconRefresh size={14} aria-hidden />}
                            loading={retry.isPending && retry.variables === email.id}
                            disabled={retry.isPending && retry.variables !== email.id}
                            onClick={() => onRetry(email)}
                            aria-label={`Retry the email to ${email.to}`}
                          >
                            Retry
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
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
    </Stack>
  )
}
