import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { session } from '../../lib/session'
import { account, problem, stubApi } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { EmailVerificationPage, ForgotPasswordPage, PasswordResetPage } from './AccountLinkPages'

describe('console account link pages', () => {
  it('verifies the email only when asked (not on opening the link), once', async () => {
    const seen = stubApi(({ path }) => (path === '/api/v1/auth/verify-email' ? jsonResponse(account({ email: 'ada@example.com' })) : undefined))
    renderRoutes([{ path: '/verify-email', element: <EmailVerificationPage /> }], '/verify-email?token=v-1')
    const user = userEvent.setup()
    const button = await screen.findByRole('button', { name: 'Verify my email' })
    await waitFor(() => expect(document.title).toBe('Verify your email · Steward'))
    expect(seen).toHaveLength(0)
    await user.click(button)
    expect(await screen.findByRole('status')).toHaveTextContent('ada@example.com is verified')
    expect(screen.getByRole('link', { name: 'Continue to the console' })).toHaveAttribute('href', '/')
    expect(seen.map((r) => [r.path, r.body])).toEqual([['/api/v1/auth/verify-email', { token: 'v-1' }]])
  })

  it('explains a used or expired verification link', async () => {
    stubApi(() => problem(400, 'invalid_token', 'The link is invalid or has expired.'))
    renderRoutes([{ path: '/verify-email', element: <EmailVerificationPage /> }], '/verify-email?token=old')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Verify my email' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid, expired or already used')
  })

  it('answers the forgotten-password form the same way whatever the address', async () => {
    const seen = stubApi(({ path }) => (path === '/api/v1/auth/forgot-password' ? jsonResponse(null, 202) : undefined))
    renderRoutes([{ path: '/forgot-password', element: <ForgotPasswordPage /> }], '/forgot-password')
    const user = userEvent.setup()
    await user.type(screen.getByLabelText(/^email/i, { selector: 'input' }), 'nobody@example.com')
    await user.click(screen.getByRole('button', { name: 'Send me a link' }))
    expect(await screen.findByRole('status')).toHaveTextContent('If an account exists for nobody@example.com, we have sent a link to it.')
    expect(seen[0].body).toEqual({ email: 'nobody@example.com' })
  })

  it('shows the wait of a rate-limited forgotten-password request', async () => {
    stubApi(() => problem(429, 'too_many_attempts', 'Too many requests', { headers: { 'Retry-After': '30' } }))
    renderRoutes([{ path: '/forgot-password', element: <ForgotPasswordPage /> }], '/forgot-password')
    const user = userEvent.setup()
    await user.type(screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
    await user.click(screen.getByRole('button', { name: 'Send me a link' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in 30 s.')
  })

  it('sets a new password with the link, then signs this tab out and offers to log in', async () => {
    session.signIn({ access_token: 'a', expires_in: 900 })
    const seen = stubApi(({ path }) => (path === '/api/v1/auth/reset-password' ? jsonResponse(null, 204) : undefined))
    renderRoutes([{ path: '/reset-password', element: <PasswordResetPage /> }], '/reset-password?token=r-1')
    const user = userEvent.setup()
    await user.type(screen.getByLabelText(/^new password/i, { selector: 'input' }), 'a new secret!')
    await user.type(screen.getByLabelText(/^confirm new password/i, { selector: 'input' }), 'a different one')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('The passwords do not match')).toBeInTheDocument()
    expect(seen).toHaveLength(0)
    const confirm = screen.getByLabelText(/^confirm new password/i, { selector: 'input' })
    await user.clear(confirm)
    await user.type(confirm, 'a new secret!')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Your password is changed')
    expect(screen.getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login')
    expect(seen[0].body).toEqual({ token: 'r-1', password: 'a new secret!' })
    expect(session.getState().status).toBe('anonymous')
  })

  it('puts password rules beside the field and offers a new link for a dead one', async () => {
    let calls = 0
    stubApi(() => {
      calls += 1
      return calls === 1
        ? problem(422, 'validation_failed', 'Invalid fields', { errors: [{ field: 'password', code: 'too_common', message: 'This password is too common' }] })
        : problem(400, 'invalid_token', 'The link is invalid or has expired.')
    })
    renderRoutes([{ path: '/reset-password', element: <PasswordResetPage /> }], '/reset-password?token=r-2')
    const user = userEvent.setup()
    await user.type(screen.getByLabelText(/^new password/i, { selector: 'input' }), 'password1')
    await user.type(screen.getByLabelText(/^confirm new password/i, { selector: 'input' }), 'password1')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('This password is too common')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid, expired or already used')
    expect(screen.getByRole('link', { name: 'Send me a new link' })).toHaveAttribute('href', '/forgot-password')
  })
})
