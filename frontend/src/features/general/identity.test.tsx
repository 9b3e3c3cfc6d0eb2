import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { jsonResponse, renderRoutes } from '../../test/render'
import { stubXhr } from '../../test/xhr'
import { GeneralPage } from './GeneralPage'
import { formatBytes, precheckLogo, type Logo, type Role } from './model'
import { problem, stubFetch } from './testing'

const PATH = '/api/v1/instances/shop/branding/logo'

const stored: Logo = {
  url: 'http://localhost:3000/public/v1/shop/branding/logo?v=6e7f17f519516bba',
  width: 200,
  height: 200,
  size_bytes: 592,
  has_alpha: true,
  sha256: '6e7f17f519516bbab5d9fa0ab59a0d061bdf24ad1d3719d52bb34dba71532db6',
  updated_at: '2026-11-28T18:46:31Z',
  warnings: [],
}

function renderIdentity(role: Role, logo: Logo | null = null) {
  const seen = stubFetch(({ method, path }) => {
    if (path === PATH && method === 'GET') return logo ? jsonResponse(logo) : problem(404, 'logo_not_set', 'The instance has no logo.')
    if (path === PATH && method === 'DELETE') return new Response(null, { status: 204 })
    return undefined
  })
  const utils = renderRoutes(
    [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} /> }],
    '/i/shop/general/identity',
  )
  return { seen, ...utils }
}

function pngFile(name = 'logo.png', size = 600): File {
  return new File([new Uint8Array(size)], name, { type: 'image/png' })
}

describe('logo rules', () => {
  it('refuses only an oversized file before sending, in the words of the server', () => {
    expect(precheckLogo({ size: 1024 * 1024 })).toBeNull()
    expect(precheckLogo({ size: 3 * 1024 * 1024 })).toBe('The file is 3.0 MB; a logo may be at most 1 MB (1,048,576 bytes).')
    expect(formatBytes(592)).toBe('592 B')
    expect(formatBytes(14_540)).toBe('14.2 KB')
  })
})

describe('Corporate identity', () => {
  it("shows the server's refusal (its detail) for the uploaded file", async () => {
    const uploads = stubXhr(() => ({
      status: 422,
      body: {
        type: 'urn:steward:problem:logo_too_small_dimensions',
        title: 'Unprocessable Entity',
        status: 422,
        code: 'logo_too_small_dimensions',
        detail: 'The image is 99×500 pixels; width and height must each be at least 100 pixels.',
      },
    }))
    renderIdentity('developer')
    expect(await screen.findByText('No logo yet')).toBeInTheDocument()
    expect(screen.getByText(/PNG, at most 1 MB, 100×100 to 1200×1200 pixels, transparent background recommended/)).toBeInTheDocument()

    const file = pngFile('narrow.png')
    await userEvent.setup().upload(screen.getByLabelText('Logo file'), file)

    const detail = await screen.findByText(/The image is 99×500 pixels/)
    const alert = detail.closest('[role="alert"]')
    expect(alert).toHaveTextContent('This file was not accepted')
    expect(alert).toHaveTextContent('The image is 99×500 pixels; width and height must each be at least 100 pixels.')
    expect(within(screen.getByRole('region', { name: 'Chosen file' })).getByText('narrow.png')).toBeInTheDocument()
    expect(uploads).toHaveLength(1)
    expect(uploads[0]).toMatchObject({ method: 'PUT', headers: { 'content-type': 'image/png' } })
    expect(uploads[0].url).toMatch(/\/api\/v1\/instances\/shop\/branding\/logo$/)
    expect(uploads[0].body).toBe(file)
    // Still no logo.
    expect(screen.getByText('No logo yet')).toBeInTheDocument()
  })

  it('stores a logo without transparency and shows the warning in yellow, with the stored image and its facts', async () => {
    const opaque: Logo = {
      ...stored,
      has_alpha: false,
      warnings: [
        {
          code: 'logo_no_transparency',
          message: 'The image has no transparency (no alpha channel and no tRNS chunk); a transparent background is recommended.',
        },
      ],
    }
    let release: () => void = () => {}
    const answered = new Promise<void>((resolve) => (release = resolve))
    stubXhr(async () => {
      await answered
      return { status: 200, body: opaque }
    })
    renderIdentity('developer')
    await screen.findByText('No logo yet')
    await userEvent.setup().upload(screen.getByLabelText('Logo file'), pngFile('opaque.png'))

    // Progress while the request is on its way.
    expect(await screen.findByRole('progressbar', { name: 'Upload progress' })).toBeInTheDocument()
    release()

    const warning = await screen.findByText(/The image has no transparency/)
    expect(warning.closest('[data-code]')).toHaveAttribute('data-code', 'logo_no_transparency')
    expect(screen.getByText('Stored, with a warning')).toBeInTheDocument()
    expect(screen.getByRole('img', { name: 'Logo' })).toHaveAttribute('src', opaque.url)
    expect(screen.getByText('200 × 200 px')).toBeInTheDocument()
    expect(screen.getByText('592 B')).toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Chosen file' })).not.toBeInTheDocument()
    expect(await screen.findByText('Logo uploaded, with a warning')).toBeInTheDocument()
  })

  it('refuses a file over 1 MB without uploading it', async () => {
    const uploads = stubXhr(() => ({ status: 200, body: stored }))
    renderIdentity('owner')
    await screen.findByText('No logo yet')
    await userEvent.setup().upload(screen.getByLabelText('Logo file'), pngFile('huge.png', 2 * 1024 * 1024))
    const refusal = await screen.findByText(/The file is 2\.0 MB; a logo may be at most 1 MB/)
    expect(refusal.closest('[role="alert"]')).toHaveTextContent('This file was not accepted')
    expect(uploads).toHaveLength(0)
  })

  it('removes the logo after confirming', async () => {
    const { seen } = renderIdentity('admin', stored)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Remove logo' }))
    const dialog = await screen.findByRole('dialog', { name: 'Remove the logo' })
    await user.click(within(dialog).getByRole('button', { name: 'Remove logo' }))
    expect(await screen.findByText('No logo yet')).toBeInTheDocument()
    expect(seen.some((r) => r.method === 'DELETE' && r.path === PATH)).toBe(true)
  })

  it('is read-only for a viewer: the logo, but no upload and no remove', async () => {
    renderIdentity('viewer', stored)
    expect(await screen.findByRole('img', { name: 'Logo' })).toBeInTheDocument()
    expect(screen.getByText('Read-only')).toBeInTheDocument()
    expect(screen.queryByLabelText('Logo file')).not.toBeInTheDocument()
    expect(screen.queryByRole('group', { name: /Upload a logo/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove logo' })).not.toBeInTheDocument()
  })
})

describe('General page', () => {
  it('switches sub-tabs through the URL', async () => {
    const { router } = renderIdentity('owner', stored)
    await screen.findByRole('img', { name: 'Logo' })
    await userEvent.setup().click(screen.getByRole('tab', { name: 'Email SMTP' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/general/smtp'))
    expect(screen.getByRole('tab', { name: 'Email SMTP' })).toHaveAttribute('aria-selected', 'true')
  })

  it('sends an unknown sub-tab to the corporate identity', async () => {
    stubFetch(() => problem(404, 'logo_not_set', 'The instance has no logo.'))
    const { router } = renderRoutes(
      [{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={{ slug: 'shop', role: 'owner', timeZone: 'UTC' }} /> }],
      '/i/shop/general/nope',
    )
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/general/identity'))
  })
})
