import { Stack, Tabs, Text, Title } from '@mantine/core'
import { IconInbox, IconSend } from '@tabler/icons-react'
import { useSearchParams } from 'react-router'
import { usePageTitle } from '../../lib/pageTitle'
import { MailboxTab } from './MailboxTab'
import { STATUSES, type EmailStatus, type InstanceRef } from './model'
import { OutboxTab } from './OutboxTab'

type Tab = 'delivery' | 'mailbox'

/**
 * The Emails area: tab, filters, the open email and the open message live in the URL
 * (`?status=failed&to=ada&email=…`, `?tab=mailbox&to=ada&message=…`), so a reload keeps them.
 * The `to` filter (part of an address) is one for both tabs.
 */
export function EmailsPage({ instance }: { instance: InstanceRef }) {
  const [params, setParams] = useSearchParams()
  const tab: Tab = params.get('tab') === 'mailbox' ? 'mailbox' : 'delivery'
  usePageTitle(tab === 'mailbox' ? 'Mailbox' : 'Delivery', 'Emails', instance.name ?? instance.slug)
  const statusParam = params.get('status')
  const status = STATUSES.find((s) => s === statusParam) ?? null
  const message = params.get('message')
  const email = params.get('email')
  const to = params.get('to')?.trim() ?? ''

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) next.delete(key)
          else next.set(key, value)
        }
        return next
      },
      { replace: true },
    )

  /** The captured copy of an outbox email, in the Mailbox tab. */
  const mailboxHref = (messageId: string) => {
    const next = new URLSearchParams(params)
    next.set('tab', 'mailbox')
    next.set('message', messageId)
    next.delete('email')
    next.delete('status')
    return `?${next.toString()}`
  }

  return (
    <Stack gap="lg" maw={1200}>
      <div>
        <Title order={1} fz="h2">
          Emails
        </Title>
        <Text c="dimmed">The emails this instance sends to its users, their delivery, and the local mailbox.</Text>
      </div>
      <Tabs
        value={tab}
        onChange={(v) => update({ tab: v === 'mailbox' ? 'mailbox' : null })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="delivery" leftSection={<IconSend size={16} aria-hidden />}>
            Delivery
          </Tabs.Tab>
          <Tabs.Tab value="mailbox" leftSection={<IconInbox size={16} aria-hidden />}>
            Mailbox
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="delivery">
          <OutboxTab
            instance={instance}
            status={status}
            onStatusChange={(s: EmailStatus | null) => update({ status: s })}
            to={to}
            onToChange={(t) => update({ to: t || null })}
            openId={email}
            onOpen={(id) => update({ email: id })}
            mailboxHref={mailboxHref}
          />
        </Tabs.Panel>
        <Tabs.Panel value="mailbox">
          <MailboxTab
            instance={instance}
            selectedId={message}
            onSelect={(id) => update({ message: id })}
            to={to}
            onToChange={(t) => update({ to: t || null })}
          />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
