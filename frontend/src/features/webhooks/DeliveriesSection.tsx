import { Button, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core'
import { IconRefresh, IconSend } from '@tabler/icons-react'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, type MouseEvent } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useDeliveries, webhookKeys } from './api'
import { DeliveryStatusBadge, HttpStatus } from './badges'
import { DeliveryDrawer } from './DeliveryDrawer'
import {
  deliveriesPollInterval,
  DELIVERY_POLL_MS,
  DELIVERY_STATUS_LABELS,
  DELIVERY_STATUSES,
  formatDateTime,
  formatLatency,
  type Delivery,
  type DeliveryStatus,
} from './model'

const FILTERS = [{ value: 'all', label: 'All' }, ...DELIVERY_STATUSES.map((s) => ({ value: s, label: DELIVERY_STATUS_LABELS[s] }))]

/** Clicks on a control inside the row (a button, a focusable code block) or in a portal it rendered do not open the delivery. */
function fromInnerControl(event: MouseEvent<HTMLElement>): boolean {
  const row = event.currentTarget
  const target = event.target as HTMLElement
  if (!row.contains(target)) return true
  const control = target.closest('button, a, input, [tabindex]')
  return control !== null && control !== row
}

function EmptyDeliveries({ status }: { status: DeliveryStatus | null }) {
  return (
    <Stack align="center" gap="xs" py="xl" px="lg">
      <IconSend size={32} color="var(--mantine-color-gray-5)" aria-hidden />
      <Text fw={600}>{status ? `No ${DELIVERY_STATUS_LABELS[status].toLowerCase()} deliveries` : 'No deliveries yet'}</Text>
      <Text c="dimmed" size="sm" ta="center" maw={480}>
        {status
          ? 'Choose “All” to see every delivery.'
          : 'Every event sent to this endpoint is listed here with its attempts and the answers your server gave. Send a test event to try it.'}
      </Text>
    </Stack>
  )
}

function DeliveryRow({ delivery, timeZone, onOpen }: { delivery: Delivery; timeZone: string; onOpen: () => void }) {
  const d = delivery
  return (
    <Table.Tr
      tabIndex={0}
      data-delivery={d.id}
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
      <Table.Td>
        <Text size="sm" ff="monospace" fw={500}>
          {d.event_type}
        </Text>
        {d.last_error && (
          <Text size="xs" c="red" lineClamp={1} maw={320} title={d.last_error}>
            {d.last_error}
          </Text>
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <DeliveryStatusBadge delivery={d} />
        {d.status === 'pending' && d.attempts > 0 && d.next_attempt_at && (
          <Text size="xs" c="dimmed" mt={2}>
            Next try {formatDateTime(d.next_attempt_at, timeZone)}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{d.attempts}</Text>
      </Table.Td>
      <Table.Td>
        <HttpStatus status={d.last_status} />
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatLatency(d.last_latency_ms)}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(d.created_at, timeZone)}</Text>
        {d.delivered_at && (
          <Text size="xs" c="dimmed">
            Delivered {formatDateTime(d.delivered_at, timeZone)}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Button size="xs" variant="default" onClick={onOpen} aria-label={`Details of the ${d.event_type} delivery of ${formatDateTime(d.created_at, timeZone)}`}>
          Details
        </Button>
      </Table.Td>
    </Table.Tr>
  )
}

/**
 * The endpoint's deliveries log: filter by status, "Load more" pages, a delivery's details in a
 * drawer (`openId`). Refreshes itself while a delivery is pending, and the endpoint (its failure
 * state) once none is.
 */
export function DeliveriesSection({
  slug,
  endpointId,
  timeZone,
  canResend,
  status,
  onStatusChange,
  openId,
  onOpen,
}: {
  slug: string
  endpointId: string
  timeZone: string
  canResend: boolean
  status: DeliveryStatus | null
  onStatusChange: (status: DeliveryStatus | null) => void
  openId: string | null
  onOpen: (id: string | null) => void
}) {
  const deliveries = useDeliveries(slug, endpointId, status)
  const queryClient = useQueryClient()
  const pages = deliveries.data?.pages
  const items = pages?.flatMap((p) => p.items) ?? []
  const total = pages?.[0]?.total ?? 0
  const polling = deliveriesPollInterval(pages) !== false

  // When the last pending delivery is done, the endpoint's failure state may have changed.
  const wasPolling = useRef(polling)
  useEffect(() => {
    if (wasPolling.current && !polling) void queryClient.invalidateQueries({ queryKey: webhookKeys.detail(slug, endpointId) })
    wasPolling.current = polling
  }, [polling, queryClient, slug, endpointId])

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="deliveries-heading">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm" mb="md">
        <div>
          <Title order={2} fz="h4" id="deliveries-heading">
            Deliveries
          </Title>
          <Text c="dimmed" size="sm" maw={560}>
            Each event sent to this endpoint, newest first. Failed attempts are retried with backoff for days.
          </Text>
        </div>
        <Group gap="sm" wrap="wrap">
          {polling && (
            <Group gap={6} role="status">
              <Loader size={14} />
              <Text size="sm" c="dimmed">
                Refreshing every {DELIVERY_POLL_MS / 1000} s while deliveries are pending
              </Text>
            </Group>
          )}
          <SegmentedControl
            aria-label="Filter deliveries by status"
            size="xs"
            data={FILTERS}
            value={status ?? 'all'}
            onChange={(v) => onStatusChange(v === 'all' ? null : (v as DeliveryStatus))}
          />
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            loading={deliveries.isRefetching && !deliveries.isFetchingNextPage && !polling}
            onClick={() => deliveries.refetch()}
          >
            Refresh
          </Button>
        </Group>
      </Group>

      {deliveries.isError ? (
        <ErrorAlert error={deliveries.error} title="Could not load the deliveries" onRetry={() => deliveries.refetch()} />
      ) : deliveries.isSuccess && items.length === 0 ? (
        <EmptyDeliveries status={status} />
      ) : (
        <Table.ScrollContainer minWidth={820}>
          <Table verticalSpacing="sm" highlightOnHover aria-label="Deliveries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Attempts</Table.Th>
                <Table.Th>HTTP</Table.Th>
                <Table.Th ta="right">Latency</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {deliveries.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" size="sm" role="status">
                      Loading deliveries…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {items.map((d) => (
                <DeliveryRow key={d.id} delivery={d} timeZone={timeZone} onOpen={() => onOpen(d.id)} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      {items.length > 0 && (
        <Group justify="space-between" mt="sm">
          <Text size="sm" c="dimmed">
            Showing {items.length} of {total}
          </Text>
          {deliveries.hasNextPage && (
            <Button variant="default" loading={deliveries.isFetchingNextPage} onClick={() => deliveries.fetchNextPage()}>
              Load more
            </Button>
          )}
        </Group>
      )}

      <DeliveryDrawer slug={slug} endpointId={endpointId} deliveryId={openId} timeZone={timeZone} canResend={canResend} onOpen={onOpen} />
    </Paper>
  )
}
