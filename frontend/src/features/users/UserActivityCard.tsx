import { Badge, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useUserActivity } from './api'
import { formatDateTime } from './model'

const OUTCOME_COLORS: Record<string, string> = { succeeded: 'teal', failed: 'red', locked: 'orange' }
const OUTCOME_LABELS: Record<string, string> = { succeeded: 'Succeeded', failed: 'Failed', locked: 'Locked' }

function Dim({ children }: { children: string | null | undefined }) {
  return (
    <Text size="sm" c={children ? undefined : 'dimmed'} truncate maw={260} title={children ?? undefined}>
      {children || '—'}
    </Text>
  )
}

/** The user's active sessions and latest sign-in attempts; times in the instance's time zone. */
export function UserActivityCard({ slug, userId, timeZone }: { slug: string; userId: string; timeZone: string }) {
  const activity = useUserActivity(slug, userId)
  const when = (iso: string) => (
    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
      {formatDateTime(iso, timeZone)}
    </Text>
  )

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="user-activity-heading">
      <Group gap="xs">
        <Title order={2} fz="h4" id="user-activity-heading">
          Activity
        </Title>
        {activity.isFetching && !activity.isPending && <Loader size={14} aria-label="Refreshing activity" />}
      </Group>
      {activity.isPending ? (
        <Group gap="xs" mt="sm">
          <Loader size="xs" />
          <Text c="dimmed" size="sm">
            Loading activity…
          </Text>
        </Group>
      ) : activity.isError ? (
        <Stack mt="sm">
          <ErrorAlert error={activity.error} title="Could not load the activity" onRetry={() => activity.refetch()} />
        </Stack>
      ) : (
        <Stack gap="lg" mt="sm">
          <div>
            <Text fw={500} size="sm" mb={4}>
              Active sessions
            </Text>
            {activity.data.sessions.length === 0 ? (
              <Text c="dimmed" size="sm">
                No active sessions.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="xs" aria-label="Active sessions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Started</Table.Th>
                      <Table.Th>Last used</Table.Th>
                      <Table.Th>Expires</Table.Th>
                      <Table.Th>IP</Table.Th>
                      <Table.Th>Browser</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {activity.data.sessions.map((s) => (
                      <Table.Tr key={s.id}>
                        <Table.Td>{when(s.created_at)}</Table.Td>
                        <Table.Td>{when(s.last_used_at)}</Table.Td>
                        <Table.Td>{when(s.expires_at)}</Table.Td>
                        <Table.Td>
                          <Dim>{s.ip}</Dim>
                        </Table.Td>
                        <Table.Td>
                          <Dim>{s.user_agent}</Dim>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </div>
          <div>
            <Text fw={500} size="sm" mb={4}>
              Recent sign-ins
            </Text>
            {activity.data.sign_ins.length === 0 ? (
              <Text c="dimmed" size="sm">
                No sign-in attempts yet.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing="xs" aria-label="Recent sign-ins">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Outcome</Table.Th>
                      <Table.Th>IP</Table.Th>
                      <Table.Th>Browser</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {activity.data.sign_ins.map((a, i) => (
                      <Table.Tr key={`${a.at}-${i}`}>
                        <Table.Td>{when(a.at)}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color={OUTCOME_COLORS[a.outcome] ?? 'gray'}>
                            {OUTCOME_LABELS[a.outcome] ?? a.outcome}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Dim>{a.ip}</Dim>
                        </Table.Td>
                        <Table.Td>
                          <Dim>{a.user_agent}</Dim>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </div>
          <Text size="xs" c="dimmed">
            Times in {timeZone}.
          </Text>
        </Stack>
      )}
    </Paper>
  )
}
