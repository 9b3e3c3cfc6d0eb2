import { Stack, Tabs, Text, Title } from '@mantine/core'
import { IconArchive, IconFileImport, IconHistory, IconListDetails } from '@tabler/icons-react'
import { useSearchParams } from 'react-router'
import { usePageTitle } from '../../lib/pageTitle'
import { BackupsTab } from './BackupsTab'
import { EntriesTab } from './EntriesTab'
import { HistoryTab } from './HistoryTab'
import { ImportExportTab } from './ImportExportTab'
import type { InstanceRef } from './model'

const TABS = ['entries', 'history', 'backups', 'transfer'] as const
type Tab = (typeof TABS)[number]

const TAB_TITLES: Record<Tab, string> = {
  entries: 'Entries',
  history: 'History',
  backups: 'Backups',
  transfer: 'Import & export',
}

function isTab(value: string | null): value is Tab {
  return (TABS as readonly (string | null)[]).includes(value)
}

/**
 * The Configuration area: the instance's entries (built in and custom) with their values, every
 * change with restore, named backups, and import & export. The tab and the history's entry filter
 * live in the URL (`?tab=history&key=password.min_length`).
 */
export function ConfigPage({ instance }: { instance: InstanceRef }) {
  const [params, setParams] = useSearchParams()
  const requested = params.get('tab')
  const tab: Tab = isTab(requested) ? requested : 'entries'
  const key = params.get('key')
  usePageTitle(TAB_TITLES[tab], 'Configuration', instance.name ?? instance.slug)

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        for (const [name, value] of Object.entries(changes)) {
          if (value === null) next.delete(name)
          else next.set(name, value)
        }
        return next
      },
      { replace: true },
    )

  return (
    <Stack gap="lg" maw={1200}>
      <div>
        <Title order={1} fz="h2">
          Configuration
        </Title>
        <Text c="dimmed">
          The settings that drive this instance (password rules, token lifetimes, sign-in, registration, guests, the public API) and your own entries, with every change
          recorded.
        </Text>
      </div>
      <Tabs value={tab} onChange={(v) => update({ tab: isTab(v) && v !== 'entries' ? v : null })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="entries" leftSection={<IconListDetails size={16} aria-hidden />}>
            Entries
          </Tabs.Tab>
          <Tabs.Tab value="history" leftSection={<IconHistory size={16} aria-hidden />}>
            History
          </Tabs.Tab>
          <Tabs.Tab value="backups" leftSection={<IconArchive size={16} aria-hidden />}>
            Backups
          </Tabs.Tab>
          <Tabs.Tab value="transfer" leftSection={<IconFileImport size={16} aria-hidden />}>
            Import & export
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="entries">
          <EntriesTab instance={instance} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <HistoryTab instance={instance} keyFilter={key} onKeyFilterChange={(k) => update({ key: k })} />
        </Tabs.Panel>
        <Tabs.Panel value="backups">
          <BackupsTab instance={instance} />
        </Tabs.Panel>
        <Tabs.Panel value="transfer">
          <ImportExportTab instance={instance} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
