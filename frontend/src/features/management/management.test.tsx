import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { CreateManagementClientModal } from './CreateManagementClientModal'
import { ManagementClientDetailPage } from './ManagementClientDetailPage'
import { ManagementClientsPage } from './ManagementClientsPage'
import {
  expiryDay,
  expiryInstant,
  exampleCall,
  groupScopes,
  sortScopes,
  tokenCurl,
  validateExpiryDay,
  type InstanceRef,
  type ManagementClient,
  type Role,
  type ScopeInfo,
} from './model'

const TOKEN_ENDPOINT = 'https://steward.example.com/api/v1/oauth/token'

const scopeItems: ScopeInfo[] = [
  { scope: 'settings:read', description: 'Read the instance settings' },
  { scope: 'settings:write', description: 'Change the instance settings' },
  { scope: 'applications:read', description: 'Read applications' },
  { scope: 'applications:write', description: 'Create, change and delete applications' },
  { scope: 'users:read', description: 'Read, search and export end users' },
  { scope: 'users:write', description: 'Create, import, change, block and delete end users' },
  { scope: 'emails:read', description: 'Read the outbox' },
  { scope: 'emails:write', description: 'Retry and cancel emails' },
  { scope: 'members:read', description: 'Read members and invitations' },
  { scope: 'members:write', description: 'Invite members' },
  { scope: 'audit_log:read', description: 'Read and export the audit log' },
  { scope: 'webhooks:read', description: 'Read webhook endpoints and their deliveries' },
  { scope: 'webhooks:write', description: 'Add, change and delete webhook endpoints, send tests and resend deliveries' },
]
const catalogue = { items: scopeItems, token_endpoint: TOKEN_ENDPOINT }

function client(overrides: Partial<ManagementClient> = {}): ManagementClient {
  return {
    id: 'm1',
    name: 'CI deploy bot',
    description: 'Deploys the shop',
    client_id: 'mgmt_ci',
    scopes: ['users:read', 'users:write'],
    expires_at: null,
    expired: false,
    secrets: [{ id: 's1', hint: 'a1b2', created_at: '2026-11-01T10:00:00Z', expires_at: null }],
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
    last_used_at: null,
    ...overrides,
  }
}

const BASE = '/api/v1/instances/shop/management-clients'

/** The fake API of a shop with `clients`; `extra` answers first (writes, errors). */
function stubManagement(clients: ManagementClient[], extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    if (r.method !== 'GET') return undefined
    if (r.path === '/api/v1/management-scopes') return jsonResponse(catalogue)
    if (r.path === BASE) return jsonResponse({ items: clients, next_cursor: null, total: clients.length })
    const found = clients.find((c) => r.path === `${BASE}/${c.id}`)
    return found ? jsonResponse(found) : undefined
  })
}

const shop = (role: Role = 'admin'): InstanceRef => ({ slug: 'shop', name: 'Shop', role, timeZone: 'UTC' })

function renderConsole(path: string, role: Role = 'admin') {
  return renderRoutes(
    [
      { path: '/i/:slug/settings/management-clients', element: <ManagementClientsPage instance={shop(role)} /> },
      { path: '/i/:slug/settings/management-clients/:id', element: <ManagementClientDetailPage instance={shop(role)} /> },
    ],
    path,
  )
}

