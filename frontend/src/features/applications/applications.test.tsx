import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { SecretModal } from '../../components/SecretModal'
import { stubApi as stubRequests } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { fill } from '../../test/user'
import { ApplicationsPage } from './ApplicationsPage'
import { CreateApplicationModal } from './CreateApplicationModal'
import type { Role } from './model'
import { QuickstartSection } from './QuickstartSection'
import { SigningKeysCard } from './SigningKeysCard'

const apps = {
  items: [
    {
      id: 'a1',
      kind: 'frontend',
      name: 'Web shop',
      description: '',
      client_id: 'app_web',
      enabled: true,
      allowed_origins: ['https://shop.example.com'],
      redirect_uris: [],
      secrets: [],
      created_at: '2026-11-01T00:00:00Z',
      updated_at: '2026-11-01T00:00:00Z',
      last_used_at: null,
    },
  ],
  next_cursor: null,
  total: 1,
}

const keys = {
  items: [{ kid: 'k1', algorithm: 'EdDSA', status: 'active', created_at: '2026-11-01T00:00:00Z', retired_at: null, expires_at: null }],
  next_cursor: null,
  total: 1,
}

function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : String(input)
}

describe('CreateApplicationModal', () => {
  it('shows a server error on allowed_origins[1] beside the second origin row', async () => {
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      expect(urlOf(input)).toContain('/api/v1/instances/shop/applications')
      return jsonResponse(
        {
          type: 'urn:steward:problem:validation_failed',
          title: 'Unprocessable Entity',
          status: 422,
          code: 'validation_failed',
          detail: 'The request has invalid fields.',
          errors: [{ field: 'allowed_origins[1]', code: 'https_required', message: 'An origin must use https.' }],
        },
        422,
      )
    })
    vi.stubGlobal('fetch', fetchMock)
    renderPage(<CreateApplicationModal slug="shop" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()

    await fill(user, await screen.findByRole('textbox', { name: 'Name' }), 'Web shop')
    // A blank row in the middle is dropped before sending, so indices match what is shown.
    await fill(user, screen.getByRole('textbox', { name: 'Origin 1' }), 'https://shop.example.com')
    await user.click(screen.getByRole('button', { name: 'Add origin' }))
    await user.click(screen.getByRole('button', { name: 'Add origin' }))
    await fill(user, screen.getByRole('textbox', { name: 'Origin 3' }), 'http://shop.example.com')
    await user.click(screen.getByRole('button', { name: 'Create application' }))

    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1))
    const sent = (await (fetchMock.mock.calls[0][0] as Request).json()) as Record<string, unknown>
    expect(sent).toMatchObject({ kind: 'frontend', name: 'Web shop', allowed_origins: ['https://shop.example.com', 'http://shop.example.com'] })

    const second = screen.getByRole('textbox', { name: 'Origin 2' })
    await waitFor(() => expect(second).toHaveAttribute('aria-invalid', 'true'))
    expect(second).toHaveValue('http://shop.example.com')
    expect(second).toHaveAccessibleDescription('An origin must use https.')
    expect(screen.getByRole('textbox', { name: 'Origin 1' })).not.toHaveAttribute('aria-invalid', 'true')
    expect(screen.queryByRole('textbox', { name: 'Origin 3' })).not.toBeInTheDocument()
    // Every error was placed beside its field: no extra banner.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('asks no origins of a back-end app', async () => {
    vi.stubGlobal('fetch', vi.fn())
    renderPage(<CreateApplicationModal slug="shop" opened onClose={() => {}} onCreated={() => {}} />)
    const user = userEvent.setup()
    expect(await screen.findByRole('textbox', { name: 'Origin 1' })).toBeInTheDocument()
    await user.click(screen.getByRole('radio', { name: 'Back-end' }))
    expect(screen.queryByRole('textbox', { name: 'Origin 1' })).not.toBeInTheDocument()
    expect(screen.queryByRole('textbox', { name: 'Redirect URI 1' })).not.toBeInTheDocument()
  })
})

describe('SecretModal', () => {
  it('cannot be closed before the user confirms they copied the secret', async () => {
    const onConfirm = vi.fn()
    renderPage(<SecretModal title="Client secret" clientId="app_x" secret="stw_cs_abcdef" onConfirm={onConfirm} />)
    const user = userEvent.setup()
    const dialog = await screen.findByRole('dialog')
    expect(dialog).toHaveTextContent('stw_cs_abcdef')
    expect(dialog).toHaveTextContent('Copy it now: it will not be shown again')
    expect(screen.getByRole('button', { name: 'Copy client secret' })).toBeInTheDocument()

    await user.keyboard('{Escape}')
    expect(screen.getByRole('dialog')).toBeInTheDocument()
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label') ?? b.textContent)).not.toContain('Close')
    expect(onConfirm).not.toHaveBeenCalled()

    await user.click(screen.getByRole('button', { name: 'I have copied it' }))
    expect(onConfirm).toHaveBeenCalledTimes(1)
  })
})

