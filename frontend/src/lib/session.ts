/**
 * The console session: the access token lives in memory only, the (rotating) refresh token in
 * localStorage so a reload stays signed in. One refresh is in flight at a time — within this tab
 * (a shared promise) and across tabs (a Web Lock, re-reading the newest refresh token inside it) —
 * because the server revokes the whole session when an already-rotated refresh token is reused.
 */

export interface TokenGrant {
  access_token: string
  expires_in: number
  refresh_token: string
}

export type SessionStatus = 'restoring' | 'authenticated' | 'anonymous'

export interface SessionState {
  status: SessionStatus
}

/** Exchanges a refresh token for new tokens; throws an ApiError (with `status`) on refusal. */
export type Refresher = (refreshToken: string) => Promise<TokenGrant>

const STORAGE_KEY = 'steward.refresh_token'
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

function isRefusal(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' && status >= 400 && status < 500
}

export class Session {
  private accessToken: string | null = null
  private expiresAt = 0
  private inFlight: Promise<string | null> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private state: SessionState
  private listeners = new Set<() => void>()
  private refresher: Refresher | null = null

  constructor() {
    this.state = { status: this.storedRefreshToken() ? 'restoring' : 'anonymous' }
    globalThis.addEventListener?.('storage', (event: StorageEvent) => {
      // Another tab logged out: follow it.
      if (event.key === STORAGE_KEY && event.newValue === null && this.state.status !== 'anonymous') {
        this.clearLocal()
      }
    })
  }

  setRefresher(refresher: Refresher): void {
    this.refresher = refresher
  }

  getState = (): SessionState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private setStatus(status: SessionStatus): void {
    if (this.state.status === status) return
    this.state = { status }
    this.listeners.forEach((l) => l())
  }

  private storedRefreshToken(): string | null {
    return storage()?.getItem(STORAGE_KEY) ?? null
  }

  /** Store the tokens of a sign-up, login or refresh. */
  signIn(grant: TokenGrant): void {
    this.accessToken = grant.access_token
    this.expiresAt = Date.now() + grant.expires_in * 1000
    storage()?.setItem(STORAGE_KEY, grant.refresh_token)
    this.schedule(grant.expires_in * 1000)
    this.setStatus('authenticated')
  }

  /** Forget everything (log out, or the refresh token was refused). */
  clear(): void {
    storage()?.removeItem(STORAGE_KEY)
    this.clearLocal()
  }

  private clearLocal(): void {
    this.accessToken = null
    this.expiresAt = 0
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.setStatus('anonymous')
  }

  private schedule(lifetimeMs: number): void {
    if (this.timer) clearTimeout(this.timer)
    const delay = Math.max(5_000, lifetimeMs - REFRESH_MARGIN_MS)
    this.timer = setTimeout(() => {
      void this.refresh()
    }, delay)
  }

  /** The current access token, refreshed first when it is (nearly) expired. */
  async getAccessToken(): Promise<string | null> {
    if (this.inFlight) return this.inFlight
    if (this.accessToken && Date.now() < this.expiresAt - 10_000) return this.accessToken
    if (!this.storedRefreshToken()) return this.accessToken
    return this.refresh()
  }

  /** Called on boot: turn a stored refresh token into a session, or become anonymous. */
  async restore(): Promise<void> {
    if (this.state.status !== 'restoring') return
    await this.refresh()
  }

  /**
   * Refresh now, unless `stale` is given and a newer access token already replaced it (another
   * request refreshed while this one waited). Resolves to the new access token, or null when the
   * session is over.
   */
  refresh(stale?: string): Promise<string | null> {
    if (stale !== undefined && this.accessToken && this.accessToken !== stale) {
      return Promise.resolve(this.accessToken)
    }
    if (!this.inFlight) {
      this.inFlight = this.withLock(() => this.doRefresh()).finally(() => {
        this.inFlight = null
      })
    }
    return this.inFlight
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks
    if (locks?.request) return locks.request('steward.refresh', fn)
    return fn()
  }

  private async doRefresh(): Promise<string | null> {
    const refreshToken = this.storedRefreshToken() // newest, maybe rotated by another tab
    if (!refreshToken || !this.refresher) {
      this.clearLocal()
      return null
    }
    try {
      const grant = await this.refresher(refreshToken)
      this.signIn(grant)
      return grant.access_token
    } catch (error) {
      if (isRefusal(error)) {
        // Only forget the token if no other tab has rotated it meanwhile.
        if (this.storedRefreshToken() === refreshToken) this.clear()
        else this.clearLocal()
      } else if (this.state.status === 'restoring') {
        // Server unreachable at boot: show the login page but keep the token for a reload.
        this.clearLocal()
      }
      return null
    }
  }
}

export const session = new Session()
