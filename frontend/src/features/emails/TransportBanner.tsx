import { Alert, Anchor, Code, Text } from '@mantine/core'
import { IconInbox, IconInfoCircle, IconServer } from '@tabler/icons-react'
import { Link } from 'react-router'
import { useEmailTransport } from './api'
import type { EmailTransport, InstanceRef } from './model'

function SmtpSettingsLink({ slug, children }: { slug: string; children: string }) {
  return (
    <Anchor component={Link} to={`/i/${slug}/general/smtp`} inherit fw={500}>
      {children}
    </Anchor>
  )
}

function FromLine({ transport }: { transport: EmailTransport }) {
  if (!transport.from) return null
  return (
    <Text size="sm" mt={4}>
      From: <Code>{transport.from}</Code>
    </Text>
  )
}

/**
 * Where the instance's new emails really go (GET /email-transport): the local mailbox shows only
 * what was captured, so when an SMTP server is in use the user must not wait for new mail here.
 */
export function TransportBanner({ instance }: { instance: InstanceRef }) {
  const transport = useEmailTransport(instance.slug)
  const t = transport.data

  if (!t) {
    // Loading, or unknown: say what the mailbox is, without claiming where mail goes now.
    return (
      <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} aria-hidden />} title="Local mailbox" data-transport="unknown">
        {transport.isError ? 'Could not check which transport this instance uses. ' : ''}
        The mailbox keeps the emails Steward sends when no SMTP server is configured — neither the instance's own (
        <SmtpSettingsLink slug={instance.slug}>General → Email SMTP</SmtpSettingsLink>) nor the platform's (
        <Code>STEWARD_SMTP_URL</Code>).
      </Alert>
    )
  }

  if (t.transport === 'custom_smtp' || t.transport === 'platform_smtp') {
    const own = t.transport === 'custom_smtp'
    return (
      <Alert
        variant="light"
        color="yellow"
        icon={<IconServer size={18} aria-hidden />}
        title={own ? "New emails go through the instance's SMTP server" : "New emails go through the platform's SMTP server"}
        data-transport={t.transport}
      >
        {own ? (
          <>
            This instance sends its emails through its own SMTP server{t.host ? <> (<Code>{t.host}</Code>)</> : null}, set up in{' '}
            <SmtpSettingsLink slug={instance.slug}>General → Email SMTP</SmtpSettingsLink>: new emails do not arrive in this
            mailbox. The messages below were captured before.
          </>
        ) : (
          <>
            This instance sends its emails through the platform's SMTP server{t.host ? <> (<Code>{t.host}</Code>)</> : null}, set up
            by the operator: new emails do not arrive in this mailbox. To use your own server, set it up in{' '}
            <SmtpSettingsLink slug={instance.slug}>General → Email SMTP</SmtpSettingsLink>.
          </>
        )}
        <FromLine transport={t} />
      </Alert>
    )
  }

  return (
    <Alert variant="light" color="blue" icon={<IconInbox size={18} aria-hidden />} title="New emails are kept here" data-transport={t.transport}>
      When no SMTP server is configured — neither the instance's own (
      <SmtpSettingsLink slug={instance.slug}>General → Email SMTP</SmtpSettingsLink>) nor the platform's (
      <Code>STEWARD_SMTP_URL</Code>) — Steward does not send emails anywhere: it keeps them here so you can read them while
      developing. That is the case now for this instance. Configure either to deliver them for real.
      <FromLine transport={t} />
    </Alert>
  )
}
