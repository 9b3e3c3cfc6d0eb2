import { Stack, Text, Title } from '@mantine/core'
import { DangerZone } from './DangerZone'
import { GeneralSettings } from './GeneralSettings'
import { useCurrentInstance } from './useCurrentInstance'
import { MembersSection } from './MembersSection'
import { SecurityPolicyCard } from './SecurityPolicyCard'
import { usePageTitle } from '../../lib/pageTitle'
import { can } from './roles'

export function InstanceSettingsPage() {
  const instance = useCurrentInstance()
  usePageTitle('Settings', instance.name)
  return (
    <Stack gap="lg" maw={900}>
      <div>
        <Title order={1} fz="h2">
          Settings
        </Title>
        <Text c="dimmed">{instance.name}</Text>
      </div>
      <GeneralSettings key={instance.slug} instance={instance} />
      <MembersSection instance={instance} />
      <SecurityPolicyCard instance={instance} />
      {can.deleteInstance(instance.role) && <DangerZone instance={instance} />}
    </Stack>
  )
}
