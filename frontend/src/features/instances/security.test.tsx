import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { problem, stubApi } from '../../test/api'
import { jsonResponse, renderPage, renderRoutes } from '../../test/render'
import { InstanceLayout } from './InstanceLayout'
import type { Instance, Role } from './roles'
import { SecurityPolicyCard } from './SecurityPolicyCard'

function instance(role: Role): Instance {
  return { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role, require_two_factor: false }
}

describe('SecurityPolicyCard', () => {
  it('explains the refusal of an owner without two-factor sign-in, with the way to fix it', async () => {
    const seen = stubApi(({ method, path }) => {
      if (path !== '/api/v1/instances/production/security-policy') return undefined
      if (method === 'GET') return jsonResponse({ require_two_factor: false })
      return problem(409, 'two_factor_required_for_you', 'Turn on two-factor sign-in for your own account first.')
    })
    renderPage(<SecurityPolicyCard instance={instance('owner')} />)
    const user = userEvent.setup()
    const toggle = await screen.findByRole('switch', { name: /^Require two-factor sign-in for every member/ })
    await user.click(toggle)
    expect(await screen.findByRole('alert')).toHaveTextContent('Turn on two-factor sign-in for yourself first')
    expect(screen.getByRole('link', { name: 'Profile → Security' })).toHaveAttribute('href', '/profile/security')
    expect(toggle).not.toBeChecked()
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ require_two_factor: true }])
  })

  it('shows the policy to an admin without letting them change it', async () => {
    stubApi(({ path }) => (path.endsWith('/security-policy') ? jsonResponse({ require_two_factor: true }) : undefined))
    renderPage(<SecurityPolicyCard instance={instance('admin')} />)
    const toggle = await screen.findByRole('switch', { name: /^Require two-factor sign-in for every member/ })
    expect(await screen.findByText('Only owners can change this.')).toBeInTheDocument()
    expect(toggle).toBeDisabled()
    expect(toggle).toBeChecked()
  })
})

describe('InstanceLayout', () => {
  it('shows a page that leads to two-factor setup when the instance requires it', async () => {
    stubApi(({ path }) => {
      if (path === '/api/v1/instances/production') return problem(403, 'two_factor_required', 'This instance requires two-factor sign-in.')
      if (path === '/api/v1/instances') return jsonResponse({ items: [{ ...instance('developer'), require_two_factor: true }], next_cursor: null, total: 1 })
    })
    renderRoutes([{ path: '/i/:slug', element: <InstanceLayout />, children: [{ index: true, element: <p>overview</p> }] }], '/i/production')
    expect(await screen.findByRole('heading', { name: 'Production requires two-factor sign-in' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Set up two-factor sign-in' })).toHaveAttribute('href', '/profile/security')
    expect(screen.queryByText('overview')).not.toBeInTheDocument()
  })
})