describe('ApplicationsPage', () => {
  function stubApi() {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => (urlOf(input).includes('/signing-keys') ? jsonResponse(keys) : jsonResponse(apps))),
    )
  }

  function renderAs(role: Role) {
    stubApi()
    renderPage(<ApplicationsPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} />, '/i/shop/applications')
  }

  it('lets a viewer read the applications and keys but change nothing', async () => {
    renderAs('viewer')
    expect(await screen.findByRole('link', { name: 'Web shop' })).toBeInTheDocument()
    expect(screen.getByText('https://shop.example.com')).toBeInTheDocument()
    expect(await screen.findByText('k1')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'New application' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Rotate signing key' })).not.toBeInTheDocument()
  })

  it('lets a developer create applications but not rotate the signing key', async () => {
    renderAs('developer')
    expect(await screen.findByRole('link', { name: 'Web shop' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'New application' })).toBeInTheDocument()
    expect(await screen.findByText('k1')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Rotate signing key' })).not.toBeInTheDocument()
  })

  it('lets an admin rotate the signing key', async () => {
    renderAs('admin')
    expect(await screen.findByRole('button', { name: 'Rotate signing key' })).toBeInTheDocument()
  })
})

describe('SigningKeysCard: the signing algorithm', () => {
  const key = (kid: string, algorithm: string, status: 'active' | 'retired') => ({
    kid,
    algorithm,
    status,
    created_at: '2026-11-01T00:00:00Z',
    retired_at: status === 'retired' ? '2026-11-02T00:00:00Z' : null,
    expires_at: status === 'retired' ? '2026-11-02T01:00:00Z' : null,
  })

  /** Signing keys that follow the rotations: each makes a new active key of the asked (or the current) algorithm. */
  function stubKeys() {
    let items = [key('k1', 'EdDSA', 'active')]
    const seen = stubRequests((r) => {
      if (r.path !== '/api/v1/instances/shop/signing-keys' && r.path !== '/api/v1/instances/shop/signing-keys/rotate') return undefined
      if (r.method === 'POST') {
        const algorithm = (r.body as { algorithm?: string } | null)?.algorithm ?? items[0].algorithm
        const fresh = key(`k${items.length + 1}`, algorithm, 'active')
        items = [fresh, ...items.map((k) => ({ ...k, status: 'retired' as const, retired_at: '2026-11-02T00:00:00Z', expires_at: '2026-11-02T01:00:00Z' }))]
        return jsonResponse(fresh, 201)
      }
      return jsonResponse({ items, next_cursor: null, total: items.length })
    })
    return seen
  }

  it('shows the current algorithm and each key’s, and switches after a confirmation', async () => {
    const seen = stubKeys()
    renderPage(<SigningKeysCard instance={{ slug: 'shop', role: 'admin', timeZone: 'UTC' }} />)
    const user = userEvent.setup()
    const chooser = await screen.findByRole('combobox', { name: 'Signing algorithm' })
    await waitFor(() => expect(chooser).toHaveValue('EdDSA (Ed25519)'))
    expect(chooser).toHaveAccessibleDescription(/jsonwebtoken and \.NET cannot verify them/)
    const table = screen.getByRole('table', { name: 'Signing keys' })
    expect(within(within(table).getAllByRole('row')[1]).getByText('EdDSA')).toBeInTheDocument()

    // Cancelled: nothing changes.
    await user.click(chooser)
    await user.click(await screen.findByRole('option', { name: 'RS256 (RSA, SHA-256)', hidden: true }))
    let confirm = await screen.findByRole('dialog', { name: 'Change the signing algorithm' })
    expect(confirm).toHaveTextContent('From now on, a new RS256 key signs the instance’s access tokens (instead of EdDSA)')
    expect(confirm).toHaveTextContent('Tokens already issued stay valid until they expire')
    expect(confirm).toHaveTextContent('verifiable everywhere')
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Change the signing algorithm' })).not.toBeInTheDocument())
    expect(chooser).toHaveValue('EdDSA (Ed25519)')
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(0)

    // Confirmed: a new RS256 key is active, the EdDSA one retired.
    await user.click(chooser)
    await user.click(await screen.findByRole('option', { name: 'RS256 (RSA, SHA-256)', hidden: true }))
    confirm = await screen.findByRole('dialog', { name: 'Change the signing algorithm' })
    await user.click(within(confirm).getByRole('button', { name: 'Switch to RS256' }))
    await waitFor(() => expect(chooser).toHaveValue('RS256 (RSA, SHA-256)'))
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ algorithm: 'RS256' }])
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => [row.querySelector('td:nth-child(1)')?.textContent, row.querySelector('td:nth-child(2)')?.textContent, row.querySelector('td:nth-child(3)')?.textContent])).toEqual([
      ['k2', 'RS256', 'Active'],
      ['k1', 'EdDSA', 'Retired'],
    ])
    expect(await screen.findByText('Tokens are now signed with RS256 (key k2)')).toBeInTheDocument()
  })

  it('warns before switching to EdDSA, and a plain rotation keeps the algorithm', async () => {
    const seen = stubKeys()
    renderPage(<SigningKeysCard instance={{ slug: 'shop', role: 'owner', timeZone: 'UTC' }} />)
    const user = userEvent.setup()
    const chooser = await screen.findByRole('combobox', { name: 'Signing algorithm' })
    await waitFor(() => expect(chooser).toHaveValue('EdDSA (Ed25519)'))
    await user.click(chooser)
    await user.click(await screen.findByRole('option', { name: 'ES256 (ECDSA P-256)', hidden: true }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Change the signing algorithm' })).getByRole('button', { name: 'Switch to ES256' }))
    await waitFor(() => expect(chooser).toHaveValue('ES256 (ECDSA P-256)'))

    await user.click(chooser)
    await user.click(await screen.findByRole('option', { name: 'EdDSA (Ed25519)', hidden: true }))
    const back = await screen.findByRole('dialog', { name: 'Change the signing algorithm' })
    expect(within(back).getByText(/will refuse EdDSA tokens/)).toBeInTheDocument()
    await user.click(within(back).getByRole('button', { name: 'Cancel' }))

    await user.click(screen.getByRole('button', { name: 'Rotate signing key' }))
    const rotate = await screen.findByRole('dialog', { name: 'Rotate the signing key' })
    expect(rotate).toHaveTextContent('signed with a new ES256 key')
    await user.click(within(rotate).getByRole('button', { name: 'Rotate key' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'POST')).toHaveLength(2))
    // No body: the same algorithm.
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ algorithm: 'ES256' }, null])
    await waitFor(() => expect(screen.getAllByText('ES256')).toHaveLength(2))
  })

  it.each(['developer', 'viewer'] as const)('shows a %s the algorithm without the chooser', async (role) => {
    stubKeys()
    renderPage(<SigningKeysCard instance={{ slug: 'shop', role, timeZone: 'UTC' }} />)
    expect(await screen.findByTestId('signing-algorithm')).toHaveTextContent('Tokens are signed with EdDSA.')
    expect(screen.queryByRole('combobox', { name: 'Signing algorithm' })).not.toBeInTheDocument()
    expect(screen.getByText(/Only owners and admins can rotate the key or change its algorithm/)).toBeInTheDocument()
  })
})

