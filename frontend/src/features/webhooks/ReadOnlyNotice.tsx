import { Alert, Text } from '@mantine/core'
import { IconLock } from '@tabler/icons-react'
import type { Role } from './model'

/** Why a developer or viewer sees no buttons: only admins and owners change webhooks. */
export function ReadOnlyNotice({ role, children }: { role: Role; children?: string }) {
  return (
    <Alert color="blue" variant="light" icon={<IconLock size={18} aria-hidden />} p="sm" data-testid="read-only-notice">
      <Text size="sm">
        {children ?? 'Only admins and owners can add, change or test webhooks'}; you are a {role}. You can read the
        endpoints and their deliveries.
      </Text>
    </Alert>
  )
}
