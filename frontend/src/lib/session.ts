/**
 * The console session.
 *
 * - The access token lives in this object's memory only: never in storage, never in the DOM.
 * - The refresh token is never seen by JavaScript at all: the server keeps it in an HttpOnly,
 *   SameSite=Strict cookie scoped to `/api/v1/auth/refresh` (the client asks for that with
 *   `X-Steward-Session: cookie`, see `api/client.ts`). A reload therefore starts with no token
 *   and restores the session by calling refresh once; a 401 there means "not signed in".
 * - One refresh is in flight at a time: within this tab by sharing one promise, and across tabs
 *   by a Web Lock. All tabs share the one cookie, and the server rotates it on every refresh, so
 *   the tabs simply take turns (the server also forgives two refreshes racing with the same token
 *   for a short grace period, but the console does not rely on it).
 */

export interface TokenGrant {
  access_token: string
  expires_in: number
}

export type SessionStatus = 'restoring' | 'authenticated' | 'anonymous'

/**
 * Why a signed-in session ended in this tab (shown on the login page):
 * - `signed-out`: the user signed out here; `signed-out-elsewhere`: in another tab of the console;
 * - `revoked`: the session was ended on the server (signed out from another device, or by a reset);
 * - `reused`: the refresh token was replayed, so the server ended the session to be safe;
 * - `expired`: the refresh was refused for any other reason (expired, no cookie).
 */
export type SessionEndReason = 'signed-out' | 'signed-out-elsewhere' | 'revoked' | 'reused' | 'expired'

export interface SessionState {
  status: SessionStatus
  /** Set when a session this tab had ended (never on a first, signed-out visit). */
  ended?: SessionEndReason
}

/** Exchanges the session cookie for a new access token; throws an ApiError (with `status`) on refusal. */
export type Refresher = () => Promise<TokenGrant>

/** Where earlier versions of the console kept the refresh token; deleted on sight. */
const LEGACY_STORAGE_KEY = 'steward.refresh_token'
/** The Web Lock that serializes refreshes across this origin's tabs. */
const LOCK_NAME = 'steward.refresh'
/** The channel on which a tab that signs out tells the others. */
const CHANNEL_NAME = 'steward.session'
const SIGNED_OUT = 'signed-out'
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000

/** Removes a refresh token left in localStorage by an earlier version (it is no longer used). */
function forgetLegacyToken(): void {
  try {
    globalThis.localStorage?.removeItem(LEGACY_STORAGE_KEY)
  } catch {
    // Storage disabled: nothing to forget.
  }
}

/** The server refused the refresh (no cookie, expired, revoked): the session is over. */
function isRefusal(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' && status >= 400 && status < 500
}

/** The problem code of the refused refresh, and what the 401 that led to it said, as a reason. */
function endReason(error: unknown, cause: string | null): SessionEndReason {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'refresh_token_reused') return 'reused'
  if (code === 'session_revoked' || cause === 'session_revoked') return 'revoked'
  return 'expired'
}

export class Session {
  private accessToken: string | null = null
  private expiresAt = 0
  private inFlight: Promise<string | null> | null = null
  /** Bumped whenever the session is forgotten, so a refresh that was already running is ignored. */
  private generation = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  // Every page load starts here: whether a session cookie exists is only known by asking.
  private state: SessionState = { status: 'restoring' }
  private listeners = new Set<() => void>()
  private refresher: Refresher | null = null
  private channel: BroadcastChannel | null = null
  /** The problem code of the 401 that asked for the running refresh (`session_revoked`...). */
  private cause: string | null = null

