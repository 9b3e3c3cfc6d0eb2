import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, renderRoutes } from '../../test/render'
import { ResetPasswordPage, VerifyEmailPage } from './AccountPages'

const branding = { instance: 'shop', name: 'Acme Shop', logo_url: 'http://localhost/public/v1/shop/branding/logo?v=abc' }

function requestUrl(input: unknown): string {
  return input instanceof Request ? input.url : String(input)
}

describe('account pages', () => {
  it('verifies the email once, with the instance logo, and sends no console session', async () => {
    const fetch = vi.fn(async (input: unknown) => {
      const url = requestUrl(input)
      if (url.endsWith('/branding')) return jsonResponse(branding)
      return jsonResponse({ email: 'ada@example.com', email_verified: true })
    })
    vi.stubGlobal('fetch', fetch)
    renderRoutes([{ path: '/account/verify-email', element: <VerifyEmailPage /> }], '/account/verify-email?instance=shop&token=t0k')
    expect(await screen.findByRole('status')).toHaveTextContent('ada@example.com is verified')
    expect(await screen.findByRole('img', { name: 'Acme Shop' })).toHaveAttribute('src', branding.logo_url)
    const verify = fetch.mock.calls.map((c) => c[0] as Request).filter((r) => r.url.endsWith('/auth/verify-email'))
    expect(verify).toHaveLength(1)
    expect(verify[0].headers.get('Authorization')).toBeNull()
    expect(await verify[0].json()).toEqual({ token: 't0k' })
  })

  it('shows the server refusal of a used link', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: unknown) =>
        requestUrl(input).endsWith('/branding')
          ? jsonResponse(branding)
          : jsonResponse({ type: 'x', title: 'Bad Request', status: 400, code: 'invalid_token', detail: 'This link is invalid or has expired.' }, 400),
      ),
    )
    renderRoutes([{ path: '/account/verify-email', element: <VerifyEmailPage /> }], '/account/verify-email?instance=shop&token=used')
    expect(await screen.findByRole('alert')).toHaveTextContent('This link is invalid or has expired.')
  })

  it('checks the new password before sending and says when the link is incomplete', async () => {
    const fetch = vi.fn(async (_input: unknown) => jsonResponse(branding))
    vi.stubGlobal('fetch', fetch)
    renderRoutes([{ path: '/account/reset-password', element: <ResetPasswordPage /> }], '/account/reset-password?instance=shop&token=t')
    const user = userEvent.setup()
    await user.type(screen.getByLabelText(/^new password/i, { selector: 'input' }), 'short')
    await user.type(screen.getByLabelText(/^repeat/i, { selector: 'input' }), 'other')
    await user.click(screen.getByRole('button', { name: 'Change my password' }))
    expect(await screen.findByText('At least 8 characters')).toBeInTheDocument()
    expect(screen.getByText('The passwords differ')).toBeInTheDocument()
    await waitFor(() => expect(fetch.mock.calls.every((c) => !requestUrl(c[0]).includes('reset-password'))).toBe(true))
  })

  it('says so when the link has no token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(branding)))
    renderRoutes([{ path: '/account/reset-password', element: <ResetPasswordPage /> }], '/account/reset-password?instance=shop')
    expect(await screen.findByRole('alert')).toHaveTextContent('incomplete')
  })
})
