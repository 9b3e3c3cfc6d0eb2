import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { formatDateTime } from '../../lib/datetime'
import { account, stubApi } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { ProfilePage } from './ProfilePage'

function renderAccount() {
  const seen = stubApi(({ method, path }) => {
    if (path === '/api/v1/me' && method === 'GET') return jsonResponse(account())
    if (path === '/api/v1/me/password' && method === 'POST') return jsonResponse(null, 204)
  })
  const utils = renderRoutes(
    [
      { path: '/profile', element: <ProfilePage /> },
      { path: '/profile/:tab', element: <ProfilePage /> },
      { path: '/elsewhere', element: <p>another page</p> },
    ],
    '/profile',
  )
  return { seen, ...utils }
}

const passwordForm = () => screen.getByRole('region', { name: 'Change password' })

describe('Profile → Account', () => {
  it('asks before leaving with a half-typed password change, as with the profile form', async () => {
    const { router } = renderAccount()
    const user = userEvent.setup()
    await screen.findByRole('textbox', { name: 'Name' })
    await fill(user, within(passwordForm()).getByLabelText(/^New password/, { selector: 'input' }), 'a new secret')

    await act(() => router.navigate('/elsewhere'))
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(dialog).toHaveTextContent('The password change you started is not saved')
    expect(dialog).not.toHaveTextContent('Your profile has unsaved changes')
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(router.state.location.pathname).toBe('/profile')

    // Both forms changed: one question names both. The Security tab is another page too.
    await user.type(screen.getByRole('textbox', { name: 'Name' }), ' II')
    await user.click(screen.getByRole('tab', { name: 'Security' }))
    const both = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(both).toHaveTextContent('Your profile has unsaved changes')
    expect(both).toHaveTextContent('The password change you started is not saved')
    await user.click(within(both).getByRole('button', { name: 'Leave' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/profile/security'))
  })

  it('leaves at once once the password is changed (the form is clean again)', async () => {
    const { router, seen } = renderAccount()
    const user = userEvent.setup()
    await screen.findByRole('textbox', { name: 'Name' })
    const form = passwordForm()
    await fill(user, within(form).getByLabelText(/^Current password/, { selector: 'input' }), 'old secret')
    await fill(user, within(form).getByLabelText(/^New password/, { selector: 'input' }), 'a brand new secret')
    await fill(user, within(form).getByLabelText(/^Confirm new password/, { selector: 'input' }), 'a brand new secret')
    await user.click(within(form).getByRole('button', { name: 'Change password' }))
    expect(await screen.findByText(/Password changed/)).toBeInTheDocument()
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ current_password: 'old secret', new_password: 'a brand new secret' }])

    await act(() => router.navigate('/elsewhere'))
    expect(await screen.findByText('another page')).toBeInTheDocument()
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('puts every "show password" toggle in the tab order, named', async () => {
    renderAccount()
    const user = userEvent.setup()
    await screen.findByRole('textbox', { name: 'Name' })
    const form = passwordForm()
    const toggles = within(form).getAllByRole('button', { name: 'Show password' })
    expect(toggles).toHaveLength(3)
    toggles.forEach((t) => expect(t).toHaveAttribute('tabindex', '0'))

    const current = within(form).getByLabelText(/^Current password/, { selector: 'input' })
    await user.type(current, 'secret')
    await user.tab()
    expect(toggles[0]).toHaveFocus()
    expect(toggles[0]).toHaveAttribute('aria-pressed', 'false')
    await user.keyboard(' ')
    expect(current).toHaveAttribute('type', 'text')
    expect(toggles[0]).toHaveAttribute('aria-pressed', 'true')
  })

  it('shows "member since" as every date, with its zone', async () => {
    renderAccount()
    expect(await screen.findByText(`Member since ${formatDateTime('2026-11-01T00:00:00Z')}`)).toBeInTheDocument()
    expect(formatDateTime('2026-11-01T00:00:00Z', 'UTC')).toMatch(/UTC$/)
  })
})
