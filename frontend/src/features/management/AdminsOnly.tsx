import { Alert, Anchor, Stack, Text, Title } from '@mantine/core'
import { IconLock } from '@tabler/icons-react'
import { Link } from 'react-router'
import type { Role } from './model'

/** What a developer or viewer sees on a management-client page: who may, and where to go instead. */
export function AdminsOnly({ slug, role }: { slug: string; role: Role }) {
  return (
    <Stack gap="lg" maw={900}>
      <div>
        <Anchor component={Link} to={`/i/${slug}/settings`} size="sm">
          ← Settings
        </Anchor>
        <Title order={1} fz="h2">
          Management clients
        </Title>
      </div>
      <Alert color="blue" icon={<IconLock size={18} aria-hidden />} title="Needs an admin">
        <Text size="sm">
          Management clients are for admins and owners of the instance; you are a {role}. Ask an admin or an owner to create
          one for you, or to make you an admin.
        </Text>
      </Alert>
    </Stack>
  )
}
