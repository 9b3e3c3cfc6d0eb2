import { ApplicationDetailPage } from '../features/applications/ApplicationDetailPage'
import { ApplicationsPage } from '../features/applications/ApplicationsPage'
import type { InstanceRef } from '../features/applications/model'
import { EmailsPage } from '../features/emails/EmailsPage'
import { useCurrentInstance } from '../features/instances/useCurrentInstance'

/** The instance loaded by InstanceLayout, as the pages of other areas need it. */
function useInstanceRef(): InstanceRef {
  const instance = useCurrentInstance()
  return { slug: instance.slug, role: instance.role, timeZone: instance.time_zone }
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
