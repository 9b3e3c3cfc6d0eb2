import { Badge, Group } from '@mantine/core'
import { isWrite, type ManagementScope } from './model'

/** A client's scopes as badges: reads in blue, writes in orange. */
export function ScopeBadges({ scopes, label = 'Scopes' }: { scopes: ManagementScope[]; label?: string }) {
  return (
    <Group gap={4} wrap="wrap" role="list" aria-label={label}>
      {scopes.map((scope) => (
        <Badge key={scope} role="listitem" variant="light" color={isWrite(scope) ? 'orange' : 'blue'} tt="none" ff="monospace" fw={500} radius="sm">
          {scope}
        </Badge>
      ))}
    </Group>
  )
}
