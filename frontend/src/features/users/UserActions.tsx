import { Alert, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconKey, IconLock, IconLockOpen, IconLogout, IconMail, IconMailForward } from '@tabler/icons-react'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { ConfirmModal } from '../../components/ConfirmModal'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage } from '../../lib/problem'
import { LEAVE_WITHOUT_ASKING } from '../../lib/useUnsavedChangesGuard'
import { useDeleteUser, useSendInvitation, useSendPasswordReset, useSendVerification, useSetBlocked, useSignOutUser } from './api'
import { displayName, endUserAddress, type User } from './model'

/** Block or unblock, after a confirmation. */
export function BlockButton({ slug, user }: { slug: string; user: User }) {
  const [opened, { open, close }] = useDisclosure(false)
  const setBlocked = useSetBlocked(slug, user.id)
  const blocking = !user.blocked
  const who = displayName(user)

  const confirm = () =>
    setBlocked.mutate(blocking, {
      onSuccess: () => {
        notifySuccess(blocking ? `${who} is blocked` : `${who} is unblocked`)
        close()
      },
      onError: (error) => {
        notifyError(error, blocking ? 'Could not block the user' : 'Could not unblock the user')
        close()
      },
    })

  return (
    <>
      <Button
        variant={blocking ? 'outline' : 'light'}
        color={blocking ? 'red' : 'teal'}
        leftSection={blocking ? <IconLock size={16} aria-hidden /> : <IconLockOpen size={16} aria-hidden />}
        onClick={open}
      >
        {blocking ? 'Block user' : 'Unblock user'}
      </Button>
      <ConfirmModal
        opened={opened}
        onClose={close}
        title={blocking ? 'Block user' : 'Unblock user'}
        confirmLabel={blocking ? 'Block' : 'Unblock'}
        confirmColor={blocking ? 'red' : 'teal'}
        onConfirm={confirm}
        pending={setBlocked.isPending}
      >
        {blocking ? (
          <>
            Block <b>{endUserAddress(user)}</b>? The public API refuses them, and their sessions and tokens stop working at once.
          </>
        ) : (
          <>
            Unblock <b>{endUserAddress(user)}</b>? They can sign in again.
          </>
        )}
      </ConfirmModal>
    </>
  )
}

export function DeleteUser({ slug, user }: { slug: string; user: User }) {
  const [opened, { open, close }] = useDisclosure(false)
  const remove = useDeleteUser(slug, user.id)
  const navigate = useNavigate()

  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`User ${endUserAddress(user)} deleted`)
        navigate(`/i/${slug}/users`, { replace: true, state: LEAVE_WITHOUT_ASKING })
      },
      onError: (error) => {
        notifyError(error, 'Could not delete the user')
        close()
      },
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="user-danger-heading" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} fz="h4" c="red" id="user-danger-heading">
        Danger zone
      </Title>
      <Group justify="space-between" mt="sm" wrap="wrap">
        <div>
          <Text fw={500}>Delete this user</Text>
          <Text c="dimmed" size="sm">
            Their account, sessions and tokens are removed at once. This cannot be undone.
          </Text>
        </div>
        <Button color="red" variant="outline" onClick={open}>
          Delete user
        </Button>
      </Group>
      <ConfirmModal opened={opened} onClose={close} title="Delete user" confirmLabel="Delete permanently" onConfirm={confirm} pending={remove.isPending}>
        Delete <b>{endUserAddress(user)}</b> permanently? They will no longer be able to sign in.
      </ConfirmModal>
    </Paper>
  )
}

const QUEUED = 'Queued — see Emails'

/**
 * "Resend invitation" (only while the user has no password: a new link, valid 7 days, to choose
 * one), "Send verification email" (only while the email is unverified) and "Send password reset".
 */
export function EmailButtons({ slug, user }: { slug: string; user: User }) {
  const verification = useSendVerification(slug, user.id)
  const reset = useSendPasswordReset(slug, user.id)
  const invitation = useSendInvitation(slug, user.id)
  // The server's answer when the user has set a password meanwhile.
  const [hasPassword, setHasPassword] = useState<string | null>(null)
  const busy = verification.isPending || reset.isPending || invitation.isPending
  const sendReset = () =>
    reset.mutate(undefined, {
      onSuccess: () => {
        setHasPassword(null)
        notifySuccess(QUEUED)
      },
      onError: (error) => notifyError(error, 'Could not send the password reset'),
    })
  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="wrap">
        {!user.has_password && user.provider === 'password' && (
          <Button
            variant="default"
            leftSection={<IconMailForward size={16} aria-hidden />}
            loading={invitation.isPending}
            disabled={busy && !invitation.isPending}
            onClick={() => {
              setHasPassword(null)
              invitation.mutate(undefined, {
                onSuccess: () => notifySuccess(`Invitation queued: ${endUserAddress(user)} gets a link to choose a password, valid for 7 days — see Emails`),
                onError: (error) => {
                  if (error instanceof ApiError && error.code === 'user_has_password') setHasPassword(errorMessage(error))
                  else notifyError(error, 'Could not send the invitation')
                },
              })
            }}
          >
            Resend invitation
          </Button>
        )}
        {!user.email_verified && (
          <Button
            variant="default"
            leftSection={<IconMail size={16} aria-hidden />}
            loading={verification.isPending}
            disabled={busy && !verification.isPending}
            onClick={() =>
              verification.mutate(undefined, {
                onSuccess: () => notifySuccess(QUEUED),
                onError: (error) => notifyError(error, 'Could not send the verification email'),
              })
            }
          >
            Send verification email
          </Button>
        )}
        <Button
          variant="default"
          leftSection={<IconKey size={16} aria-hidden />}
          loading={reset.isPending}
          disabled={busy && !reset.isPending}
          onClick={sendReset}
        >
          Send password reset
        </Button>
      </Group>
      {hasPassword && (
        <Alert color="yellow" title="No invitation sent" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => setHasPassword(null)}>
          <Text size="sm">{hasPassword}</Text>
          <Text size="sm" mt={4}>
            To let them choose a new password, send a password reset instead.
          </Text>
          <Button size="xs" variant="light" color="yellow" mt="xs" leftSection={<IconKey size={14} aria-hidden />} loading={reset.isPending} onClick={sendReset}>
            Send a password reset
          </Button>
        </Alert>
      )}
    </Stack>
  )
}

/** "Sign out everywhere", after a confirmation. */
export function SignOutButton({ slug, user }: { slug: string; user: User }) {
  const [opened, { open, close }] = useDisclosure(false)
  const signOut = useSignOutUser(slug, user.id)

  const confirm = () =>
    signOut.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(`${displayName(user)} is signed out everywhere`)
        close()
      },
      onError: (error) => {
        notifyError(error, 'Could not sign the user out')
        close()
      },
    })

  return (
    <>
      <Button variant="outline" color="orange" leftSection={<IconLogout size={16} aria-hidden />} onClick={open}>
        Sign out everywhere
      </Button>
      <Modal opened={opened} onClose={() => !signOut.isPending && close()} title="Sign out everywhere" centered>
        <Stack>
          <Text size="sm">
            Sign <b>{endUserAddress(user)}</b> out everywhere? Every session and token ends now; they can sign in again.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={signOut.isPending}>
              Cancel
            </Button>
            <Button color="orange" onClick={confirm} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
