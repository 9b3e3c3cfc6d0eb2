import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { GeneralPage } from './GeneralPage'
import type { IdentityProvider, Role } from './model'
import { addOidcInput, checkProviderKey, INITIAL_OIDC_VALUES, lifetimeSecs, providerStatus, splitLifetime, toProviderInput, valuesOf } from './providerForm'

const LIST = '/api/v1/instances/shop/identity-providers'
const CALLBACK = 'http://localhost:8080/public/v1/shop/oauth/callback'

function provider(overrides: Partial<IdentityProvider> & Pick<IdentityProvider, 'key' | 'kind'>): IdentityProvider {
  return {
    enabled: false,
    display_name: overrides.key,
    button_label: `Continue with ${overrides.key}`,
    position: 0,
    client_id: '',
    client_secret_set: false,
    scopes: [],
    discovery_url: null,
    issuer: null,
    application_ids: [],
    allow_registration: true,
    guest_lifetime_secs: null,
    callback_url: overrides.kind === 'password' || overrides.kind === 'guest' ? null : `${CALLBACK}/${overrides.key}`,
    configured: false,
    updated_at: null,
    ...overrides,
  }
}

const password = provider({ key: 'password', kind: 'password', enabled: true, display_name: 'Email and password', button_label: 'Sign in', position: 0 })
const guest = provider({ key: 'guest', kind: 'guest', display_name: 'Guest session', button_label: 'Continue as a guest', position: 10, guest_lifetime_secs: 30 * 86_400 })
const google = provider({ key: 'google', kind: 'google', display_name: 'Google', position: 20, scopes: ['openid', 'email', 'profile'] })
const facebook = provider({
  key: 'facebook',
  kind: 'facebook',
  display_name: 'Facebook',
  position: 30,
  client_id: 'fb-123',
  client_secret_set: true,
  scopes: ['email', 'public_profile'],
  configured: true,
  updated_at: '2026-11-28T10:00:00Z',
})
const okta = provider({
  key: 'okta',
  kind: 'oidc',
  enabled: true,
  display_name: 'Okta',
  position: 100,
  client_id: 'okta-client',
  client_secret_set: true,
  scopes: ['openid', 'email', 'profile'],
  discovery_url: 'https://acme.okta.com/.well-known/openid-configuration',
  issuer: 'https://acme.okta.com',
  application_ids: ['a1'],
  configured: true,
  updated_at: '2026-11-28T10:00:00Z',
})

const webShop = {
  id: 'a1',
  kind: 'frontend',
  name: 'Web shop',
  description: '',
  client_id: 'app_web',
  enabled: true,
  allowed_origins: [],
  redirect_uris: [],
  secrets: [],
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  last_used_at: null,
}

type Put = (key: string, body: Record<string, unknown>) => Response | undefined

function renderProviders(role: Role, put: Put = () => undefined) {
  let items = [password, guest, google, facebook, okta]
  const seen = stubApi(({ method, path, body }) => {
    if (method === 'GET' && path === LIST) return jsonResponse({ items })
    if (method === 'GET' && path === '/api/v1/instances/shop/applications') return jsonResponse({ items: [webShop], next_cursor: null, total: 1 })
    const key = path.startsWith(`${LIST}/`) ? path.slice(LIST.length + 1) : null
    if (key && method === 'PUT') {
      const answer = put(key, body as Record<string, unknown>)
      if (answer) return answer
      const before = items.find((p) => p.key === key)
      const b = body as Record<string, unknown>
      const saved = {
        ...(before ?? provider({ key, kind: 'oidc' })),
        ...b,
        client_secret_set: b.client_secret === null ? false : typeof b.client_secret === 'string' ? true : (before?.client_secret_set ?? false),
        configured: true,
        updated_at: '2026-11-29T10:00:00Z',
      } as IdentityProvider
      delete (saved as Record<string, unknown>).client_secret
      items = before ? items.map((p) => (p.key === key ? saved : p)) : [...items, saved]
      return jsonResponse(saved, before ? 200 : 201)
    }
    if (key && method === 'DELETE') {
      items = items.filter((p) => p.key !== key)
      return new Response(null, { status: 204 })
    }
    return undefined
  })
  const utils = renderRoutes(
    [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }],
    '/i/shop/general/providers',
  )
  return { seen, ...utils }
}

const puts = (seen: SeenRequest[]) => seen.filter((r) => r.method === 'PUT')

