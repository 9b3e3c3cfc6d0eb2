/** A fake API for component tests: answers `fetch` by method and path, and records every request. */
import { vi } from 'vitest'
import { jsonResponse } from './render'

export interface SeenRequest {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  headers: Headers
}

export type ApiHandler = (request: SeenRequest) => Response | Promise<Response> | undefined

/** An RFC 9457 problem document response. */
export function problem(status: number, code: string, detail: string, options: { errors?: unknown[]; headers?: Record<string, string> } = {}) {
  return jsonResponse({ type: 'about:blank', title: 'Error', status, code, detail, errors: options.errors }, status, options.headers)
}

/** Stubs `fetch`: each request goes to `handler`; unanswered ones get a 404 problem. Returns what was sent. */
export function stubApi(handler: ApiHandler): SeenRequest[] {
  const seen: SeenRequest[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init)
      const url = new URL(request.url)
      const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
      const entry: SeenRequest = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        body: text ? JSON.parse(text) : null,
        headers: request.headers,
      }
      seen.push(entry)
      return (await handler(entry)) ?? problem(404, 'not_found', `No route ${request.method} ${url.pathname}`)
    }),
  )
  return seen
}

/** A console account as `GET /api/v1/me` answers. */
export function account(overrides: Partial<{ id: string; email: string; name: string; email_verified: boolean; two_factor_enabled: boolean }> = {}) {
  return {
    id: 'acc-1',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    email_verified: true,
    two_factor_enabled: false,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    ...overrides,
  }
}
