import { Badge, Tooltip } from '@mantine/core'
import { attemptOutcome, deliveredVia, statusBadge } from './model'

export function StatusBadge({ status }: { status: string }) {
  const { label, color } = statusBadge(status)
  return (
    <Badge variant="light" color={color} data-status={status} style={{ minWidth: 'max-content' }}>
      {label}
    </Badge>
  )
}

/** The transport that took an email (or tried an attempt), with a sentence for people on focus or hover. */
export function ViaBadge({ via }: { via: string | null | undefined }) {
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

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const { label, color } = attemptOutcome(outcome)
  return (
    <Badge variant="light" size="sm" color={color} data-outcome={outcome} style={{ minWidth: 'max-content' }}>
      {label}
    </Badge>
  )
}
