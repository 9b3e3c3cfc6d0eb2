import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, renderPage } from '../../test/render'
import { ApplicationsPage } from './ApplicationsPage'
import { CreateApplicationModal } from './CreateApplicationModal'
import type { Role } from './model'
import { SecretModal } from '../../components/SecretModal'

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

    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'Web shop')
    // A blank row in the middle is dropped before sending, so indices match what is shown.
    await user.type(screen.getByRole('textbox', { name: 'Origin 1' }), 'https://shop.example.com')
    await user.click(screen.getByRole('button', { name: 'Add origin' }))
    await user.click(screen.getByRole('button', { name: 'Add origin' }))
    await user.type(screen.getByRole('textbox', { name: 'Origin 3' }), 'http://shop.example.com')
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
