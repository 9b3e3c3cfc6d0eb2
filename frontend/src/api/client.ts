/**
 * The one typed API client. Authentication (Bearer header, the session cookie's endpoints, silent
 * refresh, one retry after a 401) and problem-document handling live here and nowhere else.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import type { components as InstanceComponents, paths as InstancePaths } from './public-schema'
import { ApiError, problemFromResponse, parseRetryAfter, toProblem } from '../lib/problem'
import { session, type TokenGrant } from '../lib/session'

export type Schemas = components['schemas']
/** The instance public API's schemas (`openapi/public.json`). */
export type InstanceSchemas = InstanceComponents['schemas']

function baseUrl(): string {
  return globalThis.location?.origin ?? 'http://localhost'
}

/**
 * The endpoints that start or renew a console session. They take no Bearer token; the console
 * asks them to keep the refresh token in the server's HttpOnly cookie (never in the JSON body,
 * where JavaScript could read it), and the browser sends that cookie back to the refresh route.
 */
const SESSION_ENDPOINTS = ['/api/v1/auth/login', '/api/v1/auth/login/two-factor', '/api/v1/auth/signup', '/api/v1/auth/refresh']
const SESSION_HEADER = 'X-Steward-Session'
/** Same-origin requests carry and accept cookies (the fetch default, spelled out). */
const SESSION_CREDENTIALS: RequestCredentials = 'same-origin'

function isSessionEndpoint(url: string): boolean {
  const path = new URL(url, baseUrl()).pathname
  return SESSION_ENDPOINTS.includes(path)
}

/** The `code` of a problem document body, if it is one (`session_revoked` on a 401...). */
function problemCode(body: unknown): string | null {
  const code = (body as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : null
}

async function responseCode(response: Response): Promise<string | null> {
  try {
    return problemCode(await response.clone().json())
  } catch {
    return null
  }
}

/** fetch with the session's Bearer token; refreshes and retries once on 401. */
export async function authFetch(request: Request): Promise<Response> {
  if (isSessionEndpoint(request.url)) {
    request.headers.set(SESSION_HEADER, 'cookie')
    return globalThis.fetch(request, { credentials: SESSION_CREDENTIALS })
  }
  const retry = request.clone()
  const token = await session.getAccessToken()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const response = await globalThis.fetch(request)
  if (response.status !== 401 || !token) return response
  const fresh = await session.refresh(token, await responseCode(response))
  if (!fresh) return response
  retry.headers.set('Authorization', `Bearer ${fresh}`)
  return globalThis.fetch(retry)
}

export const api = createClient<paths>({
  baseUrl: baseUrl(),
  fetch: (request: Request) => authFetch(request),
})

/**
 * The console API's routes that take no session (forgot password, verify, invitation lookup):
 * no console session is ever attached.
 */
export const publicApi = createClient<paths>({
  baseUrl: baseUrl(),
  fetch: (request: Request) => globalThis.fetch(request),
})

/**
 * An instance's public API (`openapi/public.json`, whose server is `/public/v1/{instance}`) as an
 * end user's browser calls it (account pages behind the links in emails): no console session is
 * ever attached.
 */
export function instanceApi(instance: string) {
  return createClient<InstancePaths>({
    baseUrl: `${baseUrl()}/public/v1/${encodeURIComponent(instance)}`,
    fetch: (request: Request) => globalThis.fetch(request),
  })
}

/**
 * Exchanges the session cookie for a new access token (the server rotates the cookie). A plain
 * fetch: it must not go through the 401 retry. Throws an ApiError; 401 means "not signed in".
 */
export async function refreshSession(): Promise<TokenGrant> {
  const response = await globalThis.fetch(new URL('/api/v1/auth/refresh', baseUrl()), {
    method: 'POST',
    credentials: SESSION_CREDENTIALS,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', [SESSION_HEADER]: 'cookie' },
    body: '{}',
  })
  if (!response.ok) throw await problemFromResponse(response)
  return (await response.json()) as TokenGrant
}
session.setRefresher(refreshSession)

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

export interface UploadOptions {
  method?: 'PUT' | 'POST'
  /** Called as the body goes out: a fraction from 0 to 1. */
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

interface RawResponse {
  status: number
  statusText: string
  text: string
  retryAfter: string | null
}

function sendWithXhr(url: string, body: Blob, contentType: string, token: string | null, options: UploadOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(options.method ?? 'PUT', url)
    xhr.setRequestHeader('Content-Type', contentType)
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json')
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total)
    }
    xhr.onload = () =>
      resolve({ status: xhr.status, statusText: xhr.statusText, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') })
    // Same errors as fetch: a TypeError when the server cannot be reached, an AbortError when cancelled.
    xhr.onerror = () => reject(new TypeError('Failed to fetch'))
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    if (options.signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'))
      return
    }
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(body)
  })
}

/**
 * Uploads a file as the raw request body. XMLHttpRequest rather than fetch, because only it
 * reports upload progress; otherwise the same as every other call: the Bearer token, one refresh
 * and retry after a 401, and a problem document thrown as an ApiError.
 */
export async function uploadFile<T>(path: string, body: Blob, contentType: string, options: UploadOptions = {}): Promise<T> {
  const url = new URL(path, baseUrl()).toString()
  const token = await session.getAccessToken()
  let response = await sendWithXhr(url, body, contentType, token, options)
  if (response.status === 401 && token) {
    let cause: string | null = null
    try {
      cause = problemCode(JSON.parse(response.text))
    } catch {
      cause = null
    }
    const fresh = await session.refresh(token, cause)
    if (fresh) {
      options.onProgress?.(0)
      response = await sendWithXhr(url, body, contentType, fresh, options)
    }
  }
  let parsed: unknown = null
  try {
    parsed = response.text ? JSON.parse(response.text) : null
  } catch {
    parsed = null
  }
  if (response.status < 200 || response.status >= 300) {
    throw new ApiError(toProblem(parsed, response.status, response.statusText), parseRetryAfter(response.retryAfter))
  }
  return parsed as T
}
