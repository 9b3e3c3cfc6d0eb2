import { Navigate } from 'react-router'
import { ErrorAlert } from '../components/ErrorAlert'
import { FullPageLoader } from '../components/FullPageLoader'
import { useInstances } from '../features/instances/api'
import { lastInstance } from '../lib/lastInstance'

/** `/`: the last instance used, else the first one, else create one. */
export function HomeRedirect() {
  const instances = useInstances()
  if (instances.isPending) return <FullPageLoader />
  if (instances.isError) return <ErrorAlert error={instances.error} onRetry={() => instances.refetch()} />
  const list = instances.data
  if (list.length === 0) return <Navigate to="/instances/new" replace />
  const last = lastInstance()
  const target = list.find((i) => i.slug === last) ?? list[0]
  return <Navigate to={`/i/${target.slug}`} replace />
}