describe('management model', () => {
  it('groups the scopes by area, read before write, the audit log read-only', () => {
    expect(groupScopes(scopeItems).map((g) => [g.label, g.scopes.map((s) => s.scope)])).toEqual([
      ['Settings', ['settings:read', 'settings:write']],
      ['Applications', ['applications:read', 'applications:write']],
      ['Users', ['users:read', 'users:write']],
      ['Emails', ['emails:read', 'emails:write']],
      ['Members', ['members:read', 'members:write']],
      ['Audit log', ['audit_log:read']],
      ['Webhooks', ['webhooks:read', 'webhooks:write']],
    ])
    expect(sortScopes(['users:write', 'settings:read', 'users:write'], scopeItems)).toEqual(['settings:read', 'users:write'])
  })

  it('writes the token request and a first call', () => {
    expect(tokenCurl(TOKEN_ENDPOINT)).toBe(`curl -u CLIENT_ID:SECRET -d grant_type=client_credentials ${TOKEN_ENDPOINT}`)
    expect(tokenCurl(TOKEN_ENDPOINT, 'mgmt_x', 'stw_ms_y')).toBe(`curl -u mgmt_x:stw_ms_y -d grant_type=client_credentials ${TOKEN_ENDPOINT}`)
    expect(exampleCall(TOKEN_ENDPOINT, 'shop', ['users:write', 'users:read'])).toBe(
      'curl -H "Authorization: Bearer $TOKEN" https://steward.example.com/api/v1/instances/shop/users',
    )
    expect(exampleCall(TOKEN_ENDPOINT, 'shop', ['settings:read'])).toBe('curl -H "Authorization: Bearer $TOKEN" https://steward.example.com/api/v1/instances/shop')
    expect(exampleCall(TOKEN_ENDPOINT, 'shop', ['webhooks:write', 'webhooks:read'])).toBe(
      'curl -H "Authorization: Bearer $TOKEN" https://steward.example.com/api/v1/instances/shop/webhooks',
    )
    expect(exampleCall(TOKEN_ENDPOINT, 'shop', ['users:write'])).toBeNull()
  })

  it('turns an expiry day into the instant it starts in the instance time zone, and back', () => {
    expect(expiryInstant('2027-01-15', 'Europe/Athens')).toBe('2027-01-14T22:00:00.000Z')
    expect(expiryDay('2027-01-14T22:00:00Z', 'Europe/Athens')).toBe('2027-01-15')
    expect(expiryDay(null, 'UTC')).toBe('')
    const now = Date.parse('2026-11-28T23:30:00Z')
    // Already the 29th in Athens: the first allowed day is the 30th.
    expect(validateExpiryDay('2026-11-29', 'Europe/Athens', now)).toBe('Choose a day after today')
    expect(validateExpiryDay('2026-11-30', 'Europe/Athens', now)).toBeNull()
    expect(validateExpiryDay('', 'UTC', now)).toBe('Choose the day the client stops working')
  })
})

