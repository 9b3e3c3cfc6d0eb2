import { Badge, Group, Stack, Text } from '@mantine/core'
import { deliveryBadge, endpointStatus, formatDateTime, httpStatusColor, type Delivery, type EventType, type Webhook } from './model'

/** An endpoint's event types as badges, or "All events" when it takes every type. */
export function EventTypeBadges({ types, label = 'Event types' }: { types: EventType[]; label?: string }) {
  if (types.length === 0) {
    return (
      <Badge variant="outline" color="gray" tt="none" radius="sm" data-testid="all-events">
        All events
      </Badge>
    )
  }
  return (
    <Group gap={4} wrap="wrap" role="list" aria-label={label}>
      {types.map((type) => (
        <Badge key={type} role="listitem" variant="light" color="blue" tt="none" ff="monospace" fw={500} radius="sm">
          {type}
        </Badge>
      ))}
    </Group>
  )
}

/** Enabled, Off, "Turned off: why" (by Steward, after days of failures) or "Failing since …". */
export function EndpointStatusBadge({ endpoint, timeZone }: { endpoint: Webhook; timeZone: string }) {
  const status = endpointStatus(endpoint, (iso) => formatDateTime(iso, timeZone))
  return (
    <Stack gap={2} align="flex-start" data-status={status.kind}>
      <Badge variant="light" color={status.color} style={{ minWidth: 'max-content' }}>
        {status.label}
      </Badge>
      {status.detail && (
        <Text size="xs" c={status.kind === 'turned_off' ? 'red' : 'orange'} maw={260} style={{ wordBreak: 'break-word' }}>
          {status.kind === 'turned_off' ? `Turned off: ${status.detail}` : `Failing ${status.detail}`}
        </Text>
      )}
    </Stack>
  )
}

export function DeliveryStatusBadge({ delivery }: { delivery: Pick<Delivery, 'status' | 'attempts'> }) {
  const { label, color } = deliveryBadge(delivery)
  return (
    <Badge variant="light" color={color} data-status={delivery.status} style={{ minWidth: 'max-content' }}>
      {label}
    </Badge>
  )
}

/** An HTTP status code, green for 2xx and red otherwise; a dash when there was no answer. */
export function HttpStatus({ status }: { status: number | null | undefined }) {
  if (status === null || status === undefined) {
    return (
      <Text size="sm" c="dimmed" span>
        —
      </Text>
    )
  }
  return (
    <Badge variant="outline" color={httpStatusColor(status)} radius="sm" ff="monospace">
      {status}
    </Badge>
  )
}
