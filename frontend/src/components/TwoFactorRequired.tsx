import { Alert, Button, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { IconShieldLock } from '@tabler/icons-react'
import { Link } from 'react-router'
import { SECURITY_PATH } from '../lib/account'

/**
 * Shown instead of an instance's pages (or in place of an error) when the instance requires
 * two-factor sign-in: what happened and the one step that fixes it.
 */
export function TwoFactorRequired({ instanceName, compact = false }: { instanceName?: string; compact?: boolean }) {
  const what = instanceName ? `${instanceName} requires` : 'This instance requires'
  if (compact) {
    return (
      <Alert color="orange" title="Two-factor sign-in required" role="alert" icon={<IconShieldLock size={18} aria-hidden />}>
        {what} two-factor sign-in for every member. Set it up in{' '}
        <Text component={Link} to={SECURITY_PATH} inherit td="underline">
          Profile → Security
        </Text>
        , then come back.
      </Alert>
    )
  }
  return (
    <Paper withBorder radius="md" p="xl" maw={640} role="alert" aria-labelledby="two-factor-required-heading">
      <Stack gap="md" align="flex-start">
        <ThemeIcon size={48} radius="xl" color="orange" variant="light" aria-hidden>
          <IconShieldLock size={28} />
        </ThemeIcon>
        <Title order={1} fz="h3" id="two-factor-required-heading">
          {what} two-factor sign-in
        </Title>
        <Text>
          Its owners ask every member to sign in with a code from an authenticator app as well as a password. Set up
          two-factor sign-in in Profile → Security; it takes a minute. Then this instance opens as usual.
        </Text>
        <Group>
          <Button component={Link} to={SECURITY_PATH} leftSection={<IconShieldLock size={16} aria-hidden />}>
            Set up two-factor sign-in
          </Button>
          <Button component={Link} to="/" variant="default">
            Go to my instances
          </Button>
        </Group>
      </Stack>
    </Paper>
  )
}
