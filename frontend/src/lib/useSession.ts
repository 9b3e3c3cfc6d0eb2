import { useEffect, useSyncExternalStore } from 'react'
import { session, type SessionState } from './session'

/**
 * The console session's state. The first component that asks (the signed-in area's gate, or the
 * login page's) starts restoring the session from its cookie; later calls share that one refresh.
 * Pages that never ask (the public account pages behind end users' email links) never call it.
 */
export function useSession(): SessionState {
  useEffect(() => {
    void session.restore()
  }, [])
  return useSyncExternalStore(session.subscribe, session.getState, session.getState)
}
