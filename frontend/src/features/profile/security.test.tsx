import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { account, problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { ProfilePage } from './ProfilePage'
import { describeUserAgent } from './userAgent'

const CODES = Array.from({ length: 10 }, (_, i) => `code${i}-abcde`)
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'

const sessions = {
  items: [
    { id: 's1', current: true, created_at: '2026-11-01T10:00:00Z', last_used_at: '2026-11-30T10:00:00Z', expires_at: '2026-12-30T10:00:00Z', ip: '192.0.2.1', user_agent: CHROME },
    { id: 's2', current: false, created_at: '2026-11-02T10:00:00Z', last_used_at: '2026-11-29T10:00:00Z', expires_at: '2026-12-29T10:00:00Z', ip: '198.51.100.7', user_agent: FIREFOX },
  ],
}

function event(id: string, kind: string, detail: string | null = null) {
  return { id, kind, at: '2026-11-30T09:00:00Z', ip: '192.0.2.1', user_agent: CHROME, detail }
}

/** The security area's API, with two-factor off until a right code enables it. */
function stubSecurity(extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  let enabled = false
  const seen = stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    const { method, path, body } = r
    if (path === '/api/v1/me') return jsonResponse(account({ two_factor_enabled: enabled }))
    if (path === '/api/v1/me/sessions') return jsonResponse(sessions)
    if (path === '/api/v1/me/security-events') {
      const kind = r.query.get('kind')
      if (kind === 'sign_in_failed') return jsonResponse({ items: [event('e9', 'sign_in_failed')], next_cursor: null, total: 1 })
      if (r.query.get('cursor') === 'c2') return jsonResponse({ items: [event('e3', 'password_changed')], next_cursor: null, total: 3 })
      return jsonResponse({ items: [event('e1', 'signed_in'), event('e2', 'email_changed', 'old@example.com → ada@example.com')], next_cursor: 'c2', total: 3 })
    }
    if (path === '/api/v1/me/two-factor') {
      return jsonResponse({ enabled, enabled_at: enabled ? '2026-11-30T10:00:00Z' : null, recovery_codes_left: enabled ? 10 : 0 })
    }
    if (method === 'POST' && path === '/api/v1/me/two-factor/setup') {
      if ((body as { current_password: string }).current_password !== 'right password') {
        return problem(422, 'validation_failed', 'Invalid fields', { errors: [{ field: 'current_password', code: 'invalid_password', message: 'The password is not right' }] })
      }
      return jsonResponse({ secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Steward:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Steward' })
    }
    if (method === 'POST' && path === '/api/v1/me/two-factor/enable') {
      if ((body as { code: string }).code !== '246810') {
        return problem(422, 'validation_failed', 'Invalid fields', { errors: [{ field: 'code', code: 'invalid_code', message: 'This code is not the current one' }] })
      }
      enabled = true
      return jsonResponse({ recovery_codes: CODES })
    }
    if (method === 'POST' && path === '/api/v1/me/sessions/revoke-others') return jsonResponse({ revoked: 1 })
  })
  return seen
}

function renderSecurity() {
  return renderRoutes([{ path: '/profile/:tab', element: <ProfilePage /> }], '/profile/security')
}

describe('Profile → Security: two-factor enrolment', () => {
  it('goes password → QR code and secret → code → recovery codes, then shows it on', async () => {
    const createObjectURL = vi.fn((_blob: Blob) => 'blob:codes')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const seen = stubSecurity()
    renderSecurity()
    const user = userEvent.setup()
    await waitFor(() => expect(document.title).toBe('Security · Profile · Steward'))
    await user.click(await screen.findByRole('button', { name: 'Set up two-factor sign-in' }, { timeout: 5000 }))

    // 1. The password (a wrong one is refused beside the field).
    const dialog = await screen.findByRole('dialog', { name: 'Turn on two-factor sign-in' })
    await user.type(within(dialog).getByLabelText(/^current password/i, { selector: 'input' }), 'wrong')
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }))
    expect(await within(dialog).findByText('The password is not right')).toBeInTheDocument()
    const password = within(dialog).getByLabelText(/^current password/i, { selector: 'input' })
    await user.clear(password)
    await fill(user, password, 'right password')
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }))

    // 2. The QR code of the otpauth URI and the secret, shown once.
    const qr = await within(dialog).findByRole('img', { name: /QR code/ })
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    expect(within(dialog).getByText('JBSW Y3DP EHPK 3PXP')).toBeInTheDocument()
    expect(within(dialog).getByText(/shown only now/)).toBeInTheDocument()

    // 3. A code from the app: a wrong one is refused beside the field, then the right one.
    const code = within(dialog).getByLabelText(/^code from the app/i, { selector: 'input' })
    await user.type(code, '111111')
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }))
    expect(await within(dialog).findByText('This code is not the current one')).toBeInTheDocument()
    await user.clear(code)
    await user.type(code, '246810')
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }))

    // 4. The ten recovery codes: copy, download, and "I've saved them" before leaving.
    const codes = await screen.findByRole('dialog', { name: 'Two-factor sign-in is on' })
    const list = within(codes).getByRole('list', { name: 'Recovery codes' })
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES)
    expect(within(codes).queryByRole('button', { name: /close/i })).not.toBeInTheDocument()
    await user.click(within(codes).getByRole('button', { name: 'Download .txt' }))
    expect(createObjectURL).toHaveBeenCalledTimes(1)
    const file = await createObjectURL.mock.calls[0][0].text()
    expect(file).toContain('ada@example.com')
    CODES.forEach((c) => expect(file).toContain(c))
    const done = within(codes).getByRole('button', { name: 'Done' })
    expect(done).toBeDisabled()
    await user.click(within(codes).getByRole('checkbox', { name: /I have saved these recovery codes/ }))
    await user.click(done)

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(await screen.findByText('10 recovery codes left.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Turn off' })).toBeInTheDocument()
    expect(seen.filter((r) => r.path === '/api/v1/me/two-factor/enable').map((r) => r.body)).toEqual([{ code: '111111' }, { code: '246810' }])
  })

  it('turns it off with a recovery code, showing a wrong one beside the field', async () => {
    let on = true
    const seen = stubSecurity(({ method, path, body }) => {
      if (path === '/api/v1/me/two-factor' && method === 'GET') return jsonResponse({ enabled: on, enabled_at: '2026-11-01T00:00:00Z', recovery_codes_left: 2 })
      if (path === '/api/v1/me/two-factor/disable') {
        if ((body as { recovery_code?: string }).recovery_code !== 'good-code') {
          return problem(422, 'validation_failed', 'Invalid fields', { errors: [{ field: 'recovery_code', code: 'invalid_code', message: 'Not one of your recovery codes' }] })
        }
        on = false
        return jsonResponse(null, 204)
      }
    })
    renderSecurity()
    const user = userEvent.setup()
    // Few codes left: a nudge to renew them.
    expect(await screen.findByText(/2 recovery codes left: generate new ones soon/)).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Turn off' }))
    const dialog = await screen.findByRole('dialog', { name: 'Turn off two-factor sign-in' })
    await user.click(within(dialog).getByRole('button', { name: 'Use a recovery code instead' }))
    await fill(user, within(dialog).getByLabelText(/^recovery code/i, { selector: 'input' }), 'bad-code')
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }))
    expect(await within(dialog).findByText('Not one of your recovery codes')).toBeInTheDocument()
    const input = within(dialog).getByLabelText(/^recovery code/i, { selector: 'input' })
    await user.clear(input)
    await fill(user, input, 'good-code')
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }))
    expect(await screen.findByRole('button', { name: 'Set up two-factor sign-in' })).toBeInTheDocument()
    expect(seen.filter((r) => r.path.endsWith('/disable')).map((r) => r.body)).toEqual([{ recovery_code: 'bad-code' }, { recovery_code: 'good-code' }])
  })
})

