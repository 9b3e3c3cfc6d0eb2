import type { SessionEndReason } from './session'

/** What the login page says about a session that ended (`/login?reason=…`). */
const MESSAGES: Record<SessionEndReason, string> = {
  'signed-out': 'You signed out.',
  'signed-out-elsewhere': 'You signed out in another tab.',
  revoked: 'This session was ended from another device. Sign in again.',
  reused: 'Your session was ended to keep your account safe. Sign in again.',
  expired: 'Your session ended — sign in again.',
}

/** The login page's note for a `?reason=` value; null for none or an unknown one. */
export function sessionEndMessage(reason: string | null | undefined): string | null {
  return reason && Object.hasOwn(MESSAGES, reason) ? MESSAGES[reason as SessionEndReason] : null
}

/**
 * `/login?next=…&reason=…`: where the sign-in gate sends a signed-out visitor. `next` (the page
 * they asked for, path and query) is left out for the console's home, which is where login goes anyway.
 */
export function loginPath({ next, reason }: { next?: string | null; reason?: SessionEndReason | null }): string {
  const params = new URLSearchParams()
  if (next && next !== '/') params.set('next', next)
  if (reason) params.set('reason', reason)
  const query = params.toString()
  return query ? `/login?${query}` : '/login'
}
