import { ActionIcon, Badge, Button, Group, Stack, Table, Text, TextInput, Title, Tooltip, VisuallyHidden } from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconMailForward, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { formatDateTime } from '../../lib/datetime'
import { applyApiError, notifyError, notifySuccess } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { useLeaveGuard } from '../../lib/useLeaveGuard'
import { validateEmail } from '../../lib/validation'
import { useInvitations, useInviteMember, useResendInvitation, useRevokeInvitation } from './api'
import { RoleSelect } from './RoleSelect'
import { can, ROLE_COLORS, ROLE_DESCRIPTIONS, ROLE_LABELS, type Instance, type Invitation, type Role } from './roles'

/** Conflicts that are about the address typed: shown beside the email field. */
const EMAIL_CONFLICTS = new Set(['already_member', 'invitation_pending'])

export function InviteMemberForm({ instance }: { instance: Instance }) {
  const invite = useInviteMember(instance.slug)
  const grantable = can.grantable(instance.role)
  const form = useForm({
    initialValues: { email: '', role: 'developer' as Role },
    validate: { email: validateEmail },
  })
  const role = form.getValues().role
  const typed = form.getValues().email.trim()
  const leaveGuard = useLeaveGuard(typed !== '' && !invite.isPending, `The invitation to ${typed} is not sent yet; it will be lost.`)

  const submit = form.onSubmit((values) => {
    invite.mutate(
      { email: values.email.trim(), role: values.role },
      {
        onSuccess: (invitation) => {
          form.setFieldValue('email', '')
          notifySuccess(`Invitation sent to ${invitation.email} as ${ROLE_LABELS[invitation.role].toLowerCase()}`)
        },
        onError: (error) => {
          if (error instanceof ApiError && EMAIL_CONFLICTS.has(error.code)) {
            form.setFieldError('email', error.problem.detail || error.problem.title)
            return
          }
          applyApiError(form, error, { title: 'Could not send the invitation' })
        },
      },
    )
  })

  return (
    <form onSubmit={submit} noValidate aria-label="Invite a member">
      {leaveGuard}
      <Stack gap={6}>
        <Group align="flex-start" wrap="wrap" gap="sm">
          <TextInput
            label="Email address"
            description="They get a link to join; it works for 7 days."
            placeholder="colleague@example.com"
            type="email"
            style={{ flex: '1 1 240px' }}
            {...form.getInputProps('email')}
          />
          <RoleSelect
            label="Role"
            description={ROLE_DESCRIPTIONS[role]}
            roles={grantable}
            style={{ flex: '1 1 220px' }}
            {...form.getInputProps('role')}
          />
        </Group>
        <Group>
          <Button type="submit" loading={invite.isPending} leftSection={<IconMailForward size={16} aria-hidden />}>
            Invite member
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

function InvitationRow({ instance, invitation, onRevoke }: { instance: Instance; invitation: Invitation; onRevoke: (i: Invitation) => void }) {
  const resend = useResendInvitation(instance.slug)
  const manageable = can.manageMember(instance.role, invitation.role)
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {invitation.email}
        </Text>
        <Text size="xs" c="dimmed">
          {invitation.invited_by_email ? `Invited by ${invitation.invited_by_email}` : 'Invited by a former member'}
          {' · '}
          {invitation.last_sent_at ? `sent ${formatDateTime(invitation.last_sent_at, instance.time_zone)}` : 'not sent yet'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={ROLE_COLORS[invitation.role]} variant="light">
          {ROLE_LABELS[invitation.role]}
        </Badge>
      </Table.Td>
      <Table.Td>
        {invitation.expired ? (
          <Badge color="red" variant="light">
            Expired
          </Badge>
        ) : (
          <Text size="sm" c="dimmed">
            {formatDateTime(invitation.expires_at, instance.time_zone)}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        {manageable && (
          <Group gap={4} justify="flex-end" wrap="nowrap">
            <Button
              size="compact-sm"
              variant={invitation.expired ? 'light' : 'subtle'}
              loading={resend.isPending}
              aria-label={`Resend the invitation to ${invitation.email}`}
              onClick={() =>
                resend.mutate(invitation.id, {
                  onSuccess: (sent) =>
                    notifySuccess(`Invitation sent again to ${sent.email}. It works for 7 days; the previous link no longer does.`),
                  onError: (error) => notifyError(error, 'Could not resend the invitation'),
                })
              }
            >
              Resend
            </Button>
            <Tooltip label="Revoke invitation">
              <ActionIcon variant="subtle" color="red" aria-label={`Revoke the invitation to ${invitation.email}`} onClick={() => onRevoke(invitation)}>
                <IconTrash size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

/** The invitations not accepted yet: pending, or expired (resend gives 7 more days). */
export function PendingInvitations({ instance }: { instance: Instance }) {
  const invitations = useInvitations(instance.slug)
  const revoke = useRevokeInvitation(instance.slug)
  const [revoking, setRevoking] = useState<Invitation | null>(null)
  const items = invitations.data?.pages.flatMap((p) => p.items) ?? []
  const total = invitations.data?.pages[0]?.total

  const confirmRevoke = () => {
    if (!revoking) return
    revoke.mutate(revoking.id, {
      onSuccess: () => {
        notifySuccess(`Invitation to ${revoking.email} revoked`)
        setRevoking(null)
      },
      onError: (error) => {
        notifyError(error, 'Could not revoke the invitation')
        setRevoking(null)
      },
    })
  }

  return (
    <Stack gap="xs" component="section" aria-labelledby="invitations-heading">
      <Title order={3} fz="h5" id="invitations-heading">
        Pending invitations{total !== undefined ? ` (${total})` : ''}
      </Title>
      {invitations.isError ? (
        <ErrorAlert error={invitations.error} title="Could not load the invitations" onRetry={() => invitations.refetch()} />
      ) : invitations.isPending ? (
        <Text c="dimmed" size="sm">
          Loading invitations…
        </Text>
      ) : items.length === 0 ? (
        <Text c="dimmed" size="sm">
          No pending invitations.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table verticalSpacing="xs" aria-label="Pending invitations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <InvitationRow key={i.id} instance={instance} invitation={i} onRevoke={setRevoking} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {invitations.hasNextPage && (
        <Group>
          <Button variant="default" size="xs" loading={invitations.isFetchingNextPage} onClick={() => invitations.fetchNextPage()}>
            Load more
          </Button>
        </Group>
      )}
      <ConfirmModal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title="Revoke invitation"
        confirmLabel="Revoke"
        onConfirm={confirmRevoke}
        pending={revoke.isPending}
      >
        The link sent to <b>{revoking?.email}</b> stops working at once. You can invite the address again later.
      </ConfirmModal>
    </Stack>
  )
}
