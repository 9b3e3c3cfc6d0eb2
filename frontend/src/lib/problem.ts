/** RFC 9457 problem documents, as every Steward API error is shaped. */

export interface FieldError {
  field: string
  code: string
  message: string
  /** The line (1-based) of a template or file the error is about, when known. */
  line?: number | null
}

export interface Problem {
  type: string
  title: string
  status: number
  detail?: string | null
  code: string
  errors?: FieldError[] | null
}

/** The one error type thrown by API calls: a problem document plus the HTTP context. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  /** Seconds to wait, from `Retry-After` (429/503), when the server said so. */
  readonly retryAfter: number | null

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`)
    this.name = 'ApiError'
    this.status = problem.status
    this.problem = problem
    this.retryAfter = retryAfter
  }

  get code(): string {
    return this.problem.code
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? []
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseFieldErrors(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return []
  return v.filter(isRecord).map((e) => ({
    field: typeof e.field === 'string' ? e.field : '',
    code: typeof e.code === 'string' ? e.code : 'invalid',
    message: typeof e.message === 'string' ? e.message : 'Invalid value',
    ...(typeof e.line === 'number' ? { line: e.line } : {}),
  }))
}

/** Parses `Retry-After` given in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.max(0, Math.ceil((at - now) / 1000))
}

/**
 * Builds a Problem from whatever body came back with a failed response: a problem document,
 * some other JSON, or nothing at all (a proxy's HTML page, a dropped connection).
 */
export function toProblem(body: unknown, status: number, statusText = ''): Problem {
  const fallbackTitle = statusText || defaultTitle(status)
  if (!isRecord(body)) {
    return { type: 'about:blank', title: fallbackTitle, status, code: defaultCode(status), detail: null }
  }
  return {
    type: typeof body.type === 'string' ? body.type : 'about:blank',
    title: typeof body.title === 'string' ? body.title : fallbackTitle,
    status: typeof body.status === 'number' ? body.status : status,
    detail: typeof body.detail === 'string' ? body.detail : null,
    code: typeof body.code === 'string' ? body.code : defaultCode(status),
    errors: parseFieldErrors(body.errors),
  }
}

/** Reads a failed Response into an ApiError (consumes the body). */
export async function problemFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await response.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  return new ApiError(
    toProblem(body, response.status, response.statusText),
    parseRetryAfter(response.headers.get('Retry-After')),
  )
}

function defaultCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthorized'
    case 403:
      return 'forbidden'
    case 404:
      return 'not_found'
    case 429:
      return 'too_many_attempts'
    default:
      return status >= 500 ? 'internal' : 'error'
  }
}

function defaultTitle(status: number): string {
  if (status === 0) return 'Network error'
  if (status >= 500) return 'The server failed to answer'
  return `Request failed (${status})`
}

/** "42 s", or "15 min" for longer waits. */
export function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`
}

/** A sentence for the user: the problem's detail, with the wait for rate limits. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const base = error.problem.detail || error.problem.title
    // Add the wait from Retry-After unless the server's sentence already says it.
    if (error.status === 429 && error.retryAfter !== null && !/try again/i.test(base)) {
      return `${base.replace(/\.?$/, '.')} Try again in ${formatWait(error.retryAfter)}.`
    }
    return base
  }
  if (error instanceof TypeError) return 'Could not reach the server. Check your connection.'
  if (error instanceof Error) return error.message
  return 'Something went wrong.'
}