describe('QuickstartSection', () => {
  it('shows how to verify tokens in Node and Python, with the discovery URL', async () => {
    const base = 'https://steward.example.com/public/v1/shop'
    stubRequests((r) =>
      r.path === '/api/v1/instances/shop/applications/a1/quickstart'
        ? jsonResponse({
            api_base_url: base,
            client_id: 'app_web',
            curl: 'curl …',
            env: 'STEWARD_API_URL=…',
            javascript: 'fetch(…)',
            docs_url: 'https://steward.example.com/api/docs/',
            openapi_url: 'https://steward.example.com/api/openapi.json',
            jwks_url: `${base}/.well-known/jwks.json`,
            discovery_url: `${base}/.well-known/openid-configuration`,
            verify_node: `// npm install jose\nimport { createRemoteJWKSet, jwtVerify } from 'jose';\nconst jwks = createRemoteJWKSet(new URL('${base}/.well-known/jwks.json'));`,
            verify_python: `# pip install 'pyjwt[crypto]'\nimport jwt\njwks = jwt.PyJWKClient('${base}/.well-known/jwks.json')`,
          })
        : undefined,
    )
    renderPage(<QuickstartSection slug="shop" id="a1" />)
    const user = userEvent.setup()
    const verify = await screen.findByRole('region', { name: 'Verify tokens' })
    expect(within(verify).getByTestId('discovery-url')).toHaveTextContent(`${base}/.well-known/openid-configuration`)
    expect(within(verify).getByRole('button', { name: 'Copy Discovery URL' })).toBeInTheDocument()
    expect(within(verify).getByRole('tab', { name: 'Node (jose)' })).toHaveAttribute('aria-selected', 'true')
    expect(within(verify).getByLabelText('Node verification snippet')).toHaveTextContent("import { createRemoteJWKSet, jwtVerify } from 'jose'")
    await user.click(within(verify).getByRole('tab', { name: 'Python (PyJWT)' }))
    expect(await within(verify).findByLabelText('Python verification snippet')).toHaveTextContent(`jwks = jwt.PyJWKClient('${base}/.well-known/jwks.json')`)
    expect(within(verify).getByRole('button', { name: 'Copy Python verification snippet' })).toBeInTheDocument()
  })
})
