import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { jsonResponse } from '../test/render'
import { ApiError } from '../lib/problem'
import { Session, session } from '../lib/session'
import { stubXhr } from '../test/xhr'
import { api, refreshSession, unwrap, uploadFile } from './client'

const account = { id: 'a1', email: 'ada@example.com', name: 'Ada', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }

/** A token answer as the server gives it to the console: no refresh token in the body. */
function grant(n: number, expiresIn = 900) {
  return { access_token: `access-${n}`, token_type: 'Bearer', expires_in: expiresIn }
}

const unauthorized = { status: 401, code: 'unauthorized', title: 'Unauthorized' }
const noSession = { status: 401, code: 'invalid_refresh_token', title: 'Unauthorized', detail: 'No session cookie was sent. Sign in again.' }

interface Seen {
  method: string
  path: string
  headers: Headers
  /** `credentials` as the caller passed it to fetch (undefined: the default). */
  credentials: RequestCredentials | undefined
  body: string
}

/** Stubs fetch with `reply`, recording every request as it arrived. */
function stubFetch(reply: (seen: Seen) => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const entry: Seen = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        credentials: init?.credentials,
        body: await request.text(),
      }
      seen.push(entry)
      return reply(entry)
    }),
  )
  return seen
}

const refreshes = (seen: Seen[]) => seen.filter((s) => s.path === '/api/v1/auth/refresh')

// The console never writes a token anywhere JavaScript could read it back: the tests check it.
let setItem: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  setItem = vi.spyOn(Storage.prototype, 'setItem')
})
afterEach(() => {
  setItem.mockRestore()
  session.clear()
})
function expectNoStorageWrites() {
  expect(setItem).not.toHaveBeenCalled()
}

describe('unwrap', () => {
  it('throws an ApiError carrying the problem document', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          { type: 'about:blank', title: 'Conflict', status: 409, code: 'email_taken', detail: 'That email is already registered.' },
          409,
        ),
      ),
    )
    const error = await unwrap(api.POST('/api/v1/auth/signup', { body: { email: 'a@b.c', password: 'password1', name: 'A' } })).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).code).toBe('email_taken')
    expect((error as ApiError).message).toBe('That email is already registered.')
  })
})

describe('session endpoints', () => {
  it('login and sign-up ask for the cookie session, without a Bearer token', async () => {
    session.signIn(grant(1))
    const seen = stubFetch(() => jsonResponse({ ...grant(2), account }))
    await unwrap(api.POST('/api/v1/auth/login', { body: { email: 'ada@example.com', password: 'secret-password' } }))
    await unwrap(api.POST('/api/v1/auth/signup', { body: { email: 'ada@example.com', password: 'secret-password', name: 'Ada' } }))
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/auth/login', '/api/v1/auth/signup'])
    for (const request of seen) {
      expect(request.headers.get('X-Steward-Session')).toBe('cookie')
      expect(request.credentials).toBe('same-origin')
      expect(request.headers.get('Authorization')).toBeNull()
    }
    expectNoStorageWrites()
  })

  it('refresh sends the header and an empty body: the browser adds the cookie', async () => {
    const seen = stubFetch(() => jsonResponse(grant(2)))
    await expect(refreshSession()).resolves.toMatchObject({ access_token: 'access-2', expires_in: 900 })
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/api/v1/auth/refresh', credentials: 'same-origin', body: '{}' })
    expect(seen[0].headers.get('X-Steward-Session')).toBe('cookie')
    expect(seen[0].headers.get('Content-Type')).toBe('application/json')
    expectNoStorageWrites()
  })

  it('refresh throws the problem document when there is no session cookie', async () => {
    stubFetch(() => jsonResponse(noSession, 401))
    await expect(refreshSession()).rejects.toMatchObject({ status: 401, code: 'invalid_refresh_token' })
  })
})

