import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { problem, stubApi } from '../../test/api'
import { jsonResponse, renderPage, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { CreateUserModal } from './CreateUserModal'
import { filtersFromParams, listQuery, startOfDay, type Role } from './model'
import { UserDetailPage } from './UserDetailPage'
import { UsersPage } from './UsersPage'

const ada = {
  id: 'u1',
  email: 'ada@example.com',
  email_verified: true,
  given_name: 'Ada',
  family_name: 'Lovelace',
  name: 'Ada Lovelace',
  blocked: false,
  status: 'active',
  provider: 'password',
  has_password: true,
  metadata: {},
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
  last_login_at: null,
}

function urlOf(input: RequestInfo | URL): URL {
  return new URL(input instanceof Request ? input.url : String(input))
}

function listResponse(total = 1234) {
  return jsonResponse({ items: [ada], next_cursor: 'c2', total, total_capped: false })
}

describe('CreateUserModal', () => {
  it("shows the server's email_taken beside the email field", async () => {
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      expect(urlOf(input).pathname).toBe('/api/v1/instances/shop/users')
      return jsonResponse(
        {
          type: 'urn:steward:problem:email_taken',
          title: 'Conflict',
          status: 409,
          code: 'email_taken',
          detail: 'An account with this email already exists.',
          errors: [{ field: 'email', code: 'email_taken', message: 'An account with this email already exists.' }],
        },
        409,
      )
    })
    vi.stubGlobal('fetch', fetchMock)
    renderPage(<CreateUserModal slug="shop" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()

    const email = await screen.findByRole('textbox', { name: 'Email' })
    await fill(user, email, 'ada@example.com')
    await user.type(screen.getByRole('textbox', { name: 'Given name' }), 'Ada')
    await fill(user, screen.getByRole('textbox', { name: 'Metadata' }), '{"plan": "pro"}')
    await user.click(screen.getByRole('radio', { name: 'No password for now' }))
    await user.click(screen.getByRole('button', { name: 'Add user' }))

    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1))
    const sent = (await (fetchMock.mock.calls[0][0] as Request).json()) as Record<string, unknown>
    expect(sent).toEqual({ email: 'ada@example.com', given_name: 'Ada', email_verified: false, blocked: false, metadata: { plan: 'pro' } })

    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'))
    expect(email).toHaveAccessibleDescription('An account with this email already exists.')
    // Placed beside the field: no extra banner.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('sends an invitation instead of a password when asked', async () => {
    const seen = stubApi(({ method, path }) =>
      method === 'POST' && path === '/api/v1/instances/shop/users' ? jsonResponse({ ...ada, email: 'grace@example.com', has_password: false }, 201) : undefined,
    )
    const onCreated = vi.fn()
    renderPage(<CreateUserModal slug="shop" opened onClose={() => {}} onCreated={onCreated} />)
    const user = userEvent.setup()

    await fill(user, await screen.findByRole('textbox', { name: 'Email' }), 'grace@example.com')
    // "Set a password now" is the default and needs a password.
    expect(screen.getByRole('radio', { name: 'Set a password now' })).toBeChecked()
    await user.click(screen.getByRole('button', { name: 'Add user' }))
    expect(await screen.findByText(/Enter a password, or choose another option/)).toBeInTheDocument()
    expect(seen).toHaveLength(0)

    await fill(user, screen.getByLabelText(/^Password/, { selector: 'input' }), 'a password typed first')
    const invite = screen.getByRole('radio', { name: 'Send an invitation email' })
    await user.click(invite)
    expect(invite).toHaveAccessibleDescription(/grace@example\.com gets an email with a link to choose their own password\. The link is valid for 7 days/)
    // The password typed before is neither shown nor sent.
    expect(screen.queryByLabelText(/^Password/, { selector: 'input' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Add user' }))

    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1))
    expect(seen[0].body).toEqual({ email: 'grace@example.com', send_invitation: true, email_verified: false, blocked: false })
    expect(onCreated.mock.calls[0][1]).toBe(true)
  })

  it("shows the server's send_invitation error beside the password choice", async () => {
    stubApi(() =>
      problem(422, 'validation_failed', 'The request is invalid.', {
        errors: [{ field: 'send_invitation', code: 'not_applicable', message: 'Send an invitation or set a password, not both.' }],
      }),
    )
    renderPage(<CreateUserModal slug="shop" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()
    await fill(user, await screen.findByRole('textbox', { name: 'Email' }), 'grace@example.com')
    await user.click(screen.getByRole('radio', { name: 'Send an invitation email' }))
    await user.click(screen.getByRole('button', { name: 'Add user' }))
    const group = await screen.findByRole('radiogroup', { name: 'Password' })
    // Beside the choice (in its wrapper), not in a banner.
    await waitFor(() => expect(group.parentElement).toHaveTextContent('Send an invitation or set a password, not both.'))
    expect(within(screen.getByRole('dialog', { name: 'Add user' })).queryByRole('alert')).not.toBeInTheDocument()
  })

  it('catches invalid metadata JSON before sending', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    renderPage(<CreateUserModal slug="shop" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()

    await fill(user, await screen.findByRole('textbox', { name: 'Email' }), 'ada@example.com')
    const metadata = screen.getByRole('textbox', { name: 'Metadata' })
    await fill(user, metadata, '{"plan": pro}')
    await user.click(screen.getByRole('button', { name: 'Add user' }))
    await waitFor(() => expect(metadata).toHaveAttribute('aria-invalid', 'true'))
    expect(metadata).toHaveAccessibleDescription(/Not valid JSON/)

    // Valid JSON, but not an object.
    await user.clear(metadata)
    await user.type(metadata, '[[1, 2]')
    await user.click(screen.getByRole('button', { name: 'Add user' }))
    await waitFor(() => expect(metadata).toHaveAccessibleDescription(/must be a JSON object/))
    expect(fetchMock).not.toHaveBeenCalled()
  })
})

