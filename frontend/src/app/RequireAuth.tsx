import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router'
import { FullPageLoader } from '../components/FullPageLoader'
import { safeNext } from '../lib/next'
import { useSession } from '../lib/useSession'

/** Gate for the signed-in area: waits for a stored session to restore, else sends to /login. */
export function RequireAuth() {
  const { status } = useSession()
  const location = useLocation()
  if (status === 'restoring') return <FullPageLoader label="Restoring your session" />
  if (status === 'anonymous') {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />
  }
  return <Outlet />
}

/** The signed-out pages send a signed-in visitor on to the console (or to their `?next=` page). */
export function RedirectIfAuthenticated() {
  const { status } = useSession()
  const [params] = useSearchParams()
  if (status === 'restoring') return <FullPageLoader label="Restoring your session" />
  if (status === 'authenticated') return <Navigate to={safeNext(params.get('next')) ?? '/'} replace />
  return <Outlet />
}
