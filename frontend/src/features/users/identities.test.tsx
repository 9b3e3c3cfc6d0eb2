import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { problem, stubApi, type ApiHandler } from '../../test/api'
import { jsonResponse, renderPage, renderRoutes } from '../../test/render'
import { formatDateTime, type Role, type User, type UserIdentity } from './model'
import { UserDetailPage } from './UserDetailPage'
import { UsersPage } from './UsersPage'

const USER = '/api/v1/instances/shop/users/u1'

const grace: User = {
  id: 'u1',
  email: 'grace@example.com',
  email_verified: true,
  given_name: 'Grace',
  family_name: 'Hopper',
  name: 'Grace Hopper',
  blocked: false,
  status: 'active',
  provider: 'google',
  has_password: false,
  metadata: {},
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
  last_login_at: '2026-11-02T10:00:00Z',
}

/** A guest: no address, no name (the API sends `email: null`). */
const guestUser: User = {
  ...grace,
  id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  email: null,
  email_verified: false,
  given_name: '',
  family_name: '',
  name: '',
  provider: 'guest',
  status: 'unverified',
}

const googleIdentity: UserIdentity = {
  id: 'i1',
  provider: 'google',
  subject: '109876543210',
  email: 'grace@example.com',
  linked_at: '2026-11-01T10:00:00Z',
  last_used_at: '2026-11-02T10:00:00Z',
}

const oktaIdentity: UserIdentity = {
  id: 'i2',
  provider: 'okta',
  subject: '00u1abcd',
  email: null,
  linked_at: '2026-11-01T11:00:00Z',
  last_used_at: null,
}

const activity = { sessions: [], sign_ins: [] }

function renderDetail(role: Role, { user = grace, identities = [googleIdentity, oktaIdentity], unlink }: { user?: User; identities?: UserIdentity[]; unlink?: ApiHandler } = {}) {
  let items = identities
  const userPath = `/api/v1/instances/shop/users/${user.id}`
  const seen = stubApi((request) => {
    const { method, path } = request
    if (method === 'GET' && path === userPath) return jsonResponse(user)
    if (method === 'GET' && path === `${userPath}/activity`) return jsonResponse(activity)
    if (method === 'GET' && path === `${userPath}/identities`) return jsonResponse({ items })
    if (method === 'PATCH' && path === userPath) return jsonResponse({ ...user, ...(request.body as object), updated_at: '2026-11-03T00:00:00Z' })
    if (method === 'DELETE' && path.startsWith(`${userPath}/identities/`)) {
      const answer = unlink?.(request)
      if (answer) return answer
      const id = path.split('/').at(-1)
      items = items.filter((i) => i.id !== id)
      return new Response(null, { status: 204 })
    }
    return undefined
  })
  renderRoutes([{ path: '/i/:slug/users/:id', element: <UserDetailPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }], `/i/shop/users/${user.id}`)
  return seen
}

