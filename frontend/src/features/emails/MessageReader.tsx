import { Box, Code, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core'
import { useState, type ReactNode } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { LinkifiedText } from '../../components/LinkifiedText'
import { SandboxedHtml } from '../../components/SandboxedHtml'
import { useMailboxMessage } from './api'
import { can, formatDateTime, hasRedactedLinks, type InstanceRef, type MailboxMessage } from './model'

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" w={72} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </Group>
  )
}

/** Viewers get one-time links redacted by the server: say so, rather than leave a dead link unexplained. */
function RedactedLinksNote() {
  return (
    <Text size="xs" c="dimmed">
      One-time links show as <Code>[redacted]</Code>: only developers and up see them live.
    </Text>
  )
}

export function MessageReader({ instance, id, fromList }: { instance: InstanceRef; id: string; fromList?: MailboxMessage }) {
  const message = useMailboxMessage(instance.slug, id, fromList)
  const [plain, setPlain] = useState(false)
  const m = message.data

  if (message.isError) {
    return <ErrorAlert error={message.error} title="Could not load the message" onRetry={() => message.refetch()} />
  }
  if (!m) {
    return (
      <Text c="dimmed" size="sm" role="status">
        Loading the message…
      </Text>
    )
  }
  const showText = plain || !m.html
  return (
    <Stack gap="sm" component="article" aria-label={`Message: ${m.subject}`}>
      <Title order={2} fz="h4">
        {m.subject || '(no subject)'}
      </Title>
      <Stack gap={2}>
        <Field label="From">{m.from}</Field>
        <Field label="To">{m.to}</Field>
        <Field label="Received">{formatDateTime(m.received_at, instance.timeZone)}</Field>
      </Stack>
      {!can.seeLiveLinks(instance.role) && hasRedactedLinks(m) && <RedactedLinksNote />}
      <Switch
        label="Plain text"
        checked={showText}
        disabled={!m.html}
        onChange={(e) => setPlain(e.currentTarget.checked)}
      />
      {showText ? (
        <Paper withBorder radius="md" p="md" bg="white">
          <LinkifiedText text={m.text} label="Plain text body" />
        </Paper>
      ) : (
        <Box>
          <SandboxedHtml html={m.html} title={`HTML body of “${m.subject}”`} links="new-tab" />
        </Box>
      )}
    </Stack>
  )
}
