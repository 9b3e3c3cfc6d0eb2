/** The unsaved-changes guard on each console form that can be left (the guard itself: lib/useUnsavedChangesGuard.test.tsx). */
import { act, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ReactElement } from 'react'
import { describe, expect, it } from 'vitest'
import { ApplicationDetailPage } from '../features/applications/ApplicationDetailPage'
import { GeneralSettings } from '../features/instances/GeneralSettings'
import { ManagementClientDetailPage } from '../features/management/ManagementClientDetailPage'
import { ProfilePage } from '../features/profile/ProfilePage'
import { UserDetailPage } from '../features/users/UserDetailPage'
import type { InstanceRef } from '../lib/instanceRef'
import { account, stubApi } from '../test/api'
import { jsonResponse, renderRoutes } from '../test/render'

const shop: InstanceRef = { slug: 'shop', name: 'Shop', role: 'owner', timeZone: 'UTC' }

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

const webShop = {
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
}

const ciBot = {
  id: 'm1',
  name: 'CI deploy bot',
  description: '',
  client_id: 'mgmt_ci',
  scopes: ['users:read'],
  expires_at: null,
  expired: false,
  secrets: [],
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  last_used_at: null,
}

const production = { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role: 'owner' as const, require_two_factor: false }

interface Case {
  form: string
  path: string
  route: string
  element: ReactElement
  /** The field to change, by its label. */
  field: string
}

const cases: Case[] = [
  { form: 'user profile', route: '/i/:slug/users/:id', path: '/i/shop/users/u1', element: <UserDetailPage instance={shop} />, field: 'Given name' },
  { form: 'application settings', route: '/i/:slug/applications/:id', path: '/i/shop/applications/a1', element: <ApplicationDetailPage instance={shop} />, field: 'Name' },
  { form: 'instance settings', route: '/i/:slug/settings', path: '/i/production/settings', element: <GeneralSettings instance={production} />, field: 'Name' },
  {
    form: 'management client settings',
    route: '/i/:slug/settings/management-clients/:id',
    path: '/i/shop/settings/management-clients/m1',
    element: <ManagementClientDetailPage instance={shop} />,
    field: 'Name',
  },
  { form: 'account profile', route: '/profile', path: '/profile', element: <ProfilePage />, field: 'Name' },
]

function stubConsole() {
  stubApi(({ method, path }) => {
    if (method !== 'GET') return undefined
    if (path === '/api/v1/me') return jsonResponse(account())
    if (path === '/api/v1/instances/shop/users/u1') return jsonResponse(ada)
    if (path === '/api/v1/instances/shop/applications/a1') return jsonResponse(webShop)
    if (path === '/api/v1/instances/shop/management-clients/m1') return jsonResponse(ciBot)
    if (path === '/api/v1/management-scopes') return jsonResponse({ items: [{ scope: 'users:read', description: 'Read end users' }], token_endpoint: 'http://localhost/api/v1/oauth/token' })
  })
}

function renderForm(c: Case) {
  stubConsole()
  return renderRoutes(
    [
      { path: c.route, element: c.element },
      { path: '/elsewhere', element: <p>another page</p> },
    ],
    c.path,
  )
}

describe.each(cases)('the $form form', (c) => {
  it('is left at once while clean', async () => {
    const { router } = renderForm(c)
    await screen.findByRole('textbox', { name: c.field })
    await act(() => router.navigate('/elsewhere'))
    expect(await screen.findByText('another page')).toBeInTheDocument()
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('asks "Leave without saving?" once changed', async () => {
    const { router } = renderForm(c)
    const user = userEvent.setup()
    await user.type(await screen.findByRole('textbox', { name: c.field }), ' (edited)')
    await act(() => router.navigate('/elsewhere'))
    expect(await screen.findByRole('dialog', { name: 'Leave without saving?' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe(c.path)

    await user.click(screen.getByRole('button', { name: 'Stay' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect((screen.getByRole('textbox', { name: c.field }) as HTMLInputElement).value).toMatch(/ \(edited\)$/)

    await act(() => router.navigate('/elsewhere'))
    await user.click(await screen.findByRole('button', { name: 'Leave' }))
    expect(await screen.findByText('another page')).toBeInTheDocument()
  })
})
