import { Alert, Anchor, Code, Drawer, Group, Paper, Stack, Table, Tabs, Text, Title } from '@mantine/core'
import { IconInbox } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { LinkifiedText } from '../../components/LinkifiedText'
import { SandboxedHtml } from '../../components/SandboxedHtml'
import { useOutboxEmail } from './api'
import { OutcomeBadge, StatusBadge, ViaBadge } from './badges'
import { CancelButton, RetryButton } from './EmailActions'
import {
  can,
  formatDateTime,
  formatDuration,
  hasRedactedLinks,
  isStuck,
  kindLabel,
  type InstanceRef,
  type OutboxAttempt,
  type OutboxEmailDetail,
} from './model'

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" w={96} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </Group>
  )
}

function Attempts({ attempts, timeZone }: { attempts: OutboxAttempt[]; timeZone: string }) {
  if (attempts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No attempt yet.
      </Text>
    )
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" aria-label="Delivery attempts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Via</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th ta="right">Duration</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attempts.map((a, i) => (
            <Table.Tr key={`${a.at}-${i}`}>
              <Table.Td>{a.attempt}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at, timeZone)}</Table.Td>
              <Table.Td>{a.via ? <ViaBadge via={a.via} /> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
              <Table.Td>
                <OutcomeBadge outcome={a.outcome} />
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatDuration(a.duration_ms)}
              </Table.Td>
              <Table.Td>
                {a.error ? (
                  <Text size="xs" c={a.outcome === 'failed' ? 'red' : 'dimmed'} style={{ wordBreak: 'break-word' }}>
                    {a.error}
                  </Text>
                ) : (
                  <Text size="sm" c="dimmed">—</Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

/** The stored copy as sent: HTML in the sandboxed reader (links open new tabs), the text part in a tab. */
function Content({ email }: { email: OutboxEmailDetail }) {
  if (!email.html && !email.text) {
    return (
      <Text size="sm" c="dimmed">
        Nothing to show yet: the content is stored when the email is sent.
      </Text>
    )
  }
  return (
    <Stack gap="xs">
      {hasRedactedLinks(email) && (
        <Text size="xs" c="dimmed">
          One-time links are never stored: they show as <Code>[redacted]</Code>.
        </Text>
      )}
      <Tabs defaultValue={email.html ? 'html' : 'text'} keepMounted={false}>
        <Tabs.List mb="xs">
          <Tabs.Tab value="html" disabled={!email.html}>
            HTML
          </Tabs.Tab>
          <Tabs.Tab value="text">Text</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="html">
          <SandboxedHtml html={email.html} title={`HTML of the email “${email.subject}”`} height={420} links="new-tab" />
        </Tabs.Panel>
        <Tabs.Panel value="text">
          <Paper withBorder radius="md" p="md" bg="white">
            <LinkifiedText text={email.text} label="Text version" />
          </Paper>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}

function Details({ instance, email, mailboxHref }: { instance: InstanceRef; email: OutboxEmailDetail; mailboxHref: (messageId: string) => string }) {
  const tz = instance.timeZone
  const mayRetry = can.retryEmail(instance.role) && isStuck(email)
  const mayCancel = can.cancelEmail(instance.role) && isStuck(email)
  return (
    <Stack gap="md" component="article" aria-label={`Email to ${email.to}`}>
      <Title order={2} fz="h4" style={{ wordBreak: 'break-word' }}>
        {email.subject || '(not rendered yet)'}
      </Title>
      <Stack gap={4}>
        <Field label="To">{email.to}</Field>
        <Field label="Email">{kindLabel(email.kind)}</Field>
        <Field label="Status">
          <Group gap="xs">
            <StatusBadge status={email.status} />
            <ViaBadge via={email.delivered_via} />
          </Group>
        </Field>
        <Field label="Created">{formatDateTime(email.created_at, tz)}</Field>
        {email.sent_at && <Field label="Sent">{formatDateTime(email.sent_at, tz)}</Field>}
        {email.status === 'queued' && <Field label="Next attempt">{formatDateTime(email.next_attempt_at, tz)}</Field>}
        {email.last_error && (
          <Field label={email.status === 'skipped' ? 'Not sent' : 'Last error'}>
            <Text size="sm" c={email.status === 'skipped' ? undefined : 'red'} span>
              {email.last_error}
            </Text>
          </Field>
        )}
      </Stack>

      {(mayRetry || mayCancel) && (
        <Group gap="sm">
          {mayRetry && <RetryButton slug={instance.slug} email={email} size="sm" />}
          {mayCancel && <CancelButton slug={instance.slug} email={email} size="sm" />}
        </Group>
      )}

      {email.mailbox_message_id && (
        <Alert variant="light" color="gray" icon={<IconInbox size={18} aria-hidden />} p="sm">
          <Text size="sm">
            The local mailbox kept a copy
            {can.seeLiveLinks(instance.role) ? ', with its live links' : ' (its one-time links are hidden from viewers)'}.{' '}
            <Anchor component={Link} to={mailboxHref(email.mailbox_message_id)} size="sm" fw={500}>
              Open it in the Mailbox
            </Anchor>
          </Text>
        </Alert>
      )}

      <Stack gap="xs" component="section" aria-labelledby="email-content-heading">
        <Title order={3} fz="h5" id="email-content-heading">
          As sent
        </Title>
        <Content email={email} />
      </Stack>

      <Stack gap="xs" component="section" aria-labelledby="email-attempts-heading">
        <Title order={3} fz="h5" id="email-attempts-heading">
          Attempts
        </Title>
        <Attempts attempts={email.attempt_log} timeZone={tz} />
      </Stack>
    </Stack>
  )
}

function DrawerBody({ instance, id, mailboxHref }: { instance: InstanceRef; id: string; mailboxHref: (messageId: string) => string }) {
  const email = useOutboxEmail(instance.slug, id)
  if (email.isError) return <ErrorAlert error={email.error} title="Could not load the email" onRetry={() => email.refetch()} />
  if (!email.data) {
    return (
      <Text c="dimmed" size="sm" role="status">
        Loading the email…
      </Text>
    )
  }
  return <Details instance={instance} email={email.data} mailboxHref={mailboxHref} />
}

/** One outbox email in a drawer: as sent, its attempts, what may be done, and its mailbox copy. */
export function OutboxEmailDrawer({
  instance,
  id,
  onClose,
  mailboxHref,
}: {
  instance: InstanceRef
  id: string | null
  onClose: () => void
  mailboxHref: (messageId: string) => string
}) {
  return (
    <Drawer
      opened={id !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title="Email details"
      closeButtonProps={{ 'aria-label': 'Close the email details' }}
    >
      {id && <DrawerBody key={id} instance={instance} id={id} mailboxHref={mailboxHref} />}
    </Drawer>
  )
}
