import { Stack, Tabs, Text, Title } from '@mantine/core'
import { IconLogin2, IconMailCog, IconPhoto, IconServer } from '@tabler/icons-react'
import { Navigate, useNavigate, useParams } from 'react-router'
import { usePageTitle } from '../../lib/pageTitle'
import { IdentityTab } from './IdentityTab'
import { MessagesTab } from './MessagesTab'
import { isGeneralTab, type GeneralTab, type InstanceRef } from './model'
import { ProvidersTab } from './ProvidersTab'
import { SmtpTab } from './SmtpTab'

/** The General area: corporate identity, email messages, email SMTP, identity providers — one URL per sub-tab. */
const TAB_TITLES: Record<GeneralTab, string> = {
  identity: 'Corporate identity',
  emails: 'Email messages',
  smtp: 'Email SMTP',
  providers: 'Identity providers',
}

export function GeneralPage({ instance }: { instance: InstanceRef }) {
  const { tab } = useParams()
  const navigate = useNavigate()
  const base = `/i/${instance.slug}/general`
  usePageTitle(isGeneralTab(tab) ? TAB_TITLES[tab] : null, 'General', instance.name ?? instance.slug)
  if (!isGeneralTab(tab)) return <Navigate to={`${base}/identity`} replace />

  return (
    <Stack gap="lg" maw={1400}>
      <div>
        <Title order={1} fz="h2">
          General
        </Title>
        <Text c="dimmed">How this instance presents itself to its users: its logo, the emails it sends, the server that sends them, and how people sign in.</Text>
      </div>
      <Tabs value={tab} onChange={(v) => v && navigate(`${base}/${v as GeneralTab}`)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="identity" leftSection={<IconPhoto size={16} aria-hidden />}>
            Corporate identity
          </Tabs.Tab>
          <Tabs.Tab value="emails" leftSection={<IconMailCog size={16} aria-hidden />}>
            Email messages
          </Tabs.Tab>
          <Tabs.Tab value="smtp" leftSection={<IconServer size={16} aria-hidden />}>
            Email SMTP
          </Tabs.Tab>
          <Tabs.Tab value="providers" leftSection={<IconLogin2 size={16} aria-hidden />}>
            Identity providers
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="identity">
          <IdentityTab instance={instance} />
        </Tabs.Panel>
        <Tabs.Panel value="emails">
          <MessagesTab instance={instance} />
        </Tabs.Panel>
        <Tabs.Panel value="smtp">
          <SmtpTab instance={instance} />
        </Tabs.Panel>
        <Tabs.Panel value="providers">
          <ProvidersTab instance={instance} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
