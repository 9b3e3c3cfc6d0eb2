import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { formatDateTime } from '../../lib/datetime'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { AcceptInvitationPage, ResetPasswordPage, VerifyEmailPage } from './AccountPages'

const branding = { instance: 'shop', name: 'Acme Shop', logo_url: 'http://localhost/public/v1/shop/branding/logo?v=abc' }
const EXPIRED_AT = '2026-11-30T09:15:00Z'
const app = { name: 'Acme Web', url: 'https://shop.example.com/account' }
const TOKEN = 'secret-t0k3n-value'

type Purpose = 'verify_email' | 'reset_password' | 'invitation' | 'change_email'

function linkInfo(state: 'valid' | 'expired' | 'used', purpose: Purpose, application: typeof app | null = app) {
  return { purpose, email: 'grace@example.com', expires_at: EXPIRED_AT, state, application }
}

const LINK_INFO = '/public/v1/shop/auth/link-info'
const LINK_RENEW = '/public/v1/shop/auth/link-renew'
const VERIFY = '/public/v1/shop/auth/verify-email'
const SET_PASSWORD = '/public/v1/shop/auth/reset-password'

/** The public API of instance `shop`: branding, link-info answering `info`, and `extra` for the rest. */
function stub(info: Response | (() => Response), extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => {
    if (r.path === '/public/v1/shop/branding') return jsonResponse(branding)
    if (r.path === LINK_INFO) return typeof info === 'function' ? info() : info.clone()
    return extra(r)
  })
}

const pages = [
  { path: '/account/verify-email', element: <VerifyEmailPage /> },
  { path: '/account/reset-password', element: <ResetPasswordPage /> },
  { path: '/account/accept-invitation', element: <AcceptInvitationPage /> },
]

function open(page: 'verify-email' | 'reset-password' | 'accept-invitation', query = `instance=shop&token=${TOKEN}`) {
  return renderRoutes(pages, `/account/${page}?${query}`)
}

function calls(seen: SeenRequest[], path: string) {
  return seen.filter((r) => r.path === path)
}

