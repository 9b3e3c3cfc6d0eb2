import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { formatDateTime } from '../../lib/datetime'
import { session } from '../../lib/session'
import { account, problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { EmailVerificationPage, ForgotPasswordPage, PasswordResetPage } from './AccountLinkPages'

const LINK_INFO = '/api/v1/auth/link-info'
const EXPIRED_AT = '2026-11-30T09:15:00Z'

function linkInfo(state: 'valid' | 'expired' | 'used', purpose: 'verify_email' | 'reset_password', email = 'ada@example.com') {
  return jsonResponse({ purpose, email, expires_at: EXPIRED_AT, state })
}

/** The console API with link-info answering `info` (a fresh response each time) and `extra` for the rest. */
function stubLinks(info: () => Response, extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => (r.path === LINK_INFO ? info() : extra(r)))
}

function renderLinkPages(path: string) {
  return renderRoutes(
    [
      { path: '/verify-email', element: <EmailVerificationPage /> },
      { path: '/reset-password', element: <PasswordResetPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
    ],
    path,
  )
}

describe('console account link pages', () => {
  it('verifies the email only when asked (not on opening the link), once', async () => {
    const seen = stubLinks(
      () => linkInfo('valid', 'verify_email'),
      ({ path }) => (path === '/api/v1/auth/verify-email' ? jsonResponse(account({ email: 'ada@example.com' })) : undefined),
    )
    renderLinkPages('/verify-email?token=v-1')
    const user = userEvent.setup()
    const button = await screen.findByRole('button', { name: 'Verify my email' })
    expect(screen.getByText(/^Confirm that/)).toHaveTextContent('Confirm that ada@example.com is yours.')
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1)
    expect(screen.getByRole('link', { name: 'Go to the console' })).toHaveAttribute('href', '/')
    await waitFor(() => expect(document.title).toBe('Verify your email · Steward'))
    expect(seen.map((r) => [r.path, r.body])).toEqual([[LINK_INFO, { token: 'v-1' }]])
    expect(seen[0].headers.get('Authorization')).toBeNull()
    await user.click(button)
    expect(await screen.findByRole('status')).toHaveTextContent('ada@example.com is verified')
    expect(screen.getByRole('link', { name: 'Continue to the console' })).toHaveAttribute('href', '/')
    expect(seen.map((r) => [r.path, r.body])).toEqual([
      [LINK_INFO, { token: 'v-1' }],
      ['/api/v1/auth/verify-email', { token: 'v-1' }],
    ])
    expect(document.body).not.toHaveTextContent('v-1')
  })

  it('turns to the expired-link offer when the link dies before the click', async () => {
    let answers = 0
    stubLinks(
      () => {
        answers += 1
        // Valid when the page opens; expired by the time the button is pressed.
        return linkInfo(answers === 1 ? 'valid' : 'expired', 'verify_email')
      },
      () => problem(400, 'invalid_token', 'The link is invalid or has expired.'),
    )
    renderLinkPages('/verify-email?token=old')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Verify my email' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link has expired')
    expect(alert).toHaveTextContent(`It stopped working on ${formatDateTime(EXPIRED_AT)}.`)
    expect(screen.getByRole('link', { name: 'Sign in to send a new verification link' })).toHaveAttribute(
      'href',
      '/login?next=%2Fprofile&email=ada%40example.com',
    )
  })

  it('answers the forgotten-password form the same way whatever the address', async () => {
    const seen = stubApi(({ path }) => (path === '/api/v1/auth/forgot-password' ? jsonResponse(null, 202) : undefined))
    renderRoutes([{ path: '/forgot-password', element: <ForgotPasswordPage /> }], '/forgot-password')
    const user = userEvent.setup()
    await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'nobody@example.com')
    await user.click(screen.getByRole('button', { name: 'Send me a link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('If an account exists for nobody@example.com, we have sent a link to it.')
    expect(seen[0].body).toEqual({ email: 'nobody@example.com' })
  })

  it('shows the wait of a rate-limited forgotten-password request', async () => {
    stubApi(() => problem(429, 'too_many_attempts', 'Too many requests', { headers: { 'Retry-After': '30' } }))
    renderRoutes([{ path: '/forgot-password', element: <ForgotPasswordPage /> }], '/forgot-password')
    const user = userEvent.setup()
    await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
    await user.click(screen.getByRole('button', { name: 'Send me a link' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in 30 s.')
  })

  it('sets a new password with the link, then signs this tab out and offers to log in', async () => {
    session.signIn({ access_token: 'a', expires_in: 900 })
    const seen = stubLinks(
      () => linkInfo('valid', 'reset_password'),
      ({ path }) => (path === '/api/v1/auth/reset-password' ? jsonResponse(null, 204) : undefined),
    )
    renderLinkPages('/reset-password?token=r-1')
    const user = userEvent.setup()
    await fill(user, await screen.findByLabelText(/^new password/i, { selector: 'input' }), 'a new secret!')
    await fill(user, screen.getByLabelText(/^confirm new password/i, { selector: 'input' }), 'a different one')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('The passwords do not match')).toBeInTheDocument()
    expect(seen.map((r) => r.path)).toEqual([LINK_INFO])
    expect(screen.getByText(/^for/)).toHaveTextContent('for ada@example.com')
    const confirm = screen.getByLabelText(/^confirm new password/i, { selector: 'input' })
    await user.clear(confirm)
    await fill(user, confirm, 'a new secret!')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Your password is changed')
    expect(screen.getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login?email=ada%40example.com')
    expect(seen[1].body).toEqual({ token: 'r-1', password: 'a new secret!' })
    expect(session.getState().status).toBe('anonymous')
  })

  it('puts password rules beside the field and offers a new link for a dead one', async () => {
    let calls = 0
    stubLinks(
      // Still valid when asked again: the form says what happened.
      () => linkInfo('valid', 'reset_password'),
      () => {
        calls += 1
        return calls === 1
          ? problem(422, 'validation_failed', 'Invalid fields', { errors: [{ field: 'password', code: 'too_common', message: 'This password is too common' }] })
          : problem(400, 'invalid_token', 'The link is invalid or has expired.')
      },
    )
    renderLinkPages('/reset-password?token=r-2')
    const user = userEvent.setup()
    await fill(user, await screen.findByLabelText(/^new password/i, { selector: 'input' }), 'password1')
    await fill(user, screen.getByLabelText(/^confirm new password/i, { selector: 'input' }), 'password1')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('This password is too common')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid, expired or already used')
    expect(screen.getByRole('link', { name: 'Send me a new link' })).toHaveAttribute('href', '/forgot-password?email=ada%40example.com')
  })

  it('offers a new reset link for the same address when the link expired, filled in on the form', async () => {
    const seen = stubLinks(
      () => linkInfo('expired', 'reset_password', 'grace@example.com'),
      ({ path }) => (path === '/api/v1/auth/forgot-password' ? jsonResponse(null, 202) : undefined),
    )
    renderLinkPages('/reset-password?token=r-old')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link has expired')
    expect(alert).toHaveTextContent(`It stopped working on ${formatDateTime(EXPIRED_AT)}.`)
    expect(screen.getByText(/^for/)).toHaveTextContent('for grace@example.com')
    expect(screen.queryByLabelText(/^new password/i)).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Go to the console' })).toHaveAttribute('href', '/')
    const user = userEvent.setup()
    const newLink = screen.getByRole('link', { name: 'Send me a new link' })
    expect(newLink).toHaveAttribute('href', '/forgot-password?email=grace%40example.com')
    await user.click(newLink)
    expect(await screen.findByLabelText(/^email/i, { selector: 'input' })).toHaveValue('grace@example.com')
    await user.click(screen.getByRole('button', { name: 'Send me a link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('If an account exists for grace@example.com')
    expect(seen.at(-1)?.body).toEqual({ email: 'grace@example.com' })
  })

  it('says a used reset link was used, with the same offer', async () => {
    stubLinks(() => linkInfo('used', 'reset_password'))
    renderLinkPages('/reset-password?token=r-used')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link was already used')
    expect(alert).toHaveTextContent('Each link works once, and a newer email replaces it.')
    expect(screen.getByRole('link', { name: 'Send me a new link' })).toHaveAttribute('href', '/forgot-password?email=ada%40example.com')
  })

  it('explains an unknown reset link and offers the forgotten-password form', async () => {
    stubLinks(() => problem(400, 'invalid_token', 'The link is invalid.'))
    renderLinkPages('/reset-password?token=nope')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link does not work')
    expect(alert).toHaveTextContent('Open the link from the most recent email again')
    expect(screen.getByRole('link', { name: 'Send me a new link' })).toHaveAttribute('href', '/forgot-password')
    expect(screen.queryByText(/^for/)).not.toBeInTheDocument()
  })

  it('sends a signed-in account to the console for a new verification link', async () => {
    session.signIn({ access_token: 'a', expires_in: 900 })
    stubLinks(() => linkInfo('expired', 'verify_email'))
    renderLinkPages('/verify-email?token=v-old')
    expect(await screen.findByRole('alert')).toHaveTextContent('This link has expired')
    expect(screen.getByRole('link', { name: 'Open the console to send a new link' })).toHaveAttribute('href', '/profile')
    expect(screen.queryByRole('button', { name: 'Verify my email' })).not.toBeInTheDocument()
  })

  it('says a used verification link already verified the address', async () => {
    const seen = stubLinks(() => linkInfo('used', 'verify_email'))
    renderLinkPages('/verify-email?token=v-used')
    expect(await screen.findByRole('status')).toHaveTextContent('ada@example.com is verified')
    expect(screen.getByRole('link', { name: 'Continue to the console' })).toHaveAttribute('href', '/')
    expect(seen.map((r) => r.path)).toEqual([LINK_INFO])
  })

  it('lets the keyboard reach and use the show-password toggle', async () => {
    stubLinks(() => linkInfo('valid', 'reset_password'))
    renderLinkPages('/reset-password?token=r-3')
    const user = userEvent.setup()
    const password = await screen.findByLabelText(/^new password/i, { selector: 'input' })
    await user.click(password)
    await user.tab()
    expect(screen.getByRole('button', { name: 'Show password' })).toHaveFocus()
    await user.keyboard('{Enter}')
    expect(password).toHaveAttribute('type', 'text')
    await user.tab()
    expect(screen.getByLabelText(/^confirm new password/i, { selector: 'input' })).toHaveFocus()
    await user.tab()
    expect(screen.getByRole('button', { name: 'Show confirmation' })).toHaveFocus()
  })
})
