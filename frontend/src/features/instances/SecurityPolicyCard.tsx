import { Alert, Anchor, Paper, Stack, Switch, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { Link } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SECURITY_PATH } from '../../lib/account'
import { notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage } from '../../lib/problem'
import { useSecurityPolicy, useUpdateSecurityPolicy } from './api'
import { can, type Instance } from './roles'

/** The instance's security policy: whether every member must sign in with a second factor. */
export function SecurityPolicyCard({ instance }: { instance: Instance }) {
  const policy = useSecurityPolicy(instance.slug)
  const update = useUpdateSecurityPolicy(instance.slug)
  const editable = can.editSecurityPolicy(instance.role)
  const [refusal, setRefusal] = useState<unknown>(null)
  const required = policy.data?.require_two_factor ?? instance.require_two_factor

  const toggle = (value: boolean) => {
    setRefusal(null)
    update.mutate(
      { require_two_factor: value },
      {
        onSuccess: (saved) =>
          notifySuccess(saved.require_two_factor ? 'Every member now needs two-factor sign-in' : 'Two-factor sign-in is no longer required'),
        onError: setRefusal,
      },
    )
  }
  const forYou = refusal instanceof ApiError && refusal.code === 'two_factor_required_for_you'

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="security-policy-heading">
      <Title order={2} fz="h4" id="security-policy-heading" mb={4}>
        Security
      </Title>
      <Stack gap="sm">
        {policy.isError ? (
          <ErrorAlert error={policy.error} title="Could not load the security policy" onRetry={() => policy.refetch()} />
        ) : (
          <Switch
            label="Require two-factor sign-in for every member"
            description={
              editable
                ? 'Members without it can still sign in to the console, but this instance refuses them until they set it up.'
                : 'Only owners can change this.'
            }
            checked={required}
            disabled={!editable || policy.isPending || update.isPending}
            onChange={(event) => toggle(event.currentTarget.checked)}
          />
        )}
        {refusal !== null &&
          (forYou ? (
            <Alert color="orange" role="alert" title="Turn on two-factor sign-in for yourself first">
              You would lock yourself out: your account does not use two-factor sign-in yet. Set it up in{' '}
              <Anchor component={Link} to={SECURITY_PATH} inherit>
                Profile → Security
              </Anchor>
              , then come back and require it of everyone.
            </Alert>
          ) : (
            <Alert color="red" role="alert">
              {errorMessage(refusal)}
            </Alert>
          ))}
        {!editable && !required && (
          <Text size="sm" c="dimmed">
            Two-factor sign-in is optional here; you can still turn it on for your account in Profile → Security.
          </Text>
        )}
      </Stack>
    </Paper>
  )
}