describe('Identities on the user page', () => {
  it('lists the linked identities', async () => {
    renderDetail('developer')
    const table = await screen.findByRole('table', { name: 'Linked identities' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(2)
    expect(within(rows[0]).getByText('Google')).toBeInTheDocument()
    expect(within(rows[0]).getByText('109876543210')).toBeInTheDocument()
    expect(within(rows[0]).getByText('grace@example.com')).toBeInTheDocument()
    expect(within(rows[0]).getByText(formatDateTime('2026-11-02T10:00:00Z', 'UTC'))).toBeInTheDocument()
    // An OpenID Connect provider by its key; no address given, never used.
    expect(within(rows[1]).getByText('okta')).toBeInTheDocument()
    expect(within(rows[1]).getByText('None given')).toBeInTheDocument()
    expect(within(rows[1]).getByText('Never')).toBeInTheDocument()
    expect(screen.getByText('Google sign-in')).toBeInTheDocument()
  })

  it('unlinks an identity only after a confirmation', async () => {
    const seen = renderDetail('developer')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Unlink the okta identity 00u1abcd' }))
    const dialog = await screen.findByRole('dialog', { name: 'Unlink identity' })
    expect(dialog).toHaveTextContent('Unlink the okta account 00u1abcd from this user?')
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Unlink' }))

    expect(await screen.findByText('okta identity unlinked')).toBeInTheDocument()
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${USER}/identities/i2`])
    const table = screen.getByRole('table', { name: 'Linked identities' })
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2))
    expect(within(table).queryByText('00u1abcd')).not.toBeInTheDocument()
    expect(within(table).getByText('109876543210')).toBeInTheDocument()
  })

  it("shows why the user's last way to sign in cannot be unlinked", async () => {
    const detail = "This identity is the user's only way to sign in: set a password (or send a reset link) before unlinking it."
    const seen = renderDetail('admin', { identities: [googleIdentity], unlink: () => problem(409, 'last_sign_in_method', detail) })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Unlink the Google identity 109876543210' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Unlink identity' })).getByRole('button', { name: 'Unlink' }))

    const alert = (await screen.findByText('Could not unlink the identity')).closest<HTMLElement>('[role="alert"]')
    expect(alert).toHaveTextContent(detail)
    expect(seen.filter((r) => r.method === 'DELETE')).toHaveLength(1)
    // Still linked.
    expect(within(screen.getByRole('table', { name: 'Linked identities' })).getByText('109876543210')).toBeInTheDocument()
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Unlink identity' })).not.toBeInTheDocument())
  })

  it('says how a user without identities signs in', async () => {
    renderDetail('developer', { user: { ...grace, provider: 'password', has_password: true }, identities: [] })
    expect(await screen.findByText('No linked identities — this user signs in with a password.')).toBeInTheDocument()
    expect(screen.queryByRole('table', { name: 'Linked identities' })).not.toBeInTheDocument()
  })

  it('lets viewers read the identities but not unlink them', async () => {
    renderDetail('viewer')
    expect(await screen.findByRole('table', { name: 'Linked identities' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^Unlink/ })).not.toBeInTheDocument()
  })
})

describe('users without an email address', () => {
  it('names a guest by its id on its page, never "null", and offers no emails', async () => {
    const seen = renderDetail('developer', { user: guestUser, identities: [] })
    const heading = await screen.findByRole('heading', { level: 1 })
    expect(heading.textContent).toBe('Guest 2e3f4a5b')
    expect(screen.getByText('No email address')).toBeInTheDocument()
    expect(screen.getAllByText('Guest').length).toBeGreaterThan(0)
    expect(document.body).not.toHaveTextContent(/\bnull\b|undefined/)
    expect(await screen.findByText('No linked identities — this user is a guest session.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send verification email' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send password reset' })).not.toBeInTheDocument()

    // The profile saves without an address, and does not send one.
    const email = screen.getByRole('textbox', { name: 'Email' })
    expect(email).toHaveValue('')
    expect(email).not.toBeRequired()
    const user = userEvent.setup()
    await user.type(screen.getByRole('textbox', { name: 'Given name' }), 'Visitor')
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.some((r) => r.method === 'PATCH')).toBe(true))
    expect(seen.find((r) => r.method === 'PATCH')?.body).toEqual({ given_name: 'Visitor' })
  })

  it('lists a guest with a badge and its id, and names it in the selection', async () => {
    stubApi(({ path }) =>
      path === '/api/v1/instances/shop/users' ? jsonResponse({ items: [grace, guestUser], next_cursor: null, total: 2, total_capped: false }) : undefined,
    )
    renderPage(<UsersPage instance={{ slug: 'shop', role: 'developer', timeZone: 'UTC' }} />, '/i/shop/users')
    const link = await screen.findByRole('link', { name: 'Guest 2e3f4a5b' })
    expect(link.getAttribute('href')).toMatch(new RegExp(`/${guestUser.id}$`))
    const row = link.closest('tr') as HTMLElement
    // The badge beside the name, and the provider column.
    expect(within(row).getAllByText('Guest')).toHaveLength(2)
    expect(within(row).getByRole('checkbox', { name: 'Select Guest 2e3f4a5b' })).toBeInTheDocument()
    expect(row).not.toHaveTextContent(/null|undefined/)
    expect(screen.getByRole('link', { name: 'grace@example.com' })).toBeInTheDocument()
    // The provider column names the kind.
    expect(screen.getAllByText('Google').length).toBeGreaterThan(0)
  })

  it('offers the built-in providers and the OpenID Connect ones in the filter', async () => {
    const seen = stubApi(({ path }) => {
      if (path === '/api/v1/instances/shop/users') return jsonResponse({ items: [grace], next_cursor: null, total: 1, total_capped: false })
      if (path === '/api/v1/instances/shop/identity-providers') {
        return jsonResponse({
          items: [
            { key: 'password', kind: 'password', display_name: 'Email and password' },
            { key: 'okta', kind: 'oidc', display_name: 'Okta' },
          ],
        })
      }
      return undefined
    })
    renderPage(<UsersPage instance={{ slug: 'shop', role: 'viewer', timeZone: 'UTC' }} />, '/i/shop/users')
    const user = userEvent.setup()
    await screen.findByRole('link', { name: 'grace@example.com' })
    // Asked only once the list opens.
    expect(seen.some((r) => r.path.endsWith('/identity-providers'))).toBe(false)
    await user.click(screen.getByRole('combobox', { name: 'Provider' }))
    await waitFor(() => expect(screen.getByRole('option', { name: 'Okta', hidden: true })).toBeInTheDocument())
    const names = screen.getAllByRole('option', { hidden: true }).map((o) => o.textContent)
    expect(names).toEqual(expect.arrayContaining(['Password', 'Guest', 'Google', 'Facebook', 'X (Twitter)', 'LinkedIn', 'Okta']))
    await user.click(screen.getByRole('option', { name: 'Okta', hidden: true }))
    await waitFor(() => expect(seen.filter((r) => r.path === '/api/v1/instances/shop/users').at(-1)?.query.get('provider')).toBe('okta'))
  })
})