describe('Profile → Security: sessions and log', () => {
  it('lists the sessions with a readable device, marks this one, and signs out the others after confirming', async () => {
    const seen = stubSecurity()
    renderSecurity()
    const user = userEvent.setup()
    const table = await screen.findByRole('table', { name: 'Active sessions' })
    await within(table).findByText('198.51.100.7')
    const rows = within(table).getAllByRole('row')
    expect(rows[1]).toHaveTextContent('Chrome 131 on Linux')
    expect(rows[1]).toHaveTextContent('This device')
    expect(within(rows[1]).queryByRole('button', { name: /revoke/i })).not.toBeInTheDocument()
    expect(rows[2]).toHaveTextContent('Firefox 133 on Windows')
    expect(rows[2]).toHaveTextContent('198.51.100.7')
    expect(within(rows[2]).getByRole('button', { name: /revoke/i })).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Sign out all other sessions' }))
    const confirm = await screen.findByRole('dialog', { name: 'Sign out all other sessions' })
    expect(seen.some((r) => r.path.endsWith('/revoke-others'))).toBe(false)
    await user.click(within(confirm).getByRole('button', { name: 'Sign them out' }))
    expect(await screen.findByText('Signed out 1 other session')).toBeInTheDocument()
    expect(seen.filter((r) => r.path.endsWith('/revoke-others'))).toHaveLength(1)
  })

  it('shows the log in words, pages with Load more, and filters by kind', async () => {
    const seen = stubSecurity()
    renderSecurity()
    const user = userEvent.setup()
    const log = await screen.findByRole('table', { name: 'Security log' })
    expect(await within(log).findByText('Signed in')).toBeInTheDocument()
    expect(within(log).getByText('Email address changed')).toBeInTheDocument()
    expect(within(log).getByText('old@example.com → ada@example.com')).toBeInTheDocument()
    expect(screen.getByText('Showing 2 of 3')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Load more' }))
    expect(await within(log).findByText('Password changed')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()

    await user.click(screen.getByLabelText('Show', { selector: 'input' }))
    await user.click(await screen.findByRole('option', { name: 'Failed sign-in attempt', hidden: true }))
    expect(await within(log).findByText('Failed sign-in attempt')).toBeInTheDocument()
    await waitFor(() => expect(within(log).queryByText('Signed in')).not.toBeInTheDocument())
    expect(seen.some((r) => r.path === '/api/v1/me/security-events' && r.query.get('kind') === 'sign_in_failed')).toBe(true)
  })
})

describe('describeUserAgent', () => {
  it('names common browsers and systems, and keeps something for the rest', () => {
    expect(describeUserAgent(CHROME).summary).toBe('Chrome 131 on Linux')
    expect(describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15').summary).toBe('Safari 17 on macOS')
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1')).toEqual({ summary: 'Safari 17 on iOS', mobile: true })
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0').summary).toBe('Edge 131 on Windows')
    expect(describeUserAgent('curl/8.5.0').summary).toBe('curl 8')
    expect(describeUserAgent(null).summary).toBe('Unknown device')
    expect(describeUserAgent('MyTool/1.2 (+https://example.com)').summary).toBe('MyTool/1.2')
  })
})