describe('restoring the session on load', () => {
  /** A new page load: a session that knows nothing yet, refreshing through the real client. */
  function freshTab(): Session {
    const tab = new Session()
    tab.setRefresher(refreshSession)
    return tab
  }

  it('refreshes once from the cookie and keeps the access token in memory', async () => {
    const seen = stubFetch((s) => (s.path === '/api/v1/auth/refresh' ? jsonResponse(grant(1)) : jsonResponse(account)))
    const tab = freshTab()
    expect(tab.getState().status).toBe('restoring')
    await Promise.all([tab.restore(), tab.restore()]) // React's strict mode runs effects twice
    expect(tab.getState().status).toBe('authenticated')
    await expect(tab.getAccessToken()).resolves.toBe('access-1')
    expect(refreshes(seen)).toHaveLength(1)
    expect(refreshes(seen)[0].headers.get('X-Steward-Session')).toBe('cookie')
    tab.clear()
    expectNoStorageWrites()
  })

  it('becomes anonymous on a 401, and then asks no more', async () => {
    const seen = stubFetch(() => jsonResponse(noSession, 401))
    const tab = freshTab()
    await tab.restore()
    expect(tab.getState().status).toBe('anonymous')
    await expect(tab.getAccessToken()).resolves.toBeNull()
    expect(seen).toHaveLength(1)
    expectNoStorageWrites()
  })

  it('shows the login page when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const tab = freshTab()
    await tab.restore()
    expect(tab.getState().status).toBe('anonymous')
  })

  it('deletes the refresh token an earlier version left in localStorage', () => {
    localStorage.setItem('steward.refresh_token', 'old-token')
    freshTab()
    expect(localStorage.getItem('steward.refresh_token')).toBeNull()
  })

  it('makes one refresh request for many callers at once', async () => {
    let answer: (r: Response) => void = () => {}
    const seen = stubFetch(() => new Promise<Response>((resolve) => (answer = resolve)))
    const tab = freshTab()
    const tokens = Promise.all([tab.restore().then(() => tab.getAccessToken()), tab.getAccessToken(), tab.getAccessToken(), tab.refresh()])
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    answer(jsonResponse(grant(1)))
    await expect(tokens).resolves.toEqual(['access-1', 'access-1', 'access-1', 'access-1'])
    expect(refreshes(seen)).toHaveLength(1)
    tab.clear()
    expectNoStorageWrites()
  })
})

describe('authentication', () => {
  it('sends the access token and refreshes once, then retries, on a 401', async () => {
    session.signIn(grant(1))
    const seen = stubFetch((s) => {
      if (s.path === '/api/v1/auth/refresh') return jsonResponse(grant(2))
      return s.headers.get('Authorization') === 'Bearer access-2' ? jsonResponse(account) : jsonResponse(unauthorized, 401)
    })

    // Two calls at once hit the 401 together: only one refresh may happen (the cookie rotates).
    const [a, b] = await Promise.all([unwrap(api.GET('/api/v1/me')), unwrap(api.GET('/api/v1/me'))])
    expect(a.email).toBe('ada@example.com')
    expect(b.email).toBe('ada@example.com')
    expect(refreshes(seen)).toHaveLength(1)
    expect(refreshes(seen)[0].headers.get('X-Steward-Session')).toBe('cookie')
    expect(seen.filter((s) => s.path === '/api/v1/me').map((s) => s.headers.get('Authorization'))).toEqual([
      'Bearer access-1',
      'Bearer access-1',
      'Bearer access-2',
      'Bearer access-2',
    ])
    expectNoStorageWrites()
  })

  it('refreshes an expired access token before the request, once for concurrent requests', async () => {
    session.signIn(grant(1, 5)) // within the 10 s margin: treated as expired
    const seen = stubFetch((s) => (s.path === '/api/v1/auth/refresh' ? jsonResponse(grant(2)) : jsonResponse(account)))
    await Promise.all([unwrap(api.GET('/api/v1/me')), unwrap(api.GET('/api/v1/me')), unwrap(api.GET('/api/v1/me'))])
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/auth/refresh', '/api/v1/me', '/api/v1/me', '/api/v1/me'])
    expect(seen.slice(1).every((s) => s.headers.get('Authorization') === 'Bearer access-2')).toBe(true)
    expectNoStorageWrites()
  })

  it('ends the session when the refresh is refused', async () => {
    session.signIn(grant(1))
    stubFetch((s) => (s.path === '/api/v1/auth/refresh' ? jsonResponse(noSession, 401) : jsonResponse(unauthorized, 401)))
    await expect(unwrap(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 401 })
    expect(session.getState().status).toBe('anonymous')
    expectNoStorageWrites()
  })
})

describe('uploadFile', () => {
  it('sends the raw body with the token, and throws the problem document as an ApiError', async () => {
    session.signIn(grant(1))
    const requests = stubXhr(() => ({
      status: 413,
      body: { type: 'urn:steward:problem:logo_too_large', title: 'Payload Too Large', status: 413, code: 'logo_too_large', detail: 'Too big.' },
    }))
    const progress: number[] = []
    const file = new Blob([new Uint8Array(10)], { type: 'image/png' })
    const error = await uploadFile('/api/v1/instances/shop/branding/logo', file, 'image/png', { onProgress: (f) => progress.push(f) }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).code).toBe('logo_too_large')
    expect((error as ApiError).message).toBe('Too big.')
    expect(requests[0]).toMatchObject({ method: 'PUT', headers: { authorization: 'Bearer access-1', 'content-type': 'image/png' } })
    expect(requests[0].url).toMatch(/\/api\/v1\/instances\/shop\/branding\/logo$/)
    expect(progress).toEqual([0.5, 1])
  })

  it('refreshes once and retries after a 401', async () => {
    session.signIn(grant(1))
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(grant(2))))
    const requests = stubXhr((r) =>
      r.headers.authorization === 'Bearer access-2' ? { status: 200, body: { ok: true } } : { status: 401, body: { status: 401, code: 'unauthorized' } },
    )
    await expect(uploadFile('/x', new Blob(['a']), 'image/png')).resolves.toEqual({ ok: true })
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer access-1', 'Bearer access-2'])
  })
})
