import { afterEach, describe, expect, it, vi } from 'vitest'
import { jsonResponse } from '../test/render'
import { ApiError } from '../lib/problem'
import { session } from '../lib/session'
import { stubXhr } from '../test/xhr'
import { api, unwrap, uploadFile } from './client'

const account = { id: 'a1', email: 'ada@example.com', name: 'Ada', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }

function grant(n: number) {
  return { access_token: `access-${n}`, token_type: 'Bearer', expires_in: 900, refresh_token: `refresh-${n}` }
}

afterEach(() => session.clear())

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

describe('authentication', () => {
  it('sends the access token and refreshes once, then retries, on a 401', async () => {
    session.signIn(grant(1))
    const seen: string[] = []
    const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init)
      const path = new URL(request.url).pathname
      if (path === '/api/v1/auth/refresh') {
        const body = (await request.json()) as { refresh_token: string }
        seen.push(`refresh:${body.refresh_token}`)
        return jsonResponse(grant(2))
      }
      const auth = request.headers.get('Authorization')
      seen.push(`${path}:${auth}`)
      return auth === 'Bearer access-2' ? jsonResponse(account) : jsonResponse({ status: 401, code: 'unauthorized', title: 'Unauthorized' }, 401)
    })
    vi.stubGlobal('fetch', fetchMock)

    // Two calls at once hit the 401 together: only one refresh may happen (tokens rotate).
    const [a, b] = await Promise.all([unwrap(api.GET('/api/v1/me')), unwrap(api.GET('/api/v1/me'))])
    expect(a.email).toBe('ada@example.com')
    expect(b.email).toBe('ada@example.com')
    expect(seen.filter((s) => s.startsWith('refresh:'))).toEqual(['refresh:refresh-1'])
    expect(localStorage.getItem('steward.refresh_token')).toBe('refresh-2')
  })

  it('ends the session when the refresh token is refused', async () => {
    session.signIn(grant(1))
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = input instanceof Request ? input.url : String(input)
        return url.endsWith('/auth/refresh')
          ? jsonResponse({ status: 401, code: 'invalid_refresh_token', title: 'Unauthorized' }, 401)
          : jsonResponse({ status: 401, code: 'unauthorized', title: 'Unauthorized' }, 401)
      }),
    )
    await expect(unwrap(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 401 })
    expect(session.getState().status).toBe('anonymous')
    expect(localStorage.getItem('steward.refresh_token')).toBeNull()
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