  constructor() {
    forgetLegacyToken()
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL_NAME)
      // Another tab signed out (which ended the shared session on the server): follow it.
      this.channel.onmessage = (event: MessageEvent) => {
        if (event.data === SIGNED_OUT) this.clear('signed-out-elsewhere')
      }
    }
  }

  setRefresher(refresher: Refresher): void {
    this.refresher = refresher
  }

  getState = (): SessionState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private setStatus(status: SessionStatus, ended?: SessionEndReason): void {
    if (this.state.status === status && this.state.ended === ended) return
    this.state = ended ? { status, ended } : { status }
    this.listeners.forEach((l) => l())
  }

  /** Keep the access token of a sign-up, login or refresh (the refresh token is in the cookie). */
  signIn(grant: TokenGrant): void {
    this.accessToken = grant.access_token
    this.expiresAt = Date.now() + grant.expires_in * 1000
    this.schedule(grant.expires_in * 1000)
    this.cause = null
    this.setStatus('authenticated')
  }

  /**
   * Forget the session in this tab (the refresh was refused, or the session ended elsewhere).
   * `reason` is kept for the login page only when a signed-in session ends.
   */
  clear(reason?: SessionEndReason): void {
    const wasSignedIn = this.state.status === 'authenticated'
    this.generation += 1
    this.cause = null
    this.accessToken = null
    this.expiresAt = 0
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.setStatus('anonymous', wasSignedIn ? reason : undefined)
  }

  /**
   * After the user signed out (the logout call cleared the cookie and ended the session on the
   * server): forget the session here and in the console's other tabs.
   */
  signOut(): void {
    this.clear('signed-out')
    this.channel?.postMessage(SIGNED_OUT)
  }

  private schedule(lifetimeMs: number): void {
    if (this.timer) clearTimeout(this.timer)
    const delay = Math.max(5_000, lifetimeMs - REFRESH_MARGIN_MS)
    this.timer = setTimeout(() => {
      void this.refresh()
    }, delay)
  }

  /**
   * The current access token, refreshed first when it is (nearly) expired or not restored yet.
   * Null when signed out.
   */
  async getAccessToken(): Promise<string | null> {
    if (this.inFlight) return this.inFlight
    if (this.accessToken && Date.now() < this.expiresAt - 10_000) return this.accessToken
    if (this.state.status === 'anonymous') return null
    return this.refresh()
  }

  /** Called when the console starts: turn the session cookie (if any) into a session, or become anonymous. */
  async restore(): Promise<void> {
    if (this.state.status !== 'restoring') return
    await this.refresh()
  }

  /**
   * Refresh now, unless `stale` is given and a newer access token already replaced it (another
   * request refreshed while this one waited). Resolves to the new access token, or null when
   * there is none (signed out, or the server could not be reached). `cause` is the problem code
   * of the 401 that asked for it: a `session_revoked` one says why a refused refresh ended the session.
   */
  refresh(stale?: string, cause?: string | null): Promise<string | null> {
    if (stale !== undefined && this.accessToken && this.accessToken !== stale) {
      return Promise.resolve(this.accessToken)
    }
    if (cause) this.cause = cause
    if (!this.inFlight) {
      this.inFlight = this.withLock(() => this.doRefresh()).finally(() => {
        this.inFlight = null
      })
    }
    return this.inFlight
  }

  /** Runs `fn` holding the cross-tab refresh lock (where the browser has Web Locks). */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks
    if (locks?.request) return locks.request(LOCK_NAME, fn)
    return fn()
  }

  private async doRefresh(): Promise<string | null> {
    if (!this.refresher) {
      this.clear()
      return null
    }
    const generation = this.generation
    try {
      const grant = await this.refresher()
      // Signed out while the refresh ran: don't bring the session back.
      if (generation !== this.generation) return null
      this.signIn(grant)
      return grant.access_token
    } catch (error) {
      if (generation !== this.generation) return null
      if (isRefusal(error) || this.state.status === 'restoring') {
        // Refused: the session is over. Unreachable at boot: show the login page (a reload retries).
        this.clear(endReason(error, this.cause))
      }
      // Unreachable while signed in: keep the session; the next request tries again.
      return null
    }
  }
}

export const session = new Session()
