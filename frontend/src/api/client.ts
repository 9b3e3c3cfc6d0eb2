/**
 * The one typed API client. Authentication (Bearer header, silent refresh, one retry after a 401)
 * and problem-document handling live here and nowhere else.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import { ApiError, problemFromResponse, parseRetryAfter, toProblem } from '../lib/problem'
import { session, type TokenGrant } from '../lib/session'

export type Schemas = components['schemas']

function baseUrl(): string {
  return globalThis.location?.origin ?? 'http://localhost'
}

const NO_AUTH = ['/api/v1/auth/login', '/api/v1/auth/signup', '/api/v1/auth/refresh']

function isAuthEndpoint(url: string): boolean {
  const path = new URL(url, baseUrl()).pathname
  return NO_AUTH.includes(path)
}

/** fetch with the session's Bearer token; refreshes and retries once on 401. */
export async function authFetch(request: Request): Promise<Response> {
  if (isAuthEndpoint(request.url)) return globalThis.fetch(request)
  const retry = request.clone()
  const token = await session.getAccessToken()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const response = await globalThis.fetch(request)
  if (response.status !== 401 || !token) return response
  const fresh = await session.refresh(token)
  if (!fresh) return response
  retry.headers.set('Authorization', `Bearer ${fresh}`)
  return globalThis.fetch(retry)
}

export const api = createClient<paths>({
  baseUrl: baseUrl(),
  fetch: (request: Request) => authFetch(request),
})

/**
 * The instance public API as an end user's browser calls it (account pages behind the links in
 * emails): no console session is ever attached.
 */
export const publicApi = createClient<paths>({
  baseUrl: baseUrl(),
  fetch: (request: Request) => globalThis.fetch(request),
})

/** Exchanges the refresh token (plain fetch: it must not go through the 401 retry). */
async function refreshTokens(refreshToken: string): Promise<TokenGrant> {
  const response = await globalThis.fetch(new URL('/api/v1/auth/refresh', baseUrl()), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  })
  if (!response.ok) throw await problemFromResponse(response)
  return (await response.json()) as TokenGrant
}
session.setRefresher(refreshTokens)

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok || error !== undefined) {
    throw new ApiError(
      toProblem(error, response.status, response.statusText),
      parseRetryAfter(response.headers.get('Retry-After')),
    )
  }
  return data as T
}
