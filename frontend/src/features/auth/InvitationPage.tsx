/**
 * `/invitations/accept?token=…`, behind the link of an invitation email. Public: it shows what the
 * invitation is for to anyone holding the link; accepting needs the invited, verified account,
 * and every other situation says what to do (sign in, create the account, verify, switch).
 */
import { Alert, Anchor, Badge, Button, Center, Group, Loader, Stack, Text } from '@mantine/core'
import { IconMailCheck, IconUserPlus } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { AuthCard } from '../../components/AuthCard'
import { ResendVerificationButton } from '../../components/VerifyEmailBanner'
import { sameAddress, useMe } from '../../lib/account'
import { formatDateTime } from '../../lib/datetime'
import { authLink } from '../../lib/next'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError, errorMessage } from '../../lib/problem'
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../lib/roles'
import { useSession } from '../../lib/useSession'
import { useAcceptInvitation, useInvitationLookup, useLogout, type Invitation } from './api'

function Waiting({ label }: { label: string }) {
  return (
    <Center py="md">
      <Loader size="sm" aria-label={label} />
    </Center>
  )
}

/** The invitation's time ran out while its page was open (the lookup refuses an expired one). */
function hasExpired(invitation: Invitation): boolean {
  return Date.parse(invitation.expires_at) <= Date.now()
}

/** Only an instance's admins can send an invitation again: say who to ask. */
function askToResend(invitedBy?: string | null): string {
  return invitedBy ? `ask ${invitedBy}, who invited you, to resend it` : 'ask the person who invited you to resend it'
}

function Summary({ invitation }: { invitation: Invitation }) {
  return (
    <Stack gap="xs">
      <Text>
        {invitation.invited_by ? <b>{invitation.invited_by}</b> : 'A member'} invited <b>{invitation.email}</b> to join{' '}
        <b>{invitation.instance_name}</b> as:
      </Text>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge variant="light" style={{ flexShrink: 0 }}>
          {ROLE_LABELS[invitation.role]}
        </Badge>
        <Text size="sm" c="dimmed">
          {ROLE_DESCRIPTIONS[invitation.role]}
        </Text>
      </Group>
      <Text size="sm" c="dimmed">
        The invitation {hasExpired(invitation) ? 'expired' : 'expires'} {formatDateTime(invitation.expires_at)}.
      </Text>
    </Stack>
  )
}

/** What the signed-in visitor can do with the invitation. */
function SignedIn({ invitation, token, here }: { invitation: Invitation; token: string; here: string }) {
  const me = useMe()
  const accept = useAcceptInvitation()
  const logout = useLogout()
  const navigate = useNavigate()
  const [refusal, setRefusal] = useState<ApiError | Error | null>(null)

  if (me.isPending) return <Waiting label="Loading your account" />
  if (me.isError) return <Alert color="red" role="alert">{errorMessage(me.error)}</Alert>
  const account = me.data
  const switchAccount = (
    <Button variant="default" loading={logout.isPending} onClick={() =>
        // Not mutate's callbacks: signing out re-renders this page as signed out, unmounting this part.
        void logout.mutateAsync().finally(() => navigate(authLink('/login', here, invitation.email)))
      }>
      Sign out and use {invitation.email}
    </Button>
  )

  const code = refusal instanceof ApiError ? refusal.code : null
  if (code === 'already_member') {
    return (
      <Stack>
        <Alert color="blue" role="status">
          You are already a member of {invitation.instance_name}.
        </Alert>
        <Button component={Link} to={`/i/${invitation.instance_slug}`}>
          Open {invitation.instance_name}
        </Button>
      </Stack>
    )
  }
  if (code === 'invalid_token') return <Unusable invitedBy={invitation.invited_by} />

  if (!sameAddress(account.email, invitation.email) || code === 'invitation_for_another_address') {
    return (
      <Stack>
        <Alert color="orange" role="alert" title="This invitation is for another address">
          You are signed in as <b>{account.email}</b>, but the invitation was sent to <b>{invitation.email}</b>. Only the
          account with that address can accept it. Sign in with it (or create it), or ask for an invitation to{' '}
          {account.email}.
        </Alert>
        {switchAccount}
      </Stack>
    )
  }

  if (!account.email_verified || code === 'email_not_verified') {
    return (
      <Stack>
        <Alert color="yellow" role="alert" title="Verify your email address first" icon={<IconMailCheck size={18} aria-hidden />}>
          Only a verified address can accept an invitation. Open the link we sent to {account.email}, then come back to
          this page.
        </Alert>
        <Group align="flex-start">
          <ResendVerificationButton email={account.email} label="Resend verification email" size="sm" />
          <Button size="sm" variant="subtle" loading={me.isFetching} onClick={() => { setRefusal(null); void me.refetch() }}>
            I have verified it
          </Button>
        </Group>
      </Stack>
    )
  }

  return (
    <Stack>
      {refusal && (
        <Alert color="red" role="alert">
          {errorMessage(refusal)}
        </Alert>
      )}
      <Text size="sm">
        Signed in as <b>{account.email}</b>.
      </Text>
      <Button
        leftSection={<IconUserPlus size={18} aria-hidden />}
        loading={accept.isPending}
        onClick={() => {
          setRefusal(null)
          accept.mutate(token, {
            onSuccess: (instance) => navigate(`/i/${instance.slug}`, { replace: true }),
            onError: (error) => {
              setRefusal(error)
              // The account may have changed elsewhere (verified, or its address changed).
              if (error instanceof ApiError && error.status === 403) void me.refetch()
            },
          })
        }}
      >
        Accept and join {invitation.instance_name}
      </Button>
    </Stack>
  )
}