describe('end-user verify email page', () => {
  it('checks the link, then verifies it once, shows the address and leads back to the application', async () => {
    const seen = stub(jsonResponse(linkInfo('valid', 'verify_email')), (r) =>
      r.path === VERIFY ? jsonResponse({ email: 'grace@example.com', email_verified: true }) : undefined,
    )
    open('verify-email')
    expect(await screen.findByRole('status')).toHaveTextContent('Thank you — grace@example.com is verified.')
    expect(screen.getByRole('heading', { level: 1, name: 'Email verification' })).toBeInTheDocument()
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1)
    expect(screen.getByText(/^for/)).toHaveTextContent('for grace@example.com')
    expect(screen.getByRole('link', { name: 'Back to Acme Web' })).toHaveAttribute('href', app.url)
    expect(screen.getByRole('status')).not.toHaveTextContent('close this page')
    expect(await screen.findByRole('img', { name: 'Acme Shop' })).toHaveAttribute('src', branding.logo_url)
    // link-info first, then one verification; the end user's pages never send a console session.
    const asked = seen.filter((r) => r.path !== '/public/v1/shop/branding')
    expect(asked.map((r) => [r.path, r.body])).toEqual([
      [LINK_INFO, { token: TOKEN }],
      [VERIFY, { token: TOKEN }],
    ])
    expect(asked.every((r) => r.headers.get('Authorization') === null)).toBe(true)
    expect(document.body).not.toHaveTextContent(TOKEN)
  })

  it('says "return to the application" when the link names no application', async () => {
    stub(jsonResponse(linkInfo('valid', 'verify_email', null)), (r) =>
      r.path === VERIFY ? jsonResponse({ email: 'grace@example.com', email_verified: true }) : undefined,
    )
    open('verify-email')
    expect(await screen.findByRole('status')).toHaveTextContent('is verified. You can close this page and return to the application.')
    expect(screen.queryByRole('link', { name: /^Back to/ })).not.toBeInTheDocument()
  })

  it('offers no way back to an application address that is not a web page', async () => {
    stub(jsonResponse(linkInfo('valid', 'verify_email', { name: 'Evil', url: 'javascript:alert(1)' })), (r) =>
      r.path === VERIFY ? jsonResponse({ email: 'grace@example.com', email_verified: true }) : undefined,
    )
    open('verify-email')
    expect(await screen.findByRole('status')).toHaveTextContent('return to the application')
    expect(screen.queryByRole('link', { name: /^Back to/ })).not.toBeInTheDocument()
  })

  it('says a used link already verified the address (or was replaced), without verifying again', async () => {
    const seen = stub(jsonResponse(linkInfo('used', 'verify_email')), (r) =>
      r.path === LINK_RENEW ? problem(409, 'already_verified', 'This address is already verified: you can sign in.') : undefined,
    )
    open('verify-email')
    const status = await screen.findByRole('status')
    expect(status).toHaveTextContent('This link was already used')
    expect(status).toHaveTextContent('grace@example.com is already verified')
    expect(screen.getByRole('link', { name: 'Back to Acme Web' })).toBeInTheDocument()
    expect(calls(seen, VERIFY)).toHaveLength(0)
    // A link a newer one replaced is "used" too: asking again settles which.
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Send me a new link' }))
    expect(await screen.findByText(/Good news/)).toHaveTextContent('Good news: grace@example.com is already verified.')
  })

  it('sends a change of address back to the application instead of renewing it', async () => {
    const seen = stub(jsonResponse(linkInfo('expired', 'change_email')))
    open('verify-email')
    expect(await screen.findByRole('alert')).toHaveTextContent('This link has expired')
    expect(screen.getByText(/ask for the change of address again in the application/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send me a new link' })).not.toBeInTheDocument()
    expect(calls(seen, VERIFY)).toHaveLength(0)
  })

  it('says when an expired link expired and sends a new one to the same address', async () => {
    const seen = stub(jsonResponse(linkInfo('expired', 'verify_email')), (r) =>
      r.path === LINK_RENEW ? jsonResponse({ email: 'grace@example.com' }, 202) : undefined,
    )
    open('verify-email')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link has expired')
    expect(alert).toHaveTextContent(`It stopped working on ${formatDateTime(EXPIRED_AT)}.`)
    expect(screen.getByText(/^for/)).toHaveTextContent('for grace@example.com')
    expect(calls(seen, VERIFY)).toHaveLength(0)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Send me a new link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('A new link is on its way to g…@example.com.')
    expect(screen.queryByRole('button', { name: 'Send me a new link' })).not.toBeInTheDocument()
    expect(calls(seen, LINK_RENEW).map((r) => r.body)).toEqual([{ token: TOKEN }])
    expect(screen.getByRole('link', { name: 'Back to Acme Web' })).toBeInTheDocument()
  })

  it('treats a renewal refused as already verified as good news', async () => {
    stub(jsonResponse(linkInfo('expired', 'verify_email')), (r) =>
      r.path === LINK_RENEW ? problem(409, 'already_verified', 'This address is already verified.') : undefined,
    )
    open('verify-email')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Send me a new link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('grace@example.com is already verified.')
    expect(screen.queryByRole('button', { name: 'Send me a new link' })).not.toBeInTheDocument()
  })

  it('shows the limit of a rate-limited renewal, with its wait', async () => {
    stub(jsonResponse(linkInfo('expired', 'verify_email')), (r) =>
      r.path === LINK_RENEW ? problem(429, 'too_many_attempts', 'Too many emails to this address', { headers: { 'Retry-After': '30' } }) : undefined,
    )
    open('verify-email')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Send me a new link' }))
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(2))
    expect(screen.getAllByRole('alert')[1]).toHaveTextContent('Too many emails to this address. Try again in 30 s.')
    expect(screen.getByRole('button', { name: 'Send me a new link' })).toBeEnabled()
  })

  it('explains an unknown link and what to do, without trying it', async () => {
    const seen = stub(problem(400, 'invalid_token', 'The link is invalid.'))
    open('verify-email')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This link does not work')
    expect(alert).toHaveTextContent('Open the link from your most recent email again, or sign in to the application')
    expect(screen.queryByText(/^for/)).not.toBeInTheDocument()
    expect(calls(seen, VERIFY)).toHaveLength(0)
  })

  it('explains a link to an instance that does not exist like an unknown link', async () => {
    stub(problem(404, 'not_found', 'No such instance.'))
    open('verify-email', `instance=nope&token=${TOKEN}`)
    expect(await screen.findByRole('alert')).toHaveTextContent('This link does not work')
  })

  it('says so when the link has no token, without asking the server', async () => {
    const seen = stub(jsonResponse(linkInfo('valid', 'verify_email')))
    open('verify-email', 'instance=shop')
    expect(await screen.findByRole('alert')).toHaveTextContent('incomplete')
    expect(calls(seen, LINK_INFO)).toHaveLength(0)
  })
})

