import { screen } from '@testing-library/react'
import { Outlet } from 'react-router'
import { describe, expect, it } from 'vitest'
import { stubApi } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { InstanceSettingsPage } from './InstanceSettingsPage'
import type { Instance, Role } from './roles'

function renderSettings(role: Role) {
  const instance: Instance = { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role, require_two_factor: false }
  stubApi(({ path }) => {
    if (path === '/api/v1/instances/production/members') return jsonResponse({ items: [], next_cursor: null, total: 0 })
    if (path === '/api/v1/instances/production/invitations') return jsonResponse({ items: [], next_cursor: null, total: 0 })
    if (path === '/api/v1/instances/production/security-policy') return jsonResponse({ require_two_factor: false })
  })
  renderRoutes([{ path: '/i/:slug', element: <Outlet context={instance} />, children: [{ path: 'settings', element: <InstanceSettingsPage /> }] }], '/i/production/settings')
}

describe('the settings page’s links to its sub-pages', () => {
  it.each(['owner', 'admin'] as const)('leads an %s to the management clients and the audit log', async (role) => {
    renderSettings(role)
    expect(await screen.findByRole('link', { name: 'Open management clients' })).toHaveAttribute('href', '/i/production/settings/management-clients')
    expect(screen.getByRole('link', { name: 'Open the audit log' })).toHaveAttribute('href', '/i/production/settings/audit-log')
  })

  it.each([
    ['owner', false],
    ['admin', false],
    ['developer', true],
    ['viewer', true],
  ] as const)('leads every role to the webhooks: %s', async (role, readOnly) => {
    renderSettings(role)
    expect(await screen.findByRole('link', { name: 'Open webhooks' })).toHaveAttribute('href', '/i/production/settings/webhooks')
    expect(screen.getByRole('heading', { name: 'Webhooks' })).toBeInTheDocument()
    expect(screen.queryAllByText(/Admins and owners add and change them/)).toHaveLength(readOnly ? 1 : 0)
  })

  it.each(['developer', 'viewer'] as const)('shows a %s neither the management clients nor the audit log', async (role) => {
    renderSettings(role)
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Open management clients' })).not.toBeInTheDocument()
    expect(screen.queryByRole('heading', { name: 'Management clients' })).not.toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Open the audit log' })).not.toBeInTheDocument()
  })
})
