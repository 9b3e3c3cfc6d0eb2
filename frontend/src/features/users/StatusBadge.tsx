import { Badge } from '@mantine/core'
import { STATUS_COLORS, STATUS_LABELS, type UserStatus } from './model'

export function StatusBadge({ status, size }: { status: UserStatus; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[status] ?? 'gray'} size={size} data-status={status} style={{ minWidth: 'max-content' }}>
      {STATUS_LABELS[status] ?? status}
    </Badge>
  )
}
