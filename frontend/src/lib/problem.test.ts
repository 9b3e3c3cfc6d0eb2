import { describe, expect, it } from 'vitest'
import { ApiError, errorMessage, parseRetryAfter, problemFromResponse, toProblem } from './problem'

describe('toProblem', () => {
  it('keeps the fields of a problem document', () => {
    const p = toProblem(
      {
        type: 'https://steward.dev/problems/validation',
        title: 'Invalid request',
        status: 422,
        detail: 'Some fields are invalid.',
        code: 'validation_failed',
        errors: [{ field: 'email', code: 'invalid_email', message: 'Not an email address' }],
      },
      422,
    )
    expect(p.code).toBe('validation_failed')
    expect(p.detail).toBe('Some fields are invalid.')
    expect(p.errors).toEqual([{ field: 'email', code: 'invalid_email', message: 'Not an email address' }])
  })

  it('falls back sensibly when the body is not a problem document', () => {
    const p = toProblem('<html>Bad gateway</html>', 502, 'Bad Gateway')
    expect(p).toMatchObject({ status: 502, title: 'Bad Gateway', code: 'internal', detail: null })
    expect(toProblem(null, 404).code).toBe('not_found')
  })

  it('keeps the line of a template error', () => {
    const p = toProblem({ code: 'validation_failed', errors: [{ field: 'body', code: 'template_syntax', message: 'Line 3: oops', line: 3 }] }, 422)
    expect(p.errors).toEqual([{ field: 'body', code: 'template_syntax', message: 'Line 3: oops', line: 3 }])
  })

  it('drops malformed field errors instead of crashing', () => {
    const p = toProblem({ code: 'validation_failed', errors: [null, 'x', { field: 'slug' }] }, 422)
    expect(p.errors).toEqual([{ field: 'slug', code: 'invalid', message: 'Invalid value' }])
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:12 GMT', now)).toBe(12)
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter('soon')).toBeNull()
  })
})

describe('problemFromResponse / errorMessage', () => {
  it('tells the user how long to wait after a 429', async () => {
    const response = new Response(
      JSON.stringify({ type: 'about:blank', title: 'Too many attempts', status: 429, code: 'too_many_attempts', detail: 'Too many failed logins' }),
      { status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '42' } },
    )
    const error = await problemFromResponse(response)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.retryAfter).toBe(42)
    expect(errorMessage(error)).toBe('Too many failed logins. Try again in 42 s.')
  })

  it('does not repeat a wait the server already states', async () => {
    const response = new Response(
      JSON.stringify({ status: 429, code: 'too_many_attempts', title: 'Too Many Requests', detail: 'Too many failed sign-in attempts. Try again in 899 seconds.' }),
      { status: 429, headers: { 'Retry-After': '899' } },
    )
    expect(errorMessage(await problemFromResponse(response))).toBe('Too many failed sign-in attempts. Try again in 899 seconds.')
    const bare = new Response(JSON.stringify({ status: 429, code: 'too_many_attempts', title: 'Too Many Requests' }), {
      status: 429,
      headers: { 'Retry-After': '900' },
    })
    expect(errorMessage(await problemFromResponse(bare))).toBe('Too Many Requests. Try again in 15 min.')
  })

  it('explains network failures', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/could not reach the server/i)
  })
})
