import { Alert, Text } from '@mantine/core'
import { IconLock } from '@tabler/icons-react'
import { ROLE_LABELS } from '../../lib/roles'
import type { InstanceRef } from './model'

/** Why a developer or viewer sees no buttons to change anything. */
export function ReadOnlyNotice({ instance }: { instance: InstanceRef }) {
  return (
    <Alert color="blue" variant="light" icon={<IconLock size={18} aria-hidden />} p="sm" data-testid="read-only-notice">
      <Text size="sm">
        Only admins and owners can change the configuration; you are a {ROLE_LABELS[instance.role].toLowerCase()}. You can read every entry, its history and
        the backups, and export it.
      </Text>
    </Alert>
  )
}