async function openConfigure(name: string) {
  const user = userEvent.setup()
  await user.click(await screen.findByRole('button', { name: `Configure ${name}` }))
  return { user, drawer: await screen.findByRole('dialog', { name: `Configure ${name}` }) }
}

describe('identity provider forms', () => {
  it('sends only the fields of the provider kind; the secret is kept, removed or replaced', () => {
    expect(toProviderInput(password, valuesOf(password))).toEqual({
      enabled: true,
      display_name: 'Email and password',
      button_label: 'Sign in',
      position: 0,
      application_ids: [],
      allow_registration: true,
    })
    expect(toProviderInput(guest, { ...valuesOf(guest), guest_lifetime: 12, guest_lifetime_unit: 'hours' }).guest_lifetime_secs).toBe(43_200)
    const fb = valuesOf(facebook)
    expect(toProviderInput(facebook, fb)).not.toHaveProperty('client_secret')
    expect(toProviderInput(facebook, { ...fb, remove_secret: true }).client_secret).toBeNull()
    expect(toProviderInput(facebook, { ...fb, replace_secret: true, client_secret: 'new' }).client_secret).toBe('new')
    // A secret typed and then "Keep the stored secret" is not sent.
    expect(toProviderInput(facebook, { ...fb, replace_secret: false, client_secret: 'typed' })).not.toHaveProperty('client_secret')
    // An empty client id is left out (the server then says it is required).
    expect(toProviderInput(google, valuesOf(google))).not.toHaveProperty('client_id')
    // The discovery URL only when it changed.
    expect(toProviderInput(okta, valuesOf(okta))).not.toHaveProperty('discovery_url')
    expect(toProviderInput(okta, { ...valuesOf(okta), discovery_url: 'https://id.example.com/.well-known/openid-configuration' }).discovery_url).toBe(
      'https://id.example.com/.well-known/openid-configuration',
    )
  })

  it('shows guest lifetimes in days when they divide evenly, else in hours', () => {
    expect(splitLifetime(30 * 86_400)).toEqual({ amount: 30, unit: 'days' })
    expect(splitLifetime(36 * 3600)).toEqual({ amount: 36, unit: 'hours' })
    expect(lifetimeSecs('2', 'days')).toBe(172_800)
  })

  it('checks a new key as the server does', () => {
    expect(checkProviderKey('okta', [])).toBeNull()
    expect(checkProviderKey('azure-ad', [])).toBeNull()
    expect(checkProviderKey('Okta', [])).toMatch(/lowercase/)
    expect(checkProviderKey('x', [])).toMatch(/2 to 40/)
    expect(checkProviderKey('okta-', [])).toMatch(/2 to 40/)
    expect(checkProviderKey('google', [])).toMatch(/built-in/)
    expect(checkProviderKey('okta', ['okta'])).toMatch(/exists already/)
    expect(addOidcInput({ ...INITIAL_OIDC_VALUES, key: 'okta', discovery_url: ' https://id.example.com/x ' })).toEqual({
      enabled: true,
      discovery_url: 'https://id.example.com/x',
      scopes: ['openid', 'email', 'profile'],
    })
  })

  it('says what each provider needs', () => {
    expect(providerStatus(google)).toEqual({ text: 'Needs client id and secret', tone: 'needs' })
    expect(providerStatus({ ...google, client_id: 'id' }).text).toBe('Needs client secret')
    expect(providerStatus(facebook)).toEqual({ text: 'Configured, off', tone: 'off' })
    expect(providerStatus(okta).text).toBe('On · 1 application only')
    expect(providerStatus({ ...guest, enabled: true }).text).toBe('On — guests last 30 days')
    expect(providerStatus({ ...password, allow_registration: false }).text).toBe('On — sign-in only, no sign-up')
  })
})