describe('UsersPage', () => {
  function renderAs(role: Role, path = '/i/shop/users') {
    const fetchMock = vi.fn(async () => listResponse())
    vi.stubGlobal('fetch', fetchMock)
    const utils = renderPage(<UsersPage instance={{ slug: 'shop', role, timeZone: 'Europe/Athens' }} />, path)
    return { ...utils, fetchMock }
  }

  function lastQuery(fetchMock: ReturnType<typeof vi.fn>): URLSearchParams {
    const calls = fetchMock.mock.calls as unknown as [RequestInfo][]
    return urlOf(calls[calls.length - 1][0]).searchParams
  }

  it('reads the filters from the URL and sends them', async () => {
    const { fetchMock } = renderAs('developer', '/i/shop/users?q=ada&status=blocked&provider=password&from=2026-11-01&to=2026-11-30&sort=email&order=asc')
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()
    expect(screen.getByTestId('users-total')).toHaveTextContent('1,234 users')

    const q = lastQuery(fetchMock)
    expect(q.get('q')).toBe('ada')
    expect(q.get('status')).toBe('blocked')
    expect(q.get('provider')).toBe('password')
    // Days in the instance's time zone (Athens: UTC+2 in winter); "to" is inclusive.
    expect(q.get('created_from')).toBe('2026-10-31T22:00:00.000Z')
    expect(q.get('created_to')).toBe('2026-11-30T22:00:00.000Z')
    expect(q.get('sort')).toBe('email')
    expect(q.get('order')).toBe('asc')
    expect(q.get('limit')).toBe('50')

    expect(screen.getByRole('textbox', { name: 'Search' })).toHaveValue('ada')
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('Blocked')
    expect(screen.getByRole('combobox', { name: 'Sort by' })).toHaveValue('Email')
    expect(screen.getByRole('button', { name: 'Switch to descending order' })).toBeInTheDocument()
  })

  it('writes the filters to the URL (the search after a pause in typing)', async () => {
    const { fetchMock, router } = renderAs('developer')
    // Keys without a pause between them (`delay: null`): however busy the machine, the debounce
    // cannot end in the middle of the word.
    const user = userEvent.setup({ delay: null })
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()

    await user.click(screen.getByRole('combobox', { name: 'Status' }))
    await user.click(await screen.findByRole('option', { name: 'Unverified', hidden: true }))
    await waitFor(() => expect(router.state.location.search).toBe('?status=unverified'))
    await waitFor(() => expect(lastQuery(fetchMock).get('status')).toBe('unverified'))

    await user.type(screen.getByRole('textbox', { name: 'Search' }), 'lovelace')
    // Not once per keystroke: one write when typing stops.
    expect(router.state.location.search).not.toContain('q=')
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('q')).toBe('lovelace'))
    await waitFor(() => expect(lastQuery(fetchMock).get('q')).toBe('lovelace'))
    const searched = (fetchMock.mock.calls as unknown as [RequestInfo][]).filter(([r]) => urlOf(r).searchParams.has('q'))
    expect(searched).toHaveLength(1)

    await user.click(screen.getByRole('button', { name: 'Switch to ascending order' }))
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('order')).toBe('asc'))

    await user.click(screen.getByRole('button', { name: 'Clear filters' }))
    await waitFor(() => expect(router.state.location.search).toBe('?order=asc'))
    expect(screen.getByRole('textbox', { name: 'Search' })).toHaveValue('')
  })

  it('pages with the cursor and back', async () => {
    const { fetchMock } = renderAs('viewer')
    const user = userEvent.setup()
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled()
    await user.click(screen.getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(lastQuery(fetchMock).get('cursor')).toBe('c2'))
    expect(await screen.findByText('Page 2')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByRole('button', { name: 'Previous' })).toBeEnabled())
    await user.click(screen.getByRole('button', { name: 'Previous' }))
    await waitFor(() => expect(screen.queryByText('Page 2')).not.toBeInTheDocument())
  })

  it('sorts by name', async () => {
    const { fetchMock, router } = renderAs('developer')
    const user = userEvent.setup()
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()
    await user.click(screen.getByRole('combobox', { name: 'Sort by' }))
    await user.click(await screen.findByRole('option', { name: 'Name', hidden: true }))
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('sort')).toBe('name'))
    await waitFor(() => expect(lastQuery(fetchMock).get('sort')).toBe('name'))
    expect(lastQuery(fetchMock).get('order')).toBe('desc')
    expect(filtersFromParams(new URLSearchParams('sort=name')).sort).toBe('name')
  })

  it('keeps the page in the URL: a reload shows the same page, and "Previous" still works', async () => {
    const { fetchMock, router } = renderAs('viewer', '/i/shop/users?status=active&prev=c2&cursor=c3')
    const user = userEvent.setup()
    const search = () => new URLSearchParams(router.state.location.search)
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()
    expect(lastQuery(fetchMock).get('cursor')).toBe('c3')
    expect(lastQuery(fetchMock).get('status')).toBe('active')
    expect(screen.getByText('Page 3')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Previous' }))
    await waitFor(() => expect(lastQuery(fetchMock).get('cursor')).toBe('c2'))
    expect(search().get('cursor')).toBe('c2')
    expect(search().getAll('prev')).toEqual([])
    expect(await screen.findByText('Page 2')).toBeInTheDocument()

    await waitFor(() => expect(screen.getByRole('button', { name: 'Previous' })).toBeEnabled())
    await user.click(screen.getByRole('button', { name: 'Previous' }))
    await waitFor(() => expect(router.state.location.search).toBe('?status=active'))
    await waitFor(() => expect(lastQuery(fetchMock).has('cursor')).toBe(false))

    await waitFor(() => expect(screen.getByRole('button', { name: 'Next' })).toBeEnabled())
    await user.click(screen.getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(search().get('cursor')).toBe('c2'))

    // Another filter starts from the first page again.
    await user.click(screen.getByRole('button', { name: 'Switch to ascending order' }))
    await waitFor(() => expect(router.state.location.search).toBe('?status=active&order=asc'))
    await waitFor(() => expect(lastQuery(fetchMock).has('cursor')).toBe(false))
  })

  it('keeps the key columns on a phone and hides the others until wider screens', async () => {
    renderAs('developer')
    expect(await screen.findByRole('checkbox', { name: 'Select ada@example.com' })).toBeInTheDocument()
    const header = (name: string) => screen.getByRole('columnheader', { name })
    for (const key of ['Select every user on this page', 'Email', 'Status']) {
      expect(header(key).className).not.toMatch(/visible-from/)
    }
    expect(header('Name').className).toMatch(/visible-from-sm/)
    expect(header('Created').className).toMatch(/visible-from-md/)
    expect(header('Provider').className).toMatch(/visible-from-lg/)
    expect(header('Last sign-in').className).toMatch(/visible-from-lg/)
  })

  it('shows viewers no "Add user"', async () => {
    renderAs('viewer')
    expect(await screen.findByRole('link', { name: 'ada@example.com' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add user' })).not.toBeInTheDocument()
  })

  it('lets developers add users', async () => {
    renderAs('developer')
    expect(await screen.findByRole('button', { name: 'Add user' })).toBeInTheDocument()
  })
})

describe('UserDetailPage', () => {
  const activity = {
    sessions: [
      { id: 's1', application_id: null, created_at: '2026-11-01T10:00:00Z', last_used_at: '2026-11-01T11:00:00Z', expires_at: '2026-12-01T10:00:00Z', ip: '203.0.113.7', user_agent: 'Firefox' },
    ],
    sign_ins: [{ outcome: 'failed', at: '2026-11-01T09:59:00Z', ip: '203.0.113.7', user_agent: 'Firefox' }],
  }

  function renderDetail(role: Role, user: typeof ada = ada) {
    let signedOut = false
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const url = urlOf(input)
      if (url.pathname.endsWith('/activity')) return jsonResponse(signedOut ? { ...activity, sessions: [] } : activity)
      if (url.pathname.endsWith('/identities')) return jsonResponse({ items: [] })
      if (url.pathname.endsWith('/sign-out')) {
        signedOut = true
        return new Response(null, { status: 204 })
      }
      if (url.pathname.endsWith('/send-verification')) return new Response(null, { status: 202 })
      if (url.pathname.endsWith('/block')) return jsonResponse({ ...ada, blocked: true, status: 'blocked', updated_at: '2026-11-02T00:00:00Z' })
      return jsonResponse(user)
    })
    vi.stubGlobal('fetch', fetchMock)
    renderRoutes([{ path: '/i/:slug/users/:id', element: <UserDetailPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }], '/i/shop/users/u1')
    return fetchMock
  }

  it('blocks only after a confirmation', async () => {
    const fetchMock = renderDetail('developer')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Block user' }))
    const dialog = await screen.findByRole('dialog', { name: 'Block user' })
    expect(dialog).toHaveTextContent('ada@example.com')
    expect(fetchMock.mock.calls.some(([r]) => (r as Request).url.endsWith('/block'))).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Block' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(await screen.findByRole('button', { name: 'Unblock user' })).toBeInTheDocument()
    const block = fetchMock.mock.calls.map(([r]) => r as Request).find((r) => r.url.endsWith('/users/u1/block'))
    expect(block?.method).toBe('POST')
    expect(screen.getAllByText('Blocked').length).toBeGreaterThan(0)
  })

  it('lets viewers read but not change', async () => {
    renderDetail('viewer')
    expect(await screen.findByRole('textbox', { name: 'Email' })).toBeDisabled()
    expect(screen.queryByRole('button', { name: 'Block user' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete user' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send password reset' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Sign out everywhere' })).not.toBeInTheDocument()
  })

  it('offers the verification email only while the email is unverified, the invitation only without a password', async () => {
    renderDetail('developer')
    expect(await screen.findByRole('button', { name: 'Send password reset' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Send verification email' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Resend invitation' })).not.toBeInTheDocument()
  })

  it('queues a verification email for an unverified user', async () => {
    const fetchMock = renderDetail('developer', { ...ada, email_verified: false, status: 'unverified' })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Send verification email' }))
    expect(await screen.findByText('Queued — see Emails')).toBeInTheDocument()
    const sent = fetchMock.mock.calls.map(([r]) => r as Request).find((r) => r.url.endsWith('/users/u1/send-verification'))
    expect(sent?.method).toBe('POST')
  })

  it('resends the invitation of a user without a password', async () => {
    const seen = stubApi(({ method, path }) => {
      if (path.endsWith('/activity')) return jsonResponse(activity)
      if (method === 'POST' && path.endsWith('/send-invitation')) return new Response(null, { status: 202 })
      if (method === 'GET' && path === '/api/v1/instances/shop/users/u1') return jsonResponse({ ...ada, has_password: false })
      return undefined
    })
    renderRoutes([{ path: '/i/:slug/users/:id', element: <UserDetailPage instance={{ slug: 'shop', role: 'developer', timeZone: 'UTC' }} /> }], '/i/shop/users/u1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Resend invitation' }))
    expect(await screen.findByText(/Invitation queued: ada@example\.com gets a link to choose a password, valid for 7 days/)).toBeInTheDocument()
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/v1/instances/shop/users/u1/send-invitation'])
  })

  it('offers the password reset when the user has set a password meanwhile', async () => {
    let hasPassword = false
    const seen = stubApi(({ method, path }) => {
      if (path.endsWith('/activity')) return jsonResponse(activity)
      if (method === 'POST' && path.endsWith('/send-invitation')) {
        hasPassword = true
        return problem(409, 'user_has_password', 'This user has set a password already.')
      }
      if (method === 'POST' && path.endsWith('/send-password-reset')) return new Response(null, { status: 202 })
      if (method === 'GET' && path === '/api/v1/instances/shop/users/u1') return jsonResponse({ ...ada, has_password: hasPassword })
      return undefined
    })
    renderRoutes([{ path: '/i/:slug/users/:id', element: <UserDetailPage instance={{ slug: 'shop', role: 'admin', timeZone: 'UTC' }} /> }], '/i/shop/users/u1')
    const user = userEvent.setup()
    expect(await screen.findByText('No password set')).toBeInTheDocument()
    await user.click(await screen.findByRole('button', { name: 'Resend invitation' }))

    // (Notifications of earlier tests may still be on screen: find this alert by its text.)
    const alert = (await screen.findByText('This user has set a password already.')).closest<HTMLElement>('[role="alert"]')
    if (!alert) throw new Error('the refusal is not in an alert')
    expect(alert).toHaveTextContent('No invitation sent')
    expect(alert).toHaveTextContent('send a password reset instead')
    // The user is fetched again: the invitation is no longer offered.
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Resend invitation' })).not.toBeInTheDocument())
    expect(screen.queryByText('No password set')).not.toBeInTheDocument()

    await user.click(within(alert).getByRole('button', { name: 'Send a password reset' }))
    await waitFor(() => expect(seen.some((r) => r.method === 'POST' && r.path === '/api/v1/instances/shop/users/u1/send-password-reset')).toBe(true))
    await waitFor(() => expect(screen.queryByText('This user has set a password already.')).not.toBeInTheDocument())
  })

  it('signs out everywhere only after a confirmation, then refreshes the activity', async () => {
    const fetchMock = renderDetail('developer')
    const user = userEvent.setup()
    const sessions = await screen.findByRole('table', { name: 'Active sessions' })
    expect(sessions).toHaveTextContent('203.0.113.7')
    expect(screen.getByRole('table', { name: 'Recent sign-ins' })).toHaveTextContent('Failed')

    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }))
    expect(await screen.findByRole('dialog', { name: 'Sign out everywhere' })).toHaveTextContent('ada@example.com')
    expect(fetchMock.mock.calls.some(([r]) => (r as Request).url.endsWith('/sign-out'))).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Sign out' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(await screen.findByText('No active sessions.')).toBeInTheDocument()
  })
})

describe('filters', () => {
  it('ignores values the server would refuse', () => {
    const f = filtersFromParams(new URLSearchParams('status=zzz&sort=foo&order=up&from=yesterday&to=2026-02-30x'))
    expect(f).toMatchObject({ status: null, sort: 'created_at', order: 'desc', from: null, to: null })
    expect(listQuery(f, 'UTC')).toMatchObject({ created_from: undefined, created_to: undefined, sort: 'created_at', order: 'desc' })
  })

  it('starts days in the instance time zone, across DST', () => {
    expect(startOfDay('2026-07-01', 'Europe/Athens')).toBe('2026-06-30T21:00:00.000Z')
    expect(startOfDay('2026-01-01', 'America/New_York')).toBe('2026-01-01T05:00:00.000Z')
    expect(startOfDay('2026-12-31', 'UTC', 1)).toBe('2027-01-01T00:00:00.000Z')
    expect(startOfDay('2026-03-08', 'America/New_York', 1)).toBe('2026-03-09T04:00:00.000Z')
  })
})
