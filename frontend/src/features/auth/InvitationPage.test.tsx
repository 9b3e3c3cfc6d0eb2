import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { formatDateTime } from '../../lib/datetime'
import { session } from '../../lib/session'
import { account, problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { InvitationPage } from './InvitationPage'

const invitation = {
  instance_name: 'Production',
  instance_slug: 'production',
  role: 'admin',
  email: 'grace@example.com',
  invited_by: 'Ada Lovelace',
  // A week from now: the page treats an invitation whose time ran out as expired.
  expires_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
}
const instance = { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role: 'admin', require_two_factor: false }
const URL_WITH_TOKEN = '/invitations/accept?token=inv-token'

function renderInvitation(path = URL_WITH_TOKEN) {
  return renderRoutes(
    [
      { path: '/invitations/accept', element: <InvitationPage /> },
      { path: '/i/:slug', element: <p>instance overview</p> },
      { path: '/login', element: <p>login page</p> },
    ],
    path,
  )
}

function stub(me: ReturnType<typeof account> | null, extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  if (me) session.signIn({ access_token: 'access-1', expires_in: 900 })
  return stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    if (r.path === '/api/v1/invitations/lookup') return jsonResponse(invitation)
    if (r.path === '/api/v1/me' && me) return jsonResponse(me)
    if (r.path === '/api/v1/auth/logout') return jsonResponse(null, 204)
  })
}

afterEach(() => session.clear())

describe('InvitationPage', () => {
  it('shows the invitation to a signed-out visitor, with sign-in and sign-up that come back here', async () => {
    const seen = stub(null)
    renderInvitation()
    expect(await screen.findByRole('heading', { name: 'Join Production' })).toBeInTheDocument()
    expect(screen.getByText(/invited/)).toHaveTextContent('Ada Lovelace invited grace@example.com to join Production as:')
    expect(screen.getByText('Admin')).toBeInTheDocument()
    await waitFor(() => expect(document.title).toBe('Join Production · Steward'))
    const back = encodeURIComponent(URL_WITH_TOKEN)
    expect(screen.getByRole('link', { name: 'Log in to accept' })).toHaveAttribute('href', `/login?next=${back}&email=grace%40example.com`)
    expect(screen.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', `/signup?next=${back}&email=grace%40example.com`)
    expect(seen.find((r) => r.path === '/api/v1/invitations/lookup')?.body).toEqual({ token: 'inv-token' })
    // Looking up needs no session.
    expect(seen.find((r) => r.path === '/api/v1/invitations/lookup')?.headers.get('Authorization')).toBeNull()
  })

  it('lets the invited, verified account accept, then opens the instance', async () => {
    const seen = stub(account({ email: 'Grace@Example.com' }), (r) =>
      r.path === '/api/v1/invitations/accept' ? jsonResponse(instance) : undefined,
    )
    renderInvitation()
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Accept and join Production' }))
    expect(await screen.findByText('instance overview')).toBeInTheDocument()
    const accept = seen.find((r) => r.path === '/api/v1/invitations/accept')
    expect(accept?.body).toEqual({ token: 'inv-token' })
    expect(accept?.headers.get('Authorization')).toBe('Bearer access-1')
  })

  it('explains an invitation for another address and offers to switch accounts', async () => {
    const seen = stub(account({ email: 'ada@example.com' }))
    renderInvitation()
    const user = userEvent.setup()
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('You are signed in as ada@example.com, but the invitation was sent to grace@example.com')
    expect(screen.queryByRole('button', { name: /accept/i })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Sign out and use grace@example.com' }))
    expect(await screen.findByText('login page')).toBeInTheDocument()
    expect(seen.some((r) => r.path === '/api/v1/auth/logout')).toBe(true)
    expect(session.getState().status).toBe('anonymous')
  })

  it('asks an unverified account to verify first, with a resend that respects the limit', async () => {
    const seen = stub(account({ email: 'grace@example.com', email_verified: false }), (r) =>
      r.path === '/api/v1/me/verification-email' ? problem(429, 'too_many_attempts', 'Too many emails', { headers: { 'Retry-After': '42' } }) : undefined,
    )
    renderInvitation()
    const user = userEvent.setup()
    expect(await screen.findByText('Verify your email address first')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /accept/i })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Resend verification email' }))
    expect(await screen.findByText(/You can ask for another in 42 s/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: /Resend verification email \(4\d s\)/ })).toBeDisabled()
    expect(seen.filter((r) => r.path === '/api/v1/me/verification-email')).toHaveLength(1)
  })

  it('handles the refusals of accept: already a member', async () => {
    stub(account({ email: 'grace@example.com' }), (r) =>
      r.path === '/api/v1/invitations/accept' ? problem(409, 'already_member', 'You are already a member of this instance.') : undefined,
    )
    renderInvitation()
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Accept and join Production' }))
    expect(await screen.findByText('You are already a member of Production.')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Open Production' })).toHaveAttribute('href', '/i/production')
  })

  it('says when the link cannot be used, who can send a new one, and leads back to the console', async () => {
    stub(null, (r) => (r.path === '/api/v1/invitations/lookup' ? problem(400, 'invalid_token', 'The link is invalid or has expired.') : undefined))
    renderInvitation()
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This invitation cannot be used')
    expect(alert).toHaveTextContent('Only an admin of the instance can send a new invitation: ask the person who invited you to resend it.')
    expect(screen.getByRole('link', { name: 'Go to the console' })).toHaveAttribute('href', '/')
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1)
  })

  it('says an invitation that expired while open has expired, and whom to ask for a new one', async () => {
    stub(null, (r) => (r.path === '/api/v1/invitations/lookup' ? jsonResponse({ ...invitation, expires_at: '2020-01-01T00:00:00Z' }) : undefined))
    renderInvitation()
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This invitation has expired')
    expect(alert).toHaveTextContent(`It stopped working on ${formatDateTime('2020-01-01T00:00:00Z')}.`)
    expect(alert).toHaveTextContent('Only an admin of Production can send a new one: ask Ada Lovelace, who invited you, to resend it.')
    expect(screen.getByText(/The invitation expired/)).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Log in to accept' })).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Go to the console' })).toHaveAttribute('href', '/')
  })

  it('offers the way back to the console beside an open invitation', async () => {
    stub(account({ email: 'grace@example.com' }))
    renderInvitation()
    expect(await screen.findByRole('button', { name: 'Accept and join Production' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Go to the console' })).toHaveAttribute('href', '/')
  })
})
