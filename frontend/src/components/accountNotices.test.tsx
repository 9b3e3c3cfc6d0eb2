import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../lib/problem'
import { account, problem, stubApi } from '../test/api'
import { jsonResponse, renderPage } from '../test/render'
import { ErrorAlert } from './ErrorAlert'
import { VerifyEmailBanner } from './VerifyEmailBanner'

describe('VerifyEmailBanner', () => {
  it('reminds an unverified account, and resends the link', async () => {
    const seen = stubApi(({ path }) => {
      if (path === '/api/v1/me') return jsonResponse(account({ email: 'ada@example.com', email_verified: false }))
      if (path === '/api/v1/me/verification-email') return jsonResponse(null, 202)
    })
    renderPage(<VerifyEmailBanner />)
    const user = userEvent.setup()
    expect(await screen.findByText('Verify your email address')).toBeInTheDocument()
    expect(screen.getByText(/We sent a link to/)).toHaveTextContent('ada@example.com')
    await user.click(screen.getByRole('button', { name: 'Resend email' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Sent. Check the inbox of ada@example.com')
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('says nothing for a verified account', async () => {
    const seen = stubApi(({ path }) => (path === '/api/v1/me' ? jsonResponse(account()) : undefined))
    renderPage(<VerifyEmailBanner />)
    await waitFor(() => expect(seen).toHaveLength(1))
    await new Promise((r) => setTimeout(r, 50))
    expect(screen.queryByText('Verify your email address')).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /resend/i })).not.toBeInTheDocument()
  })
})

describe('ErrorAlert', () => {
  it('turns two_factor_required into directions to Profile → Security', async () => {
    const error = new ApiError({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'two_factor_required', detail: 'Two-factor required' })
    stubApi(() => problem(404, 'not_found', 'x'))
    renderPage(<ErrorAlert error={error} />)
    expect(await screen.findByRole('alert')).toHaveTextContent('requires two-factor sign-in')
    expect(screen.getByRole('link', { name: 'Profile → Security' })).toHaveAttribute('href', '/profile/security')
  })
})
