import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { GeneralPage } from './GeneralPage'
import { suggestPort, type Role, type SmtpSettings, type SmtpTestReport } from './model'
import { toSmtpInput, valuesOf } from './smtpForm'
import { problem, stubFetch } from './testing'

const PATH = '/api/v1/instances/shop/smtp'

const saved: SmtpSettings = {
  enabled: true,
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  username: 'mailer',
  password_set: true,
  from_address: 'no-reply@example.com',
  from_name: 'Shop',
  allow_insecure_auth: false,
  reply_to: null,
  updated_at: '2026-11-28T10:00:00Z',
}

const failedReport: SmtpTestReport = {
  ok: false,
  steps: [
    { step: 'connect', outcome: 'ok', detail: 'connected to smtp.example.com:587; the server is mx.example.com', duration_ms: 12 },
    { step: 'tls', outcome: 'ok', detail: 'STARTTLS: the connection is encrypted', duration_ms: 30 },
    { step: 'auth', outcome: 'failed', detail: '535 5.7.8 Authentication credentials invalid', duration_ms: 8 },
    { step: 'send', outcome: 'skipped', detail: 'not reached', duration_ms: 0 },
  ],
}

function renderSmtp(role: Role, test: (body: unknown) => Response = () => jsonResponse(failedReport)) {
  const seen = stubFetch(({ method, path, body }) => {
    if (method === 'GET' && path === PATH) return jsonResponse(saved)
    if (method === 'PUT' && path === PATH) {
      const b = body as Record<string, unknown>
      if (b.host === 'bad host') {
        return problem(422, 'validation_failed', 'The request has invalid fields.', [
          { field: 'host', code: 'invalid_host', message: 'Host must be a host name or an IP address, without a port.' },
        ])
      }
      return jsonResponse({ ...saved, ...b, password_set: b.password === null ? false : saved.password_set, updated_at: '2026-11-28T11:00:00Z' })
    }
    if (method === 'POST' && path === `${PATH}/test`) return test(body)
    return undefined
  })
  const utils = renderRoutes(
    [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }],
    '/i/shop/general/smtp',
  )
  return { seen, ...utils }
}

describe('SMTP form helpers', () => {
  it('keeps, removes or replaces the stored password', () => {
    const values = valuesOf(saved)
    expect(toSmtpInput(values)).not.toHaveProperty('password')
    expect(toSmtpInput({ ...values, password: 's3cret' }).password).toBe('s3cret')
    expect(toSmtpInput({ ...values, password: 'typed', remove_password: true }).password).toBeNull()
    expect(toSmtpInput({ ...values, from_name: '  ', reply_to: '' })).toMatchObject({ from_name: null, reply_to: null })
    // AUTH without encryption only when the admin ticks it.
    expect(toSmtpInput(values).allow_insecure_auth).toBe(false)
    expect(toSmtpInput({ ...values, security: 'none', allow_insecure_auth: true }).allow_insecure_auth).toBe(true)
  })

  it('suggests the usual port only while the port is a usual one', () => {
    expect(suggestPort('tls', 587)).toBe(465)
    expect(suggestPort('none', 465)).toBe(25)
    expect(suggestPort('starttls', '')).toBe(587)
    expect(suggestPort('tls', 2525)).toBe(2525)
  })
})

