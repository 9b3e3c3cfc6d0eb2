import { Badge, Button, Group, Paper, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconDeviceDesktop, IconDeviceMobile } from '@tabler/icons-react'
import { useState } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { formatDateTime } from '../../lib/datetime'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { useRevokeOtherSessions, useRevokeSession, useSessions, type SessionInfo } from './api'
import { describeUserAgent } from './userAgent'

/** The device column: a short name, the raw User-Agent on hover. */
export function DeviceName({ userAgent }: { userAgent: string | null | undefined }) {
  const device = describeUserAgent(userAgent)
  const DeviceIcon = device.mobile ? IconDeviceMobile : IconDeviceDesktop
  const name = (
    <Group gap={6} wrap="nowrap">
      <DeviceIcon size={16} aria-hidden color="var(--mantine-color-dimmed)" />
      <Text size="sm" span>
        {device.summary}
      </Text>
    </Group>
  )
  if (!userAgent) return name
  return (
    <Tooltip label={userAgent} multiline w={360} withArrow openDelay={200}>
      <span title={userAgent} style={{ display: 'inline-block' }}>
        {name}
      </span>
    </Tooltip>
  )
}

function SessionRow({ item }: { item: SessionInfo }) {
  const revoke = useRevokeSession()
  const label = describeUserAgent(item.user_agent).summary
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <DeviceName userAgent={item.user_agent} />
          {item.current && (
            <Badge color="teal" variant="light" size="sm">
              This device
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {item.ip ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(item.created_at)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(item.last_used_at)}</Text>
      </Table.Td>
      <Table.Td ta="right">
        {!item.current && (
          <Button
            size="compact-sm"
            variant="subtle"
            color="red"
            loading={revoke.isPending}
            aria-label={`Revoke the session of ${label} from ${item.ip ?? 'an unknown address'}`}
            onClick={() =>
              revoke.mutate(item.id, {
                onSuccess: () => notifySuccess(`Signed out ${label}`),
                onError: (error) =>
                  error instanceof ApiError && error.status === 404
                    ? notifySuccess('That session had already ended')
                    : notifyError(error, 'Could not revoke the session'),
              })
            }
          >
            Revoke
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  )
}

export function SessionsCard() {
  const sessions = useSessions()
  const revokeOthers = useRevokeOtherSessions()
  const [confirming, setConfirming] = useState(false)
  const items = sessions.data?.items ?? []
  const others = items.filter((s) => !s.current).length

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="sessions-heading">
      <Group justify="space-between" align="flex-start" mb="md">
        <div>
          <Title order={2} fz="h4" id="sessions-heading">
            Active sessions
          </Title>
          <Text c="dimmed" size="sm">
            Where your account is signed in. Revoke any you do not recognise, then change your password.
          </Text>
        </div>
        <Button variant="default" color="red" disabled={others === 0} onClick={() => setConfirming(true)}>
          Sign out all other sessions
        </Button>
      </Group>
      {sessions.isError ? (
        <ErrorAlert error={sessions.error} title="Could not load your sessions" onRetry={() => sessions.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" aria-label="Active sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>IP address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed" size="sm">
                      Loading sessions…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {items.map((s) => (
                <SessionRow key={s.id} item={s} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title="Sign out all other sessions"
        confirmLabel="Sign them out"
        pending={revokeOthers.isPending}
        onConfirm={() =>
          revokeOthers.mutate(undefined, {
            onSuccess: (result) => {
              notifySuccess(result.revoked === 1 ? 'Signed out 1 other session' : `Signed out ${result.revoked} other sessions`)
              setConfirming(false)
            },
            onError: (error) => {
              notifyError(error, 'Could not sign out the other sessions')
              setConfirming(false)
            },
          })
        }
      >
        Every other browser and device signed in to your account is signed out at once ({others}{' '}
        {others === 1 ? 'session' : 'sessions'}). This one stays signed in.
      </ConfirmModal>
    </Paper>
  )
}
