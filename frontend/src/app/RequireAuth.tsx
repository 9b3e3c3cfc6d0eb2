import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router'
import { FullPageLoader } from '../components/FullPageLoader'
import { safeNext } from '../lib/next'
import { loginPath } from '../lib/sessionEnd'
import { useSession } from '../lib/useSession'

/**
 * Gate for the signed-in area: waits for a stored session to restore, else sends to
 * `/login?next=<this page>` (and `&reason=` when a session just ended), so signing in comes back here.
 */
export function RequireAuth() {
  const { status, ended } = useSession()
  const location = useLocation()
  if (status === 'restoring') return <FullPageLoader label="Restoring your session" />
  if (status === 'anonymous') {
    // After signing out on purpose, the next sign-in (perhaps someone else's) starts at home.
    const next = ended === 'signed-out' ? null : location.pathname + location.search
    return <Navigate to={loginPath({ next, reason: ended })} replace />
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