function Unusable({ invitedBy }: { invitedBy?: string | null }) {
  return (
    <Alert color="red" role="alert" title="This invitation cannot be used">
      The link is invalid or has expired, or the invitation was already accepted or withdrawn. Only an admin of the
      instance can send a new invitation: {askToResend(invitedBy)}.
    </Alert>
  )
}

function Expired({ invitation }: { invitation: Invitation }) {
  return (
    <Alert color="red" role="alert" title="This invitation has expired">
      It stopped working on {formatDateTime(invitation.expires_at)}. Only an admin of {invitation.instance_name} can send
      a new one: {askToResend(invitation.invited_by)}.
    </Alert>
  )
}

/** The card, with the way back to the console under whatever the page shows. */
function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <AuthCard title={title}>
      <Stack>
        {children}
        <Anchor component={Link} to="/" size="sm" ta="center">
          Go to the console
        </Anchor>
      </Stack>
    </AuthCard>
  )
}

export function InvitationPage() {
  const [params] = useSearchParams()
  const location = useLocation()
  const token = params.get('token') ?? ''
  const lookup = useInvitationLookup(token)
  const { status } = useSession()
  usePageTitle(lookup.data ? `Join ${lookup.data.instance_name}` : 'Invitation')
  const here = location.pathname + location.search

  if (!token) {
    return (
      <Frame title="Invitation">
        <Alert color="red" role="alert">
          This link is incomplete. Open the link from the invitation email again.
        </Alert>
      </Frame>
    )
  }
  if (lookup.isPending) {
    return (
      <Frame title="Invitation">
        <Waiting label="Loading the invitation" />
      </Frame>
    )
  }
  if (lookup.isError) {
    return (
      <Frame title="Invitation">
        {lookup.error instanceof ApiError && lookup.error.code === 'invalid_token' ? (
          <Unusable />
        ) : (
          <Alert color="red" role="alert">
            {errorMessage(lookup.error)}
          </Alert>
        )}
      </Frame>
    )
  }

  const invitation = lookup.data
  return (
    <Frame title={`Join ${invitation.instance_name}`}>
      <Stack gap="lg">
        <Summary invitation={invitation} />
        {hasExpired(invitation) ? (
          <Expired invitation={invitation} />
        ) : status === 'restoring' ? (
          <Waiting label="Checking your session" />
        ) : status === 'anonymous' ? (
          <Stack>
            <Text size="sm">
              Log in as <b>{invitation.email}</b> to accept. No account with that address yet? Create one; it takes a
              minute.
            </Text>
            <Button component={Link} to={authLink('/login', here, invitation.email)}>
              Log in to accept
            </Button>
            <Button component={Link} to={authLink('/signup', here, invitation.email)} variant="default">
              Create an account
            </Button>
          </Stack>
        ) : (
          <SignedIn invitation={invitation} token={token} here={here} />
        )}
      </Stack>
    </Frame>
  )
}