describe('CreateManagementClientModal', () => {
  it('offers the scopes grouped by area, each with what it allows', async () => {
    stubManagement([])
    renderPage(<CreateManagementClientModal slug="shop" timeZone="UTC" opened onClose={() => {}} onCreated={() => {}} />)
    const users = await screen.findByRole('group', { name: 'Users' })
    expect(within(users).getAllByRole('checkbox').map((c) => c.getAttribute('value'))).toEqual(['users:read', 'users:write'])
    expect(within(users).getByRole('checkbox', { name: 'users:read' })).toHaveAccessibleDescription('Read, search and export end users')
    const audit = screen.getByRole('group', { name: 'Audit log' })
    expect(within(audit).getAllByRole('checkbox').map((c) => c.getAttribute('value'))).toEqual(['audit_log:read'])
    expect(['Settings', 'Applications', 'Emails', 'Members'].map((name) => within(screen.getByRole('group', { name })).getAllByRole('checkbox').length)).toEqual([2, 2, 2, 2])
  })

  it('asks for a scope before sending anything', async () => {
    const seen = stubManagement([])
    renderPage(<CreateManagementClientModal slug="shop" timeZone="UTC" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()
    await fill(user, await screen.findByRole('textbox', { name: 'Name' }), 'CI deploy bot')
    await screen.findByRole('group', { name: 'Users' })
    await user.click(screen.getByRole('button', { name: 'Create client' }))
    expect(await screen.findByRole('group', { name: 'Scopes' })).toHaveAccessibleDescription(expect.stringContaining('Choose at least one scope'))
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(0)
  })

  it('shows the server’s field errors beside the name, the scopes and the expiry date', async () => {
    let answer = problem(409, 'name_taken', 'A management client with this name exists.', {
      errors: [{ field: 'name', code: 'name_taken', message: 'This name is already used by another client.' }],
    })
    const seen = stubManagement([], (r) => (r.method === 'POST' ? answer : undefined))
    renderPage(<CreateManagementClientModal slug="shop" timeZone="Europe/Athens" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()

    await fill(user, await screen.findByRole('textbox', { name: 'Name' }), 'CI deploy bot')
    await user.click(await screen.findByRole('checkbox', { name: 'users:write' }))
    await user.click(screen.getByRole('checkbox', { name: 'settings:read' }))
    await user.click(screen.getByRole('checkbox', { name: /Set an expiry date/ }))
    const date = screen.getByLabelText(/Expires on/)
    await user.type(date, '2099-03-01')
    expect(date).toHaveAccessibleDescription(/^Stops working at /)
    await user.click(screen.getByRole('button', { name: 'Create client' }))

    const name = screen.getByRole('textbox', { name: 'Name' })
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'))
    expect(name).toHaveAccessibleDescription('This name is already used by another client.')
    const posted = seen.filter((r) => r.method === 'POST')
    expect(posted[0].path).toBe(BASE)
    // Scopes in the catalogue's order; the day's start in the instance's time zone.
    expect(posted[0].body).toEqual({ name: 'CI deploy bot', scopes: ['settings:read', 'users:write'], expires_at: '2099-02-28T22:00:00.000Z' })

    answer = problem(422, 'validation_failed', 'The request has invalid fields.', {
      errors: [
        { field: 'scopes[0]', code: 'unknown_scope', message: 'settings:read is not a scope.' },
        { field: 'expires_at', code: 'in_the_past', message: 'The expiry must be in the future.' },
      ],
    })
    await user.clear(name)
    await fill(user, name, 'Nightly export')
    await user.click(screen.getByRole('button', { name: 'Create client' }))
    await waitFor(() => expect(screen.getByRole('group', { name: 'Scopes' })).toHaveAccessibleDescription(expect.stringContaining('settings:read is not a scope.')))
    expect(screen.getByLabelText(/Expires on/)).toHaveAccessibleDescription(expect.stringContaining('The expiry must be in the future.'))
    expect(screen.getByRole('textbox', { name: 'Name' })).not.toHaveAttribute('aria-invalid', 'true')
    // Every error was placed beside its field: no banner.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })
})

describe('ManagementClientsPage', () => {
  it('lists the clients: name, copyable client id, scopes, expiry, last use and creation', async () => {
    stubManagement([
      client(),
      client({ id: 'm2', name: 'Old exporter', client_id: 'mgmt_old', scopes: ['audit_log:read'], expires_at: '2026-01-01T00:00:00Z', expired: true, last_used_at: '2025-12-31T10:00:00Z' }),
    ])
    renderConsole('/i/shop/settings/management-clients')
    const row = (await screen.findByRole('link', { name: 'CI deploy bot' })).closest('tr') as HTMLElement
    expect(within(row).getByText('mgmt_ci')).toBeInTheDocument()
    expect(within(row).getByRole('button', { name: 'Copy client id of CI deploy bot' })).toBeInTheDocument()
    expect(within(within(row).getByRole('list', { name: 'Scopes of CI deploy bot' })).getAllByRole('listitem').map((b) => b.textContent)).toEqual([
      'users:read',
      'users:write',
    ])
    expect(within(row).getAllByText('Never')).toHaveLength(2)
    expect(within(row).getByText(/Nov 1, 2026/)).toBeInTheDocument()

    const old = screen.getByRole('link', { name: 'Old exporter' }).closest('tr') as HTMLElement
    expect(within(old).getByText('Expired')).toBeInTheDocument()
    expect(within(old).getByText(/Jan 1, 2026/)).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Getting a token' })).toBeInTheDocument()
  })

  it('explains management clients when there are none, with the token endpoint and a curl example', async () => {
    stubManagement([])
    renderConsole('/i/shop/settings/management-clients')
    expect(await screen.findByText('No management clients yet')).toBeInTheDocument()
    expect(screen.getByText(/calls this instance’s console API on its own/)).toBeInTheDocument()
    expect(await screen.findByTestId('token-endpoint')).toHaveTextContent(TOKEN_ENDPOINT)
    expect(screen.getByLabelText('token request')).toHaveTextContent(`curl -u CLIENT_ID:SECRET -d grant_type=client_credentials ${TOKEN_ENDPOINT}`)
  })

  it('shows the new client’s secret once, with a ready token request, then opens the client', async () => {
    const created = client({ id: 'm9', name: 'Nightly export', client_id: 'mgmt_new', scopes: ['users:read'] })
    let clients: ManagementClient[] = []
    const seen = stubApi((r) => {
      if (r.method === 'POST' && r.path === BASE) {
        clients = [created]
        return jsonResponse({ client: created, client_secret: 'stw_ms_supersecret' }, 201)
      }
      if (r.path === '/api/v1/management-scopes') return jsonResponse(catalogue)
      if (r.path === BASE) return jsonResponse({ items: clients, next_cursor: null, total: clients.length })
      if (r.path === `${BASE}/m9`) return jsonResponse(created)
    })
    const { router } = renderConsole('/i/shop/settings/management-clients')
    const user = userEvent.setup()
    await user.click((await screen.findAllByRole('button', { name: 'New management client' }))[0])
    const form = await screen.findByRole('dialog', { name: 'New management client' })
    await fill(user, within(form).getByRole('textbox', { name: 'Name' }), 'Nightly export')
    await user.click(await within(form).findByRole('checkbox', { name: 'users:read' }))
    await user.click(within(form).getByRole('button', { name: 'Create client' }))

    const dialog = await screen.findByRole('dialog', { name: 'Client secret of “Nightly export”' })
    expect(within(dialog).getByTestId('client-id')).toHaveTextContent('mgmt_new')
    expect(within(dialog).getByTestId('client-secret')).toHaveTextContent('stw_ms_supersecret')
    expect(within(dialog).getByText('Copy it now: it will not be shown again')).toBeInTheDocument()
    expect(within(dialog).getByLabelText('token request')).toHaveTextContent(
      `curl -u mgmt_new:stw_ms_supersecret -d grant_type=client_credentials ${TOKEN_ENDPOINT}`,
    )
    expect(within(dialog).getByLabelText('example call')).toHaveTextContent('/api/v1/instances/shop/users')
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ name: 'Nightly export', scopes: ['users:read'] })
    // The notification saying so can be dismissed by a named button.
    expect(await screen.findByText('Management client “Nightly export” created')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Dismiss notification' })).toBeInTheDocument()

    // Escape does not close it; only the confirmation does, and the secret is gone.
    await user.keyboard('{Escape}')
    expect(screen.getByTestId('client-secret')).toBeInTheDocument()
    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/settings/management-clients/m9'))
    expect(await screen.findByRole('heading', { level: 1, name: 'Nightly export' })).toBeInTheDocument()
    expect(document.body).not.toHaveTextContent('stw_ms_supersecret')
  })
})

describe('ManagementClientDetailPage', () => {
  it('rotates the secret with a grace period and shows the new one once', async () => {
    const seen = stubManagement([client()], (r) =>
      r.method === 'POST' && r.path === `${BASE}/m1/secret`
        ? jsonResponse({
            client_secret: 'stw_ms_rotated',
            secret: { id: 's2', hint: 'z9y8', created_at: '2026-11-02T10:00:00Z', expires_at: null },
            previous_secret_expires_at: '2026-11-03T10:00:00Z',
          })
        : undefined,
    )
    renderConsole('/i/shop/settings/management-clients/m1')
    const user = userEvent.setup()
    expect(await screen.findByText('••••a1b2')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Rotate secret' }))
    const confirm = await screen.findByRole('dialog', { name: 'Rotate the client secret' })
    await user.click(within(confirm).getByText('24 hours'))
    expect(within(confirm).getByText(/keeps working for 24 hours/)).toBeInTheDocument()
    await user.click(within(confirm).getByRole('button', { name: 'Rotate secret' }))

    const dialog = await screen.findByRole('dialog', { name: 'New client secret of “CI deploy bot”' })
    expect(within(dialog).getByTestId('client-secret')).toHaveTextContent('stw_ms_rotated')
    expect(within(dialog).getByLabelText('token request')).toHaveTextContent(`curl -u mgmt_ci:stw_ms_rotated -d grant_type=client_credentials ${TOKEN_ENDPOINT}`)
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ grace_period_secs: 86400 })
    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }))
    await waitFor(() => expect(screen.queryByTestId('client-secret')).not.toBeInTheDocument())
  })

  it('saves changed scopes and removes the expiry', async () => {
    const bot = client({ expires_at: '2099-01-01T00:00:00Z' })
    const seen = stubManagement([bot], (r) =>
      r.method === 'PATCH' ? jsonResponse({ ...bot, ...(r.body as object), updated_at: '2026-11-02T10:00:00Z' }) : undefined,
    )
    renderConsole('/i/shop/settings/management-clients/m1')
    const user = userEvent.setup()
    expect(await screen.findByLabelText(/Expires on/)).toHaveValue('2099-01-01')
    await user.click(await screen.findByRole('checkbox', { name: 'users:write' }))
    await user.click(screen.getByRole('checkbox', { name: 'emails:read' }))
    await user.click(screen.getByRole('checkbox', { name: /Set an expiry date/ }))
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(1))
    expect(seen.find((r) => r.method === 'PATCH')?.body).toEqual({
      name: 'CI deploy bot',
      description: 'Deploys the shop',
      scopes: ['users:read', 'emails:read'],
      expires_at: null,
    })
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save changes' })).toBeDisabled())
  })

  it('leaves an unchanged expiry out of the update', async () => {
    const bot = client({ expires_at: '2025-01-01T00:00:00Z', expired: true })
    const seen = stubManagement([bot], (r) => (r.method === 'PATCH' ? jsonResponse({ ...bot, ...(r.body as object) }) : undefined))
    renderConsole('/i/shop/settings/management-clients/m1')
    const user = userEvent.setup()
    // An expired client says so.
    expect(await screen.findByText('Expired')).toBeInTheDocument()
    const name = await screen.findByRole('textbox', { name: 'Name' })
    await user.type(name, ' v2')
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(1))
    expect(seen.find((r) => r.method === 'PATCH')?.body).not.toHaveProperty('expires_at')
  })

  it('deletes the client after a confirmation and goes back to the list', async () => {
    let clients = [client()]
    const seen = stubManagement(clients, (r) => {
      if (r.method === 'DELETE') {
        clients = []
        return new Response(null, { status: 204 })
      }
      if (r.method === 'GET' && r.path === BASE) return jsonResponse({ items: clients, next_cursor: null, total: clients.length })
      return undefined
    })
    const { router } = renderConsole('/i/shop/settings/management-clients/m1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Delete client' }))
    const confirm = await screen.findByRole('dialog', { name: 'Delete management client' })
    expect(confirm).toHaveTextContent('mgmt_ci')
    await user.click(within(confirm).getByRole('button', { name: 'Delete permanently' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/settings/management-clients'))
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${BASE}/m1`])
    expect(await screen.findByText('No management clients yet')).toBeInTheDocument()
  })

  it('says a client that is gone was not found', async () => {
    stubManagement([])
    renderConsole('/i/shop/settings/management-clients/nope')
    expect(await screen.findByRole('heading', { name: 'Management client not found' })).toBeInTheDocument()
  })
})

describe('role gating', () => {
  it.each(['developer', 'viewer'] as const)('tells a %s that management clients need an admin, and asks the API nothing', async (role) => {
    const seen = stubManagement([client()])
    const { router } = renderConsole('/i/shop/settings/management-clients', role)
    expect(await screen.findByText('Needs an admin')).toBeInTheDocument()
    expect(screen.getByText(new RegExp(`for admins and owners of the instance; you are a ${role}`))).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'New management client' })).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: '← Settings' })).toHaveAttribute('href', '/i/shop/settings')

    await act(() => router.navigate('/i/shop/settings/management-clients/m1'))
    expect(await screen.findByText('Needs an admin')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete client' })).not.toBeInTheDocument()
    expect(seen).toHaveLength(0)
  })

  it.each(['admin', 'owner'] as const)('lets an %s manage them', async (role) => {
    stubManagement([client()])
    renderConsole('/i/shop/settings/management-clients', role)
    expect(await screen.findByRole('link', { name: 'CI deploy bot' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'New management client' })).toBeInTheDocument()
  })
})