describe('Email SMTP', () => {
  it("tests with the form's current values and shows every step, the failure with the server's reply", async () => {
    const { seen } = renderSmtp('admin')
    const host = await screen.findByRole('textbox', { name: 'Host' })
    expect(screen.getByPlaceholderText('Stored — leave empty to keep')).toBeInTheDocument()
    const user = userEvent.setup()
    await user.clear(host)
    await fill(user, host, 'mail.example.org')
    const to = screen.getByRole('textbox', { name: 'Send to' })
    await waitFor(() => expect(to).toHaveValue('owner@example.com'))
    await user.clear(to)
    await fill(user, to, 'me@example.org')
    await user.click(screen.getByRole('button', { name: 'Send test email' }))

    const result = await screen.findByRole('region', { name: 'Test result' })
    expect(within(result).getByText('The test failed')).toBeInTheDocument()
    const steps = result.querySelectorAll('[data-step]')
    expect(Array.from(steps).map((s) => `${s.getAttribute('data-step')}:${s.getAttribute('data-outcome')}`)).toEqual([
      'connect:ok',
      'tls:ok',
      'auth:failed',
      'send:skipped',
    ])
    expect(within(result).getByText('535 5.7.8 Authentication credentials invalid')).toBeInTheDocument()
    expect(within(result).getByText('Authenticate')).toBeInTheDocument()

    const sent = seen.find((r) => r.path === `${PATH}/test`)?.body as { to: string; settings: Record<string, unknown> }
    expect(sent.to).toBe('me@example.org')
    expect(sent.settings).toMatchObject({ enabled: true, host: 'mail.example.org', port: 587, security: 'starttls', username: 'mailer' })
    // No new password typed: the stored one is used.
    expect(sent.settings).not.toHaveProperty('password')
  })

  it('renders a successful test (skipped steps in grey)', async () => {
    renderSmtp('owner', () =>
      jsonResponse({
        ok: true,
        steps: [
          { step: 'connect', outcome: 'ok', detail: 'connected to 127.0.0.1:2525', duration_ms: 2 },
          { step: 'tls', outcome: 'skipped', detail: 'security is none: the connection is not encrypted', duration_ms: 0 },
          { step: 'auth', outcome: 'skipped', detail: 'no username: the server is used without authentication', duration_ms: 0 },
          { step: 'send', outcome: 'ok', detail: 'the server accepted the test email to owner@example.com (250 OK)', duration_ms: 40 },
        ],
      }),
    )
    const button = await screen.findByRole('button', { name: 'Send test email' })
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Send to' })).toHaveValue('owner@example.com'))
    await userEvent.setup().click(button)
    const result = await screen.findByRole('region', { name: 'Test result' })
    expect(within(result).getByText('The server accepted the test email')).toBeInTheDocument()
    expect(result.querySelector('[data-step="tls"]')).toHaveAttribute('data-outcome', 'skipped')
    expect(within(result).getAllByText('Skipped')).toHaveLength(2)
  })

  it('puts the errors of a refused test beside the fields', async () => {
    renderSmtp('admin', () =>
      problem(422, 'validation_failed', 'The request has invalid fields.', [
        { field: 'settings.port', code: 'out_of_range', message: 'Port must be between 1 and 65535.' },
      ]),
    )
    await screen.findByRole('textbox', { name: 'Host' })
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Send to' })).toHaveValue('owner@example.com'))
    await userEvent.setup().click(screen.getByRole('button', { name: 'Send test email' }))
    const port = screen.getByRole('textbox', { name: 'Port' })
    await waitFor(() => expect(port).toHaveAccessibleDescription('Port must be between 1 and 65535.'))
  })

  it('saves: field errors beside the field; removing the stored password sends null', async () => {
    const { seen } = renderSmtp('admin')
    const host = await screen.findByRole('textbox', { name: 'Host' })
    const user = userEvent.setup()
    await user.clear(host)
    await fill(user, host, 'bad host')
    await user.click(screen.getByRole('button', { name: 'Save settings' }))
    await waitFor(() => expect(host).toHaveAccessibleDescription('Host must be a host name or an IP address, without a port.'))

    await user.clear(host)
    await fill(user, host, 'smtp.example.org')
    await user.click(screen.getByRole('checkbox', { name: 'Remove the stored password' }))
    await user.click(screen.getByRole('button', { name: 'Save settings' }))
    expect(await screen.findByText(/SMTP settings saved/)).toBeInTheDocument()
    const puts = seen.filter((r) => r.method === 'PUT')
    expect(puts.at(-1)?.body).toMatchObject({ host: 'smtp.example.org', password: null })
    // Saved: the password is gone and nothing is left to save.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled())
    expect(screen.queryByPlaceholderText('Stored — leave empty to keep')).not.toBeInTheDocument()
  })

  it('suggests the usual port when the security changes', async () => {
    renderSmtp('admin')
    await screen.findByRole('textbox', { name: 'Host' })
    const user = userEvent.setup()
    await user.click(screen.getByRole('combobox', { name: 'Security' }))
    await user.click(await screen.findByRole('option', { name: /^TLS/, hidden: true }))
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Port' })).toHaveValue('465'))
  })

  it.each<Role>(['developer', 'viewer'])('is read-only for a %s: no save, no test', async (role) => {
    renderSmtp(role)
    const host = await screen.findByRole('textbox', { name: 'Host' })
    expect(host).toBeDisabled()
    expect(screen.getByRole('switch', { name: /Send this instance's emails/ })).toBeDisabled()
    expect(screen.getByText(/only admins and owners can change or test the SMTP settings/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send test email' })).not.toBeInTheDocument()
  })
})
