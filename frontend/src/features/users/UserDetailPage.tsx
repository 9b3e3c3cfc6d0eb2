import { Anchor, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { providerLabel } from '../../lib/identityProviders'
import { ApiError } from '../../lib/problem'
import { usePageTitle } from '../../lib/pageTitle'
import { useUser } from './api'
import { can, displayName, formatDateTime, type InstanceRef } from './model'
import { IdentitiesCard } from './IdentitiesCard'
import { StatusBadge } from './StatusBadge'
import { BlockButton, DeleteUser, EmailButtons, SignOutButton } from './UserActions'
import { UserActivityCard } from './UserActivityCard'
import { UserProfileSection } from './UserProfileSection'

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  )
}

export function UserDetailPage({ instance }: { instance: InstanceRef }) {
  const { id = '' } = useParams()
  const user = useUser(instance.slug, id)
  const editable = can.manageUsers(instance.role)
  usePageTitle(user.data ? displayName(user.data) : user.isError ? 'User not found' : 'User', 'Users', instance.name ?? instance.slug)
  const back = (
    <Anchor component={Link} to={`/i/${instance.slug}/users`} size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden /> Users
      </Group>
    </Anchor>
  )

  if (user.isPending) return <FullPageLoader label="Loading user" />
  if (user.isError) {
    if (user.error instanceof ApiError && user.error.status === 404) {
      return (
        <Stack align="flex-start">
          {back}
          <Title order={1} fz="h2">
            User not found
          </Title>
          <Text c="dimmed">They may have been deleted.</Text>
          <Button component={Link} to={`/i/${instance.slug}/users`}>
            Back to users
          </Button>
        </Stack>
      )
    }
    return <ErrorAlert error={user.error} title="Could not load the user" onRetry={() => user.refetch()} />
  }

  const u = user.data
  const name = displayName(u)
  return (
    <Stack gap="lg" maw={900}>
      <div>
        {back}
        <Group justify="space-between" align="flex-start" mt="xs" wrap="wrap">
          <div>
            <Group gap="sm" align="center">
              <Title order={1} fz="h2" style={{ wordBreak: 'break-word' }}>
                {name}
              </Title>
              <StatusBadge status={u.status} size="lg" />
            </Group>
            {u.email ? (
              name !== u.email && (
                <Text c="dimmed" size="sm">
                  {u.email}
                </Text>
              )
            ) : (
              <Text c="dimmed" size="sm">
                No email address
              </Text>
            )}
            <Group gap={6} mt={6} wrap="wrap">
              {u.provider === 'guest' && (
                <Badge variant="light" color="grape">
                  Guest
                </Badge>
              )}
              {u.email && (
                <Badge variant="outline" color={u.email_verified ? 'teal' : 'gray'}>
                  {u.email_verified ? 'Email verified' : 'Email not verified'}
                </Badge>
              )}
              {u.provider !== 'guest' && (
                <Badge variant="outline" color="gray">
                  {providerLabel(u.provider)} sign-in
                </Badge>
              )}
              {!u.has_password && u.provider === 'password' && (
                <Badge variant="outline" color="yellow">
                  No password set
                </Badge>
              )}
            </Group>
          </div>
          {editable && <BlockButton slug={instance.slug} user={u} />}
        </Group>
        {editable && (
          <Group gap="xs" mt="md" wrap="wrap">
            {u.email && <EmailButtons slug={instance.slug} user={u} />}
            <SignOutButton slug={instance.slug} user={u} />
          </Group>
        )}
      </div>

      <Paper withBorder radius="md" p="lg" component="section" aria-label="User facts">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
          <Fact label="Created">{formatDateTime(u.created_at, instance.timeZone)}</Fact>
          <Fact label="Updated">{formatDateTime(u.updated_at, instance.timeZone)}</Fact>
          <Fact label="Last sign-in">{u.last_login_at ? formatDateTime(u.last_login_at, instance.timeZone) : 'Never'}</Fact>
          <Fact label="User id">
            <Group gap={2} wrap="nowrap">
              <Code style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{u.id}</Code>
              <CopyIconButton value={u.id} label="Copy user id" size="sm" />
            </Group>
          </Fact>
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="sm">
          Times in {instance.timeZone}.
        </Text>
      </Paper>

      <IdentitiesCard slug={instance.slug} user={u} timeZone={instance.timeZone} editable={editable} />
      <UserActivityCard slug={instance.slug} userId={u.id} timeZone={instance.timeZone} />
      <UserProfileSection key={u.id} slug={instance.slug} user={u} editable={editable} />
      {editable && <DeleteUser slug={instance.slug} user={u} />}
    </Stack>
  )
}
