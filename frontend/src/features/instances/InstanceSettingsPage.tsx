import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconHistory, IconRobot, IconWebhook } from '@tabler/icons-react'
import { Link } from 'react-router'
import { DangerZone } from './DangerZone'
import { GeneralSettings } from './GeneralSettings'
import { useCurrentInstance } from './useCurrentInstance'
import { MembersSection } from './MembersSection'
import { SecurityPolicyCard } from './SecurityPolicyCard'
import { usePageTitle } from '../../lib/pageTitle'
import { UnsavedChangesScope } from '../../lib/UnsavedChangesScope'
import { can } from './roles'

export function InstanceSettingsPage() {
  const instance = useCurrentInstance()
  usePageTitle('Settings', instance.name)
  // The settings form and the invitation form share the page's one "Leave without saving?" guard.
  return (
    <UnsavedChangesScope>
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
        {can.manageManagementClients(instance.role) && (
          <Paper withBorder p="lg">
            <Group justify="space-between" wrap="wrap">
              <div>
                <Title order={2} fz="h4">
                  Management clients
                </Title>
                <Text c="dimmed" size="sm" maw={560}>
                  Machines (CI jobs, scripts, back-office services) with scoped access to this instance's console API.
                </Text>
              </div>
              <Button
                component={Link}
                to={`/i/${instance.slug}/settings/management-clients`}
                variant="default"
                leftSection={<IconRobot size={16} aria-hidden />}
              >
                Open management clients
              </Button>
            </Group>
          </Paper>
        )}
        <Paper withBorder p="lg">
          <Group justify="space-between" wrap="wrap">
            <div>
              <Title order={2} fz="h4">
                Webhooks
              </Title>
              <Text c="dimmed" size="sm" maw={560}>
                Signed HTTP calls to your servers when users or applications change, with every delivery's log.
                {can.manageWebhooks(instance.role) ? '' : ' Admins and owners add and change them.'}
              </Text>
            </div>
            <Button component={Link} to={`/i/${instance.slug}/settings/webhooks`} variant="default" leftSection={<IconWebhook size={16} aria-hidden />}>
              Open webhooks
            </Button>
          </Group>
        </Paper>
        {can.readAuditLog(instance.role) && (
          <Paper withBorder p="lg">
            <Group justify="space-between" wrap="wrap">
              <div>
                <Title order={2} fz="h4">
                  Audit log
                </Title>
                <Text c="dimmed" size="sm">
                  Every change to this instance: who made it, when, from where, and what changed.
                </Text>
              </div>
              <Button component={Link} to={`/i/${instance.slug}/settings/audit-log`} variant="default" leftSection={<IconHistory size={16} aria-hidden />}>
                Open the audit log
              </Button>
            </Group>
          </Paper>
        )}
        {can.deleteInstance(instance.role) && <DangerZone instance={instance} />}
      </Stack>
    </UnsavedChangesScope>
  )
}
