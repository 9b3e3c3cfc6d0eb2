import { ActionIcon, Badge, Button, Divider, Group, Modal, Paper, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useMe } from '../../lib/account'
import { formatDateTime } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useMembers, useRemoveMember, useUpdateMember } from './api'
import { InviteMemberForm, PendingInvitations } from './InvitationsList'
import { RoleSelect } from './RoleSelect'
import { can, ROLE_COLORS, ROLE_LABELS, type Instance, type Member, type Role } from './roles'

function MemberRow({
  instance,
  member,
  isSelf,
  isLastOwner,
  onRemove,
}: {
  instance: Instance
  member: Member
  isSelf: boolean
  isLastOwner: boolean
  onRemove: (m: Member) => void
}) {
  const update = useUpdateMember(instance.slug)
  // The last owner can be neither demoted nor removed (the server answers 409 last_owner).
  const manageable = can.manageMember(instance.role, member.role) && !isLastOwner
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={500} size="sm">
          {member.name}
          {isSelf && (
            <Text span c="dimmed" size="sm">
              {' '}
              (you)
            </Text>
          )}
        </Text>
        <Text c="dimmed" size="xs">
          {member.email}
        </Text>
      </Table.Td>
      <Table.Td>
        {manageable ? (
          <RoleSelect
            aria-label={`Role of ${member.email}`}
            size="xs"
            w={140}
            roles={can.grantable(instance.role)}
            value={member.role}
            disabled={update.isPending}
            rightSection={update.isPending ? <span aria-hidden>…</span> : undefined}
            onChange={(value) => {
              if (!value || value === member.role) return
              update.mutate(
                { accountId: member.account_id, role: value as Role },
                {
                  onSuccess: () => notifySuccess(`${member.email} is now ${ROLE_LABELS[value as Role].toLowerCase()}`),
                  onError: (error) => notifyError(error, 'Could not change the role'),
                },
              )
            }}
          />
        ) : (
          <Badge color={ROLE_COLORS[member.role]} variant="light">
            {ROLE_LABELS[member.role]}
          </Badge>
        )}
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <Text size="sm" c="dimmed">
          {formatDateTime(member.added_at, instance.time_zone)}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        {manageable && (
          <Tooltip label={isSelf ? 'Leave this instance' : 'Remove member'}>
            <ActionIcon variant="subtle" color="red" aria-label={`Remove ${member.email}`} onClick={() => onRemove(member)}>
              <IconTrash size={18} aria-hidden />
            </ActionIcon>
          </Tooltip>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

export function MembersSection({ instance }: { instance: Instance }) {
  const members = useMembers(instance.slug)
  const me = useMe()
  const remove = useRemoveMember(instance.slug)
  const [removing, setRemoving] = useState<Member | null>(null)
  const manage = can.manageMembers(instance.role)
  const items = members.data?.pages.flatMap((p) => p.items) ?? []
  const total = members.data?.pages[0]?.total
  // Every page loaded: only then is "the only owner" known (the server refuses with 409 anyway).
  const ownerCount = items.filter((m) => m.role === 'owner').length
  const allLoaded = members.data !== undefined && !members.hasNextPage

  const confirmRemove = () => {
    if (!removing) return
    remove.mutate(removing.account_id, {
      onSuccess: () => {
        notifySuccess(`${removing.email} removed`)
        setRemoving(null)
      },
      onError: (error) => {
        notifyError(error, 'Could not remove the member')
        setRemoving(null)
      },
    })
  }

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="members-heading">
      <Group justify="space-between" mb="md">
        <div>
          <Title order={2} fz="h4" id="members-heading">
            Members
          </Title>
          <Text c="dimmed" size="sm">
            Console accounts with access to this instance{total !== undefined ? ` (${total})` : ''}.
          </Text>
        </div>
      </Group>
      <Stack>
        {manage && (
          <>
            <InviteMemberForm instance={instance} />
            <PendingInvitations instance={instance} />
            <Divider />
          </>
        )}
        {members.isError ? (
          <ErrorAlert error={members.error} title="Could not load members" onRetry={() => members.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Member</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th visibleFrom="sm">Added</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={4}>
                      <Text c="dimmed" size="sm">
                        Loading members…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((m) => (
                  <MemberRow
                    key={m.account_id}
                    instance={instance}
                    member={m}
                    isSelf={m.account_id === me.data?.id}
                    isLastOwner={m.role === 'owner' && ownerCount === 1 && allLoaded}
                    onRemove={setRemoving}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {members.hasNextPage && (
          <Group>
            <Button variant="default" size="xs" loading={members.isFetchingNextPage} onClick={() => members.fetchNextPage()}>
              Load more
            </Button>
            <Text size="sm" c="dimmed">
              Showing {items.length} of {total}
            </Text>
          </Group>
        )}
      </Stack>
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title="Remove member" centered>
        <Stack>
          <Text size="sm">
            Remove <b>{removing?.email}</b> from <b>{instance.name}</b>? They lose access to this instance at once.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={confirmRemove}>
              Remove
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  )
}
