import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from './problem'
import { Session, type TokenGrant } from './session'

/** A console tab whose refreshes are answered by `refresher`. */
function tab(refresher: () => Promise<TokenGrant>): Session {
  const s = new Session()
  s.setRefresher(refresher)
  return s
}

const refused = () => new ApiError({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'invalid_refresh_token' })

/** A promise settled from outside. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  let reject: (error: unknown) => void = () => {}
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Web Locks as the browser grants them: one holder of a name at a time, in request order. */
function fakeLocks() {
  const names: string[] = []
  let tail: Promise<unknown> = Promise.resolve()
  return {
    names,
    request<T>(name: string, fn: () => Promise<T>): Promise<T> {
      names.push(name)
      const run = tail.then(fn)
      tail = run.catch(() => undefined)
      return run
    },
  }
}

const tabs: Session[] = []
function track(s: Session): Session {
  tabs.push(s)
  return s
}
afterEach(() => {
  tabs.splice(0).forEach((s) => s.clear())
})

describe('Session', () => {
  it('takes turns with the other tabs: one refresh at a time under a Web Lock', async () => {
    const locks = fakeLocks()
    vi.stubGlobal('navigator', { locks })
    let running = 0
    let most = 0
    let n = 0
    const refresher = async () => {
      running += 1
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, 5))
      running -= 1
      n += 1
      return { access_token: `access-${n}`, expires_in: 900 }
    }
    const a = track(tab(refresher))
    const b = track(tab(refresher))
    const tokens = await Promise.all([a.restore(), b.restore(), a.getAccessToken(), b.getAccessToken()])
    expect(most).toBe(1)
    expect(n).toBe(2) // one per tab: each tab needs its own access token
    expect(locks.names).toEqual(['steward.refresh', 'steward.refresh'])
    expect(tokens.slice(2).toSorted()).toEqual(['access-1', 'access-2'])
  })

  it('does not come back when signed out while a refresh was running', async () => {
    const answer = deferred<TokenGrant>()
    const s = track(tab(() => answer.promise))
    const token = s.restore().then(() => s.getState().status)
    s.signOut()
    answer.resolve({ access_token: 'late', expires_in: 900 })
    await expect(token).resolves.toBe('anonymous')
    await expect(s.getAccessToken()).resolves.toBeNull()
  })

  it('keeps the session when the server is briefly unreachable, ends it when the refresh is refused', async () => {
    const refresher = vi
      .fn<() => Promise<TokenGrant>>()
      .mockResolvedValueOnce({ access_token: 'access-1', expires_in: 900 })
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockRejectedValueOnce(refused())
    const s = track(tab(refresher))
    await s.restore()
    expect(s.getState().status).toBe('authenticated')
    await expect(s.refresh()).resolves.toBeNull()
    expect(s.getState().status).toBe('authenticated')
    await expect(s.refresh()).resolves.toBeNull()
    expect(s.getState().status).toBe('anonymous')
    expect(refresher).toHaveBeenCalledTimes(3)
  })

  it('refreshes again only when the token it was given is still the current one', async () => {
    let n = 0
    const s = track(tab(async () => ({ access_token: `access-${++n}`, expires_in: 900 })))
    await s.restore()
    await expect(s.refresh('access-0')).resolves.toBe('access-1') // someone already refreshed
    await expect(s.refresh('access-1')).resolves.toBe('access-2')
    expect(n).toBe(2)
  })

  it('follows a sign-out in another tab', async () => {
    const a = track(tab(async () => ({ access_token: 'a', expires_in: 900 })))
    const b = track(tab(async () => ({ access_token: 'b', expires_in: 900 })))
    await Promise.all([a.restore(), b.restore()])
    expect(b.getState().status).toBe('authenticated')
    a.signOut()
    expect(a.getState().status).toBe('anonymous')
    await vi.waitFor(() => expect(b.getState().status).toBe('anonymous'))
    await expect(b.getAccessToken()).resolves.toBeNull()
  })

  it('tells subscribers when the status changes', async () => {
    const s = track(tab(async () => ({ access_token: 'a', expires_in: 900 })))
    const seen: string[] = []
    const unsubscribe = s.subscribe(() => seen.push(s.getState().status))
    await s.restore()
    s.clear()
    unsubscribe()
    expect(seen).toEqual(['authenticated', 'anonymous'])
  })

  it('remembers why a signed-in session ended, but not a refused restore at page load', async () => {
    const boot = track(tab(async () => Promise.reject(refused())))
    await boot.restore()
    expect(boot.getState()).toEqual({ status: 'anonymous' })

    const reused = track(tab(async () => Promise.reject(new ApiError({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'refresh_token_reused' }))))
    reused.signIn({ access_token: 'a', expires_in: 900 })
    await reused.refresh()
    expect(reused.getState()).toEqual({ status: 'anonymous', ended: 'reused' })

    const revoked = track(tab(async () => Promise.reject(refused())))
    revoked.signIn({ access_token: 'a', expires_in: 900 })
    await revoked.refresh('a', 'session_revoked')
    expect(revoked.getState().ended).toBe('revoked')

    const out = track(tab(async () => ({ access_token: 'b', expires_in: 900 })))
    out.signIn({ access_token: 'a', expires_in: 900 })
    out.signOut()
    expect(out.getState().ended).toBe('signed-out')
    // Signing in again forgets it.
    out.signIn({ access_token: 'c', expires_in: 900 })
    expect(out.getState()).toEqual({ status: 'authenticated' })
  })
})