describe('General → Identity providers', () => {
  it('lists every provider in order, with its state', async () => {
    renderProviders('admin')
    const table = await screen.findByRole('table', { name: 'Identity providers' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((r) => r.getAttribute('data-provider'))).toEqual(['password', 'guest', 'google', 'facebook', 'okta'])
    expect(within(rows[0]).getByText('On — sign-up open')).toBeInTheDocument()
    expect(within(rows[2]).getByText('Needs client id and secret')).toBeInTheDocument()
    expect(within(rows[3]).getByText('Configured, off')).toBeInTheDocument()
    expect(within(rows[4]).getByText('OpenID Connect · okta')).toBeInTheDocument()
    expect(screen.getByRole('switch', { name: 'Email and password enabled' })).toBeChecked()
    expect(screen.getByRole('switch', { name: 'Google enabled' })).not.toBeChecked()
    expect(screen.getByRole('switch', { name: 'Okta enabled' })).toBeChecked()
    expect(document.title).toBe('Identity providers · General · shop · Steward')
  })

  it('turns a provider that has what it needs on and off from the list', async () => {
    const { seen } = renderProviders('owner')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('switch', { name: 'Facebook enabled' }))
    expect(await screen.findByText('Facebook enabled')).toBeInTheDocument()
    expect(puts(seen)).toHaveLength(1)
    expect(puts(seen)[0]).toMatchObject({ path: `${LIST}/facebook`, body: { enabled: true } })
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Facebook enabled' })).toBeChecked())
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('asks for the credentials instead of enabling a provider without them; shows the refusal beside the fields', async () => {
    const { seen } = renderProviders('admin', (key) =>
      key === 'google'
        ? problem(422, 'validation_failed', 'The request has invalid fields.', {
            errors: [
              { field: 'client_id', code: 'required', message: 'Enter the client id the provider issued to enable it.' },
              { field: 'client_secret', code: 'required', message: 'Enter the client secret the provider issued to enable it.' },
            ],
          })
        : undefined,
    )
    const user = userEvent.setup()
    await user.click(await screen.findByRole('switch', { name: 'Google enabled' }))
    // Not saved: the drawer asks for what is missing, with the switch already on.
    const drawer = await screen.findByRole('dialog', { name: 'Configure Google' })
    expect(puts(seen)).toHaveLength(0)
    expect(within(drawer).getByRole('switch', { name: /Enabled/ })).toBeChecked()
    const callback = within(drawer).getByRole('textbox', { name: 'Callback URL' })
    expect(callback).toHaveValue(`${CALLBACK}/google`)
    expect(callback).toHaveAttribute('readonly')
    expect(within(drawer).getByText("Paste this into Google's console as the redirect/callback URL.")).toBeInTheDocument()
    expect(within(drawer).getByRole('button', { name: 'Copy the callback URL' })).toBeInTheDocument()

    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    const clientId = within(drawer).getByRole('textbox', { name: 'Client id' })
    await waitFor(() => expect(clientId).toHaveAccessibleDescription(/Enter the client id the provider issued to enable it\./))
    expect(clientId).toHaveAttribute('aria-invalid', 'true')
    const secret = within(drawer).getByLabelText('Client secret', { selector: 'input' })
    expect(secret).toHaveAccessibleDescription(/Enter the client secret the provider issued to enable it\./)
    expect(puts(seen)).toHaveLength(1)
    expect(puts(seen)[0].path).toBe(`${LIST}/google`)
    expect(puts(seen)[0].body).toMatchObject({ enabled: true, scopes: ['openid', 'email', 'profile'] })
    expect(puts(seen)[0].body).not.toHaveProperty('client_id')
    expect(puts(seen)[0].body).not.toHaveProperty('client_secret')
    // Every error sat beside its field: no banner.
    expect(within(drawer).queryByText('Could not save')).not.toBeInTheDocument()

    await fill(user, clientId, 'google-client')
    await fill(user, secret, 'g-secret')
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(puts(seen)).toHaveLength(2))
    expect(puts(seen)[1].body).toMatchObject({ enabled: true, client_id: 'google-client', client_secret: 'g-secret' })
  })

  it('opens the drawer with the errors when a switch is refused for a field', async () => {
    renderProviders('admin', (key) =>
      key === 'okta'
        ? problem(422, 'validation_failed', 'The request has invalid fields.', {
            errors: [{ field: 'discovery_url', code: 'discovery_failed', message: 'The discovery document could not be used: connection refused.' }],
          })
        : undefined,
    )
    const user = userEvent.setup()
    await user.click(await screen.findByRole('switch', { name: 'Okta enabled' }))
    const drawer = await screen.findByRole('dialog', { name: 'Configure Okta' })
    await waitFor(() =>
      expect(within(drawer).getByRole('textbox', { name: 'Discovery URL' })).toHaveAccessibleDescription(/could not be used: connection refused/),
    )
    expect(within(drawer).getByRole('switch', { name: /Enabled/ })).not.toBeChecked()
  })

  it('keeps, removes or replaces the stored secret', async () => {
    const { seen } = renderProviders('admin')
    const { user, drawer } = await openConfigure('Facebook')
    expect(within(drawer).getByText('A secret is stored')).toBeInTheDocument()
    expect(within(drawer).queryByLabelText('Client secret', { selector: 'input' })).not.toBeInTheDocument()
    await user.click(within(drawer).getByRole('button', { name: 'Remove' }))
    expect(within(drawer).getByText('The stored secret is removed when you save.')).toBeInTheDocument()
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    expect(await screen.findByText(/Facebook saved/)).toBeInTheDocument()
    expect(puts(seen)[0].body).toMatchObject({ enabled: false, client_id: 'fb-123', client_secret: null, scopes: ['email', 'public_profile'] })
    // Kind-specific fields of other kinds are never sent.
    expect(puts(seen)[0].body).not.toHaveProperty('allow_registration')
    expect(puts(seen)[0].body).not.toHaveProperty('discovery_url')

    const again = await openConfigure('Facebook')
    expect(within(again.drawer).queryByText('A secret is stored')).not.toBeInTheDocument()
    await fill(again.user, within(again.drawer).getByLabelText('Client secret', { selector: 'input' }), 'fresh-secret')
    await again.user.click(within(again.drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(puts(seen)).toHaveLength(2))
    expect(puts(seen)[1].body).toMatchObject({ client_secret: 'fresh-secret' })
  })

  it('saves the guest lifetime in seconds, and shows its error beside it', async () => {
    const { seen } = renderProviders('admin', (key, body) =>
      key === 'guest' && body.guest_lifetime_secs === 7200
        ? problem(422, 'validation_failed', 'The request has invalid fields.', {
            errors: [{ field: 'guest_lifetime_secs', code: 'out_of_range', message: 'A guest session lasts from 3600 seconds (an hour) to 31536000 (a year).' }],
          })
        : undefined,
    )
    const { user, drawer } = await openConfigure('Guest session')
    const amount = within(drawer).getByRole('textbox', { name: 'Guest lifetime' })
    expect(amount).toHaveValue('30')
    const unit = within(drawer).getByRole('combobox', { name: 'Guest lifetime unit' })
    expect(unit).toHaveValue('days')
    // Password and guest providers have no credentials to show.
    expect(within(drawer).queryByRole('textbox', { name: 'Client id' })).not.toBeInTheDocument()
    expect(within(drawer).queryByRole('textbox', { name: 'Callback URL' })).not.toBeInTheDocument()
    await user.clear(amount)
    await user.type(amount, '2')
    await user.selectOptions(unit, 'hours')
    await user.click(within(drawer).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(amount).toHaveAccessibleDescription(/from 3600 seconds/))
    expect(puts(seen)).toHaveLength(1)
    expect(puts(seen)[0].body).toMatchObject({ enabled: false, guest_lifetime_secs: 7200 })
    expect(puts(seen)[0].body).not.toHaveProperty('client_id')
    expect(puts(seen)[0].body).not.toHaveProperty('scopes')
  })

  it('adds an OpenID Connect provider with the right request', async () => {
    const { seen } = renderProviders('admin')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Add OpenID Connect provider' }))
    const modal = await screen.findByRole('dialog', { name: 'Add OpenID Connect provider' })
    const key = within(modal).getByRole('textbox', { name: 'Key' })

    // A built-in name or a key in use is refused before sending.
    await user.type(key, 'google')
    await fill(user, within(modal).getByRole('textbox', { name: 'Discovery URL' }), 'https://login.example.com/.well-known/openid-configuration')
    await user.click(within(modal).getByRole('button', { name: 'Add provider' }))
    expect(await within(modal).findByText(/built-in provider's name/)).toBeInTheDocument()
    await user.clear(key)
    await user.type(key, 'okta')
    await user.click(within(modal).getByRole('button', { name: 'Add provider' }))
    expect(await within(modal).findByText(/exists already/)).toBeInTheDocument()
    expect(puts(seen)).toHaveLength(0)

    await user.clear(key)
    await fill(user, key, 'azure-ad')
    await fill(user, within(modal).getByRole('textbox', { name: 'Display name' }), 'Microsoft Entra ID')
    await fill(user, within(modal).getByRole('textbox', { name: 'Client id' }), 'entra-client')
    await fill(user, within(modal).getByLabelText('Client secret', { selector: 'input' }), 'entra-secret')
    await user.click(within(modal).getByRole('button', { name: 'Add provider' }))

    expect(await screen.findByText(/Microsoft Entra ID added/)).toBeInTheDocument()
    expect(puts(seen)).toHaveLength(1)
    expect(puts(seen)[0].path).toBe(`${LIST}/azure-ad`)
    expect(puts(seen)[0].body).toEqual({
      enabled: true,
      display_name: 'Microsoft Entra ID',
      discovery_url: 'https://login.example.com/.well-known/openid-configuration',
      client_id: 'entra-client',
      client_secret: 'entra-secret',
      scopes: ['openid', 'email', 'profile'],
    })
    // Then its settings open, with the callback URL to register at the issuer.
    const drawer = await screen.findByRole('dialog', { name: 'Configure Microsoft Entra ID' })
    expect(within(drawer).getByRole('textbox', { name: 'Callback URL' })).toHaveValue(`${CALLBACK}/azure-ad`)
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Microsoft Entra ID enabled' })).toBeChecked())
  })

  it("shows the server's refusal of a new provider beside its fields", async () => {
    renderProviders('admin', (key) =>
      key === 'corp'
        ? problem(422, 'validation_failed', 'The request has invalid fields.', {
            errors: [
              { field: 'discovery_url', code: 'discovery_failed', message: 'The discovery document could not be used: the issuer does not match.' },
              { field: 'scopes', code: 'openid_required', message: 'An OpenID Connect provider needs the openid scope.' },
            ],
          })
        : undefined,
    )
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Add OpenID Connect provider' }))
    const modal = await screen.findByRole('dialog', { name: 'Add OpenID Connect provider' })
    await user.type(within(modal).getByRole('textbox', { name: 'Key' }), 'corp')
    const discovery = within(modal).getByRole('textbox', { name: 'Discovery URL' })
    await fill(user, discovery, 'https://id.corp.example/.well-known/openid-configuration')
    await user.click(within(modal).getByRole('button', { name: 'Add provider' }))
    await waitFor(() => expect(discovery).toHaveAccessibleDescription(/the issuer does not match/))
    expect(within(modal).getByText('An OpenID Connect provider needs the openid scope.')).toBeInTheDocument()
  })

  it('says so when the instance has too many providers', async () => {
    renderProviders('admin', () => problem(409, 'too_many_providers', 'An instance may have at most 20 OpenID Connect providers.'))
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Add OpenID Connect provider' }))
    const modal = await screen.findByRole('dialog', { name: 'Add OpenID Connect provider' })
    await user.type(within(modal).getByRole('textbox', { name: 'Key' }), 'corp')
    await fill(user, within(modal).getByRole('textbox', { name: 'Discovery URL' }), 'https://id.corp.example/.well-known/openid-configuration')
    await user.click(within(modal).getByRole('button', { name: 'Add provider' }))
    expect(await within(modal).findByRole('alert')).toHaveTextContent('An instance may have at most 20 OpenID Connect providers.')
  })

  it('removes an OpenID Connect provider after a confirmation', async () => {
    const { seen } = renderProviders('admin')
    const { user, drawer } = await openConfigure('Okta')
    await user.click(within(drawer).getByRole('button', { name: 'Remove provider' }))
    const confirm = await screen.findByRole('dialog', { name: 'Remove Okta' })
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }))
    expect(await screen.findByText('Okta removed')).toBeInTheDocument()
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${LIST}/okta`])
    await waitFor(() => expect(screen.queryByRole('switch', { name: 'Okta enabled' })).not.toBeInTheDocument())
  })

  it.each<Role>(['developer', 'viewer'])('is read-only for a %s', async (role) => {
    const { seen } = renderProviders(role)
    expect(await screen.findByRole('switch', { name: 'Email and password enabled' })).toBeDisabled()
    expect(screen.getByText(/only admins and owners can change identity providers/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add OpenID Connect provider' })).not.toBeInTheDocument()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'View Okta' }))
    const drawer = await screen.findByRole('dialog', { name: 'View Okta' })
    expect(within(drawer).getByRole('textbox', { name: 'Client id' })).toBeDisabled()
    expect(within(drawer).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
    expect(within(drawer).queryByRole('button', { name: 'Remove provider' })).not.toBeInTheDocument()
    expect(seen.every((r) => r.method === 'GET')).toBe(true)
  })

  it('shows a load error with a retry', async () => {
    stubApi(({ path }) => (path === LIST ? problem(500, 'internal', 'The server failed.') : undefined))
    renderRoutes(
      [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role: 'admin', timeZone: 'UTC' }} /> }],
      '/i/shop/general/providers',
    )
    const alert = (await screen.findByText('Could not load the identity providers')).closest<HTMLElement>('[role="alert"]')
    expect(alert).not.toBeNull()
    expect(alert).toHaveTextContent('The server failed.')
    expect(within(alert as HTMLElement).getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })
})