describe('end-user password pages', () => {
  it('shows the address, checks the new password before sending, and leads back after the change', async () => {
    const seen = stub(jsonResponse(linkInfo('valid', 'reset_password')), (r) => (r.path === SET_PASSWORD ? jsonResponse(null, 204) : undefined))
    open('reset-password')
    const user = userEvent.setup()
    const password = await screen.findByLabelText(/^new password/i, { selector: 'input' })
    expect(screen.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeInTheDocument()
    expect(screen.getByText(/^for/)).toHaveTextContent('for grace@example.com')
    expect(screen.getByRole('link', { name: 'Back to Acme Web' })).toHaveAttribute('href', app.url)
    await user.type(password, 'short')
    await user.type(screen.getByLabelText(/^repeat/i, { selector: 'input' }), 'other')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('At least 8 characters')).toBeInTheDocument()
    expect(screen.getByText('The passwords differ')).toBeInTheDocument()
    expect(calls(seen, SET_PASSWORD)).toHaveLength(0)

    await user.clear(password)
    await fill(user, password, 'a new secret!')
    const repeat = screen.getByLabelText(/^repeat/i, { selector: 'input' })
    await user.clear(repeat)
    await fill(user, repeat, 'a new secret!')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Your password is changed')
    expect(calls(seen, SET_PASSWORD).map((r) => r.body)).toEqual([{ token: TOKEN, password: 'a new secret!' }])
    expect(screen.getByRole('link', { name: 'Back to Acme Web' })).toBeInTheDocument()
  })

  it('lets the keyboard show the password with a named toggle', async () => {
    stub(jsonResponse(linkInfo('valid', 'reset_password')))
    open('reset-password')
    const user = userEvent.setup()
    const password = await screen.findByLabelText(/^new password/i, { selector: 'input' })
    await user.click(password)
    await user.tab()
    const toggle = screen.getByRole('button', { name: 'Show password' })
    expect(toggle).toHaveFocus()
    expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await user.keyboard('{Enter}')
    expect(password).toHaveAttribute('type', 'text')
    expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await user.keyboard(' ')
    expect(password).toHaveAttribute('type', 'password')
    // A click with no pointer or key behind it (a screen reader's) toggles too.
    const repeat = screen.getByLabelText(/^repeat/i, { selector: 'input' })
    screen.getByRole('button', { name: 'Show repeated password' }).click()
    await waitFor(() => expect(repeat).toHaveAttribute('type', 'text'))
    expect(password).toHaveAttribute('type', 'password')
    // A pointer flips it once (on mouse-down), not again with the click that follows.
    await user.click(toggle)
    expect(password).toHaveAttribute('type', 'text')
  })

  it('says a used reset link was used and offers a new one', async () => {
    const seen = stub(jsonResponse(linkInfo('used', 'reset_password')), (r) =>
      r.path === LINK_RENEW ? jsonResponse({ email: 'g…@example.com' }, 202) : undefined,
    )
    open('reset-password')
    expect(await screen.findByRole('alert')).toHaveTextContent('This link was already used')
    expect(screen.queryByLabelText(/^new password/i)).not.toBeInTheDocument()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Send me a new link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('A new link is on its way to g…@example.com.')
    expect(calls(seen, LINK_RENEW)).toHaveLength(1)
  })

  it('offers a new link for an expired reset link', async () => {
    stub(jsonResponse(linkInfo('expired', 'reset_password', null)))
    open('reset-password')
    expect(await screen.findByRole('alert')).toHaveTextContent(formatDateTime(EXPIRED_AT))
    expect(screen.getByRole('button', { name: 'Send me a new link' })).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: /^Back to/ })).not.toBeInTheDocument()
  })

  it('switches to the new-link offer when the link dies while the page is open', async () => {
    let answers = 0
    stub(
      () => {
        answers += 1
        return jsonResponse(linkInfo(answers === 1 ? 'valid' : 'expired', 'reset_password'))
      },
      (r) => (r.path === SET_PASSWORD ? problem(400, 'invalid_token', 'The link is invalid or has expired.') : undefined),
    )
    open('reset-password')
    const user = userEvent.setup()
    await fill(user, await screen.findByLabelText(/^new password/i, { selector: 'input' }), 'a new secret!')
    await fill(user, screen.getByLabelText(/^repeat/i, { selector: 'input' }), 'a new secret!')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('button', { name: 'Send me a new link' })).toBeInTheDocument()
    expect(screen.getByRole('alert')).toHaveTextContent('This link has expired')
  })

  it('accepts an invitation for the address it names', async () => {
    const seen = stub(jsonResponse(linkInfo('valid', 'invitation')), (r) => (r.path === SET_PASSWORD ? jsonResponse(null, 204) : undefined))
    open('accept-invitation')
    const user = userEvent.setup()
    expect(await screen.findByText(/^for/)).toHaveTextContent('for grace@example.com')
    await fill(user, screen.getByLabelText(/^new password/i, { selector: 'input' }), 'a new secret!')
    await fill(user, screen.getByLabelText(/^repeat/i, { selector: 'input' }), 'a new secret!')
    await user.click(screen.getByRole('button', { name: 'Set my password' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Your account is ready.')
    expect(calls(seen, SET_PASSWORD)).toHaveLength(1)
  })

  it('says a used invitation link was used, renews an expired one, and knows an account with a password', async () => {
    stub(jsonResponse(linkInfo('used', 'invitation')), (r) =>
      r.path === LINK_RENEW ? problem(409, 'user_has_password', 'This account already has a password.') : undefined,
    )
    const first = open('accept-invitation')
    expect(await screen.findByRole('status')).toHaveTextContent('This invitation link was already used')
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Send me a new link' }))
    expect(await screen.findByText(/The account for/)).toHaveTextContent('The account for grace@example.com is ready')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
    first.unmount()

    stub(jsonResponse(linkInfo('expired', 'invitation')))
    open('accept-invitation')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText(/stopped working/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Send me a new link' })).toBeInTheDocument()
  })

  it('explains an unknown invitation link', async () => {
    stub(problem(400, 'invalid_token', 'The link is invalid.'))
    open('accept-invitation')
    expect(await screen.findByRole('alert')).toHaveTextContent('ask whoever invited you to send a new invitation')
  })

  it('says so when the link has no token', async () => {
    stub(jsonResponse(linkInfo('valid', 'reset_password')))
    open('reset-password', 'instance=shop')
    expect(await screen.findByRole('alert')).toHaveTextContent('incomplete')
  })
})
