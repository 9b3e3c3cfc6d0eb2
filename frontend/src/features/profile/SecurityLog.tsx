import { Button, Group, Paper, Select, Stack, Table, Text, ThemeIcon, Title } from '@mantine/core'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { formatDateTime } from '../../lib/datetime'
import { useSecurityEvents, type SecurityEvent, type SecurityEventKind } from './api'
import { KIND_OPTIONS, kindInfo } from './securityEvents'
import { DeviceName } from './SessionsCard'

function EventRow({ event }: { event: SecurityEvent }) {
  const info = kindInfo(event.kind)
  const KindIcon = info.icon
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <ThemeIcon variant="light" color={info.color} size="md" radius="xl" aria-hidden>
            <KindIcon size={16} />
          </ThemeIcon>
          <div>
            <Text size="sm" fw={500}>
              {info.label}
            </Text>
            {event.detail && (
              <Text size="xs" c="dimmed">
                {event.detail}
              </Text>
            )}
          </div>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(event.at)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {event.ip ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>{event.user_agent ? <DeviceName userAgent={event.user_agent} /> : <Text size="sm">—</Text>}</Table.Td>
    </Table.Tr>
  )
}

/** The account's security log: sign-ins, failures, and every change to how it signs in. */
export function SecurityLog() {
  const [kind, setKind] = useState<SecurityEventKind | null>(null)
  const events = useSecurityEvents(kind)
  const items = events.data?.pages.flatMap((p) => p.items) ?? []
  const total = events.data?.pages[0]?.total ?? 0

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="security-log-heading">
      <Group justify="space-between" align="flex-end" mb="md">
        <div>
          <Title order={2} fz="h4" id="security-log-heading">
            Security log
          </Title>
          <Text c="dimmed" size="sm">
            Sign-ins, failed attempts and changes to your account's security.
          </Text>
        </div>
        <Select
          label="Show"
          placeholder="All events"
          data={KIND_OPTIONS}
          value={kind}
          onChange={(value) => setKind(value as SecurityEventKind | null)}
          clearable
          w={280}
          comboboxProps={{ withinPortal: true }}
        />
      </Group>
      {events.isError ? (
        <ErrorAlert error={events.error} title="Could not load the security log" onRetry={() => events.refetch()} />
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" aria-label="Security log" style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>IP address</Table.Th>
                  <Table.Th>Device</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.isPending && (
                  <Table.Tr>
                    <Table.Td colSpan={4}>
                      <Text c="dimmed" size="sm">
                        Loading the log…
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {events.isSuccess && items.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={4}>
                      <Text c="dimmed" size="sm">
                        {kind ? 'No events of this kind.' : 'Nothing recorded yet.'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {items.map((e) => (
                  <EventRow key={e.id} event={e} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {items.length > 0 && (
            <Group gap="sm">
              {events.hasNextPage && (
                <Button variant="default" size="xs" loading={events.isFetchingNextPage} onClick={() => events.fetchNextPage()}>
                  Load more
                </Button>
              )}
              <Text size="sm" c="dimmed">
                Showing {items.length} of {total}
              </Text>
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  )
}
