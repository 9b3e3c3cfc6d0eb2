import { Stack } from '@mantine/core'
import { ApplicationDetailPage } from '../features/applications/ApplicationDetailPage'
import { ApplicationsPage } from '../features/applications/ApplicationsPage'
import { AuditLogPage } from '../features/audit/AuditLogPage'
import { UsagePage } from '../features/billing/UsagePage'
import { ConfigPage } from '../features/config/ConfigPage'
import { DashboardPage } from '../features/dashboard/DashboardPage'
import type { InstanceRef } from '../lib/instanceRef'
import { EmailsPage } from '../features/emails/EmailsPage'
import { GeneralPage } from '../features/general/GeneralPage'
import { InstanceSummary } from '../features/instances/InstanceSummary'
import { useCurrentInstance } from '../features/instances/useCurrentInstance'
import { ManagementClientDetailPage } from '../features/management/ManagementClientDetailPage'
import { ManagementClientsPage } from '../features/management/ManagementClientsPage'
import { UserDetailPage } from '../features/users/UserDetailPage'
import { UsersPage } from '../features/users/UsersPage'
import { WebhookDetailPage } from '../features/webhooks/WebhookDetailPage'
import { WebhooksPage } from '../features/webhooks/WebhooksPage'

/** The instance loaded by InstanceLayout, as the pages of other areas need it. */
function useInstanceRef(): InstanceRef {
  const instance = useCurrentInstance()
  return { slug: instance.slug, name: instance.name, role: instance.role, timeZone: instance.time_zone }
}

/** The instance's home: what it is (slug, time zone, role) above its activity. */
export function InstanceHomeRoute() {
  const current = useCurrentInstance()
  const instance = useInstanceRef()
  return (
    <Stack gap="xl">
      <InstanceSummary instance={current} />
      <DashboardPage key={instance.slug} instance={instance} />
    </Stack>
  )
}

export function UsageRoute() {
  const instance = useInstanceRef()
  return <UsagePage key={instance.slug} instance={instance} />
}

export function ApplicationsRoute() {
  const instance = useInstanceRef()
  return <ApplicationsPage key={instance.slug} instance={instance} />
}

export function ApplicationDetailRoute() {
  const instance = useInstanceRef()
  return <ApplicationDetailPage key={instance.slug} instance={instance} />
}

export function EmailsRoute() {
  const instance = useInstanceRef()
  return <EmailsPage key={instance.slug} instance={instance} />
}

export function UsersRoute() {
  const instance = useInstanceRef()
  return <UsersPage key={instance.slug} instance={instance} />
}

export function UserDetailRoute() {
  const instance = useInstanceRef()
  return <UserDetailPage key={instance.slug} instance={instance} />
}

export function GeneralRoute() {
  const instance = useInstanceRef()
  return <GeneralPage key={instance.slug} instance={instance} />
}

export function AuditLogRoute() {
  const instance = useInstanceRef()
  return <AuditLogPage key={instance.slug} instance={instance} />
}

export function ManagementClientsRoute() {
  const instance = useInstanceRef()
  return <ManagementClientsPage key={instance.slug} instance={instance} />
}

export function ManagementClientDetailRoute() {
  const instance = useInstanceRef()
  return <ManagementClientDetailPage key={instance.slug} instance={instance} />
}

export function WebhooksRoute() {
  const instance = useInstanceRef()
  return <WebhooksPage key={instance.slug} instance={instance} />
}

export function WebhookDetailRoute() {
  const instance = useInstanceRef()
  return <WebhookDetailPage key={instance.slug} instance={instance} />
}

export function ConfigRoute() {
  const instance = useInstanceRef()
  return <ConfigPage key={instance.slug} instance={instance} />
}
