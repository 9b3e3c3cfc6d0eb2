import { Button, Grid, Group, Paper, Stack, Text, UnstyledButton } from '@mantine/core'
import { IconInbox } from '@tabler/icons-react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { AddressFilter } from './AddressFilter'
import { useMailbox } from './api'
import { MessageReader } from './MessageReader'
import { formatDateTime, type InstanceRef, type MailboxMessage } from './model'
import { TransportBanner } from './TransportBanner'

function MessageItem({
  message,
  selected,
  timeZone,
  onSelect,
}: {
  message: MailboxMessage
  selected: boolean
  timeZone: string
  onSelect: () => void
}) {
  return (
    <UnstyledButton
      onClick={onSelect}
      aria-current={selected ? 'true' : undefined}
      px="md"
      py="sm"
      w="100%"
      style={{
        display: 'block',
        borderBottom: '1px solid var(--mantine-color-gray-2)',
        background: selected ? 'var(--mantine-color-blue-0)' : undefined,
        borderLeft: `3px solid ${selected ? 'var(--mantine-color-blue-6)' : 'transparent'}`,
      }}
    >
      <Text size="sm" fw={600} truncate>
        {message.subject || '(no subject)'}
      </Text>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed" truncate>
          To {message.to}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(message.received_at, timeZone)}
        </Text>
      </Group>
    </UnstyledButton>
  )
}

export function MailboxTab({
  instance,
  selectedId,
  onSelect,
  to,
  onToChange,
}: {
  instance: InstanceRef
  selectedId: string | null
  onSelect: (id: string | null) => void
  /** Part of an address (`?to=`). */
  to: string
  onToChange: (to: string) => void
}) {
  const mailbox = useMailbox(instance.slug, to)
  const pages = mailbox.data?.pages
  const items = pages?.flatMap((p) => p.items) ?? []
  const total = pages?.[0]?.total ?? 0
  const selected = items.find((m) => m.id === selectedId)

  return (
    <Stack gap="md">
      <TransportBanner instance={instance} />

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="sm">
            <AddressFilter value={to} onChange={onToChange} description="Messages to addresses containing this text" />
            <Paper withBorder radius="md" component="section" aria-label="Captured messages" style={{ overflow: 'hidden' }}>
              {mailbox.isError ? (
                <ErrorAlert error={mailbox.error} title="Could not load the mailbox" onRetry={() => mailbox.refetch()} />
              ) : mailbox.isPending ? (
                <Text c="dimmed" size="sm" p="md" role="status">
                  Loading messages…
                </Text>
              ) : items.length === 0 ? (
                <Stack align="center" gap="xs" py="xl" px="md">
                  <IconInbox size={36} color="var(--mantine-color-gray-5)" aria-hidden />
                  <Text fw={600}>{to ? `No messages to ${to}` : 'The mailbox is empty'}</Text>
                  {to && (
                    <Text c="dimmed" size="sm" ta="center">
                      The filter finds every address that contains it.
                    </Text>
                  )}
                </Stack>
              ) : (
                items.map((m) => (
                  <MessageItem
                    key={m.id}
                    message={m}
                    selected={m.id === selectedId}
                    timeZone={instance.timeZone}
                    onSelect={() => onSelect(m.id)}
                  />
                ))
              )}
            </Paper>
            {items.length > 0 && (
              <Group justify="space-between">
                <Text size="sm" c="dimmed">
                  Showing {items.length} of {total}
                </Text>
                {mailbox.hasNextPage && (
                  <Button variant="default" size="xs" loading={mailbox.isFetchingNextPage} onClick={() => mailbox.fetchNextPage()}>
                    Load more
                  </Button>
                )}
              </Group>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder radius="md" p="lg" mih={240}>
            {selectedId ? (
              <MessageReader key={selectedId} instance={instance} id={selectedId} fromList={selected} />
            ) : (
              <Text c="dimmed" size="sm">
                Select a message to read it.
              </Text>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  )
}
