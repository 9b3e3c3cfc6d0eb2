/** Test helpers for the General area: a fake API answering by method and path. */
import { vi } from 'vitest'
import { jsonResponse } from '../../test/render'

export interface Seen {
  method: string
  path: string
  body: unknown
}

export type Handler = (request: { method: string; path: string; body: unknown }) => Response | Promise<Response> | undefined

export function problem(status: number, code: string, detail: string, errors?: unknown[]) {
  return jsonResponse({ type: `urn:steward:problem:${code}`, title: 'Error', status, code, detail, errors }, status)
}

/** Stubs `fetch`: each request goes to `handler`; unanswered ones get a 404 problem. */
export function stubFetch(handler: Handler) {
  const seen: Seen[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init)
    const url = new URL(request.url)
    const text = request.method === 'GET' || request.method === 'DELETE' ? '' : await request.text()
    const body: unknown = text ? JSON.parse(text) : null
    seen.push({ method: request.method, path: url.pathname, body })
    if (url.pathname === '/api/v1/me') {
      return jsonResponse({ id: 'a1', email: 'owner@example.com', name: 'Owner', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z' })
    }
    return (await handler({ method: request.method, path: url.pathname, body })) ?? problem(404, 'not_found', `No route ${request.method} ${url.pathname}`)
  })
  vi.stubGlobal('fetch', fetchMock)
  return seen
}
