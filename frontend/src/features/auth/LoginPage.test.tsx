import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { renderRoutes, jsonResponse } from '../../test/render'
import { fill } from '../../test/user'
import { session } from '../../lib/session'
import { LoginPage } from './LoginPage'

function renderLogin() {
  return renderRoutes(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/', element: <p>console home</p> },
    ],
    '/login',
  )
}

describe('LoginPage', () => {
  it('shows a field error from the server beside that field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          {
            type: 'about:blank',
            title: 'Validation failed',
            status: 422,
            code: 'validation_failed',
            detail: 'The request has invalid fields.',
            errors: [{ field: 'email', code: 'invalid_email', message: 'This is not a deliverable address' }],
          },
          422,
        ),
      ),
    )
    renderLogin()
    const user = userEvent.setup()
    await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example')
    await fill(user, screen.getByLabelText(/^password/i, { selector: 'input' }), 'secret-password')
    await user.click(screen.getByRole('button', { name: 'Log in' }))

    const email = screen.getByLabelText(/^email/i, { selector: 'input' })
    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'))
    expect(email).toHaveAccessibleDescription('This is not a deliverable address')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('shows the problem detail when the credentials are wrong', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          { type: 'about:blank', title: 'Unauthorized', status: 401, code: 'invalid_credentials', detail: 'Wrong email or password.' },
          401,
        ),
      ),
    )
    renderLogin()
    const user = userEvent.setup()
    await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
    await fill(user, screen.getByLabelText(/^password/i, { selector: 'input' }), 'wrong-password')
    await user.click(screen.getByRole('button', { name: 'Log in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.')
  })

  it('signs in and goes on to the console, asking for the cookie session', async () => {
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      jsonResponse({ access_token: 'a', token_type: 'Bearer', expires_in: 900 }),
    )
    vi.stubGlobal('fetch', fetchMock)
    renderLogin()
    const user = userEvent.setup()
    await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
    await fill(user, screen.getByLabelText(/^password/i, { selector: 'input' }), 'right-password')
    await user.click(screen.getByRole('button', { name: 'Log in' }))
    expect(await screen.findByText('console home')).toBeInTheDocument()
    expect(session.getState().status).toBe('authenticated')
    const [input, init] = fetchMock.mock.calls[0]
    const request = new Request(input, init)
    expect(new URL(request.url).pathname).toBe('/api/v1/auth/login')
    expect(request.headers.get('X-Steward-Session')).toBe('cookie')
    expect(init?.credentials).toBe('same-origin')
    // Nothing about the session is left where a script could read it.
    expect(localStorage.length).toBe(0)
    session.clear()
  })
})
