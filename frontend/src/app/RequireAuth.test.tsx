import { act, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { api } from '../api/client'
import { LoginPage } from '../features/auth/LoginPage'
import { session } from '../lib/session'
import { problem, stubApi } from '../test/api'
import { jsonResponse, renderRoutes } from '../test/render'
import { fill } from '../test/user'
import { RedirectIfAuthenticated, RequireAuth } from './RequireAuth'

const grant = { access_token: 'access-1', token_type: 'Bearer', expires_in: 900 }
const challenge = { challenge_token: 'chal-1', expires_in: 300, methods: ['totp', 'recovery_code'] }

function renderConsole(path: string) {
  return renderRoutes(
    [
      { element: <RedirectIfAuthenticated />, children: [{ path: '/login', element: <LoginPage /> }] },
      {
        element: <RequireAuth />,
        children: [
          { path: '/', element: <p>console home</p> },
          { path: '/i/:slug/users', element: <p>users page</p> },
        ],
      },
    ],
    path,
  )
}

async function logIn(user: ReturnType<typeof userEvent.setup>) {
  await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
  await fill(user, screen.getByLabelText(/^password/i, { selector: 'input' }), 'right-password')
  await user.click(screen.getByRole('button', { name: 'Log in' }))
}

afterEach(() => session.clear())

describe('deep links through sign-in', () => {
  it('sends a signed-out visitor to /login?next=<the page>, and back there after signing in', async () => {
    stubApi(({ path }) => (path === '/api/v1/auth/login' ? jsonResponse(grant) : undefined))
    const { router } = renderConsole('/i/acme/users?status=blocked&sort=email')
    await screen.findByRole('button', { name: 'Log in' })
    expect(router.state.location.pathname).toBe('/login')
    const params = new URLSearchParams(router.state.location.search)
    expect(params.get('next')).toBe('/i/acme/users?status=blocked&sort=email')
    // A first visit is not a session that ended: nothing to explain.
    expect(params.get('reason')).toBeNull()
    expect(screen.queryByRole('status')).not.toBeInTheDocument()

    await logIn(userEvent.setup())
    expect(await screen.findByText('users page')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/i/acme/users')
    expect(router.state.location.search).toBe('?status=blocked&sort=email')
  })

  it('comes back to the page after the two-factor step too', async () => {
    stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') return jsonResponse(grant)
    })
    const { router } = renderConsole('/i/acme/users?q=ada')
    await screen.findByRole('button', { name: 'Log in' })
    const user = userEvent.setup()
    await logIn(user)
    await user.type(await screen.findByLabelText(/^authentication code/i, { selector: 'input' }), '123456')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByText('users page')).toBeInTheDocument()
    expect(router.state.location.search).toBe('?q=ada')
  })

  it('leaves the home page out of next, and ignores a next that leads off this console', async () => {
    const first = renderConsole('/')
    await screen.findByRole('button', { name: 'Log in' })
    expect(first.router.state.location.search).toBe('')
    first.unmount()

    stubApi(({ path }) => (path === '/api/v1/auth/login' ? jsonResponse(grant) : undefined))
    const { router } = renderConsole(`/login?next=${encodeURIComponent('//evil.example/phish')}`)
    await logIn(userEvent.setup())
    expect(await screen.findByText('console home')).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/')
  })
})

describe('why the session ended', () => {
  it('says the session was ended from another device when a request finds it revoked', async () => {
    stubApi(({ path }) => {
      if (path === '/api/v1/me') return problem(401, 'session_revoked', 'The session was revoked.')
      // A revoked session's refresh token is simply invalid; the 401 before it says why.
      if (path === '/api/v1/auth/refresh') return problem(401, 'invalid_refresh_token', 'Sign in again.')
    })
    session.signIn(grant)
    const { router } = renderConsole('/i/acme/users')
    expect(await screen.findByText('users page')).toBeInTheDocument()

    await act(async () => {
      await api.GET('/api/v1/me')
    })
    expect(await screen.findByRole('status')).toHaveTextContent('This session was ended from another device.')
    const params = new URLSearchParams(router.state.location.search)
    expect(params.get('reason')).toBe('revoked')
    expect(params.get('next')).toBe('/i/acme/users')
  })

  it('says the session ended when the refresh is refused, and why when the token was replayed', async () => {
    let code = 'invalid_refresh_token'
    stubApi(({ path }) => (path === '/api/v1/auth/refresh' ? problem(401, code, 'Sign in again.') : undefined))
    session.signIn(grant)
    const first = renderConsole('/i/acme/users')
    await screen.findByText('users page')
    await act(async () => {
      await session.refresh()
    })
    expect(await screen.findByRole('status')).toHaveTextContent('Your session ended — sign in again.')
    first.unmount()

    code = 'refresh_token_reused'
    session.signIn(grant)
    renderConsole('/i/acme/users')
    await screen.findByText('users page')
    await act(async () => {
      await session.refresh()
    })
    expect(await screen.findByRole('status')).toHaveTextContent('Your session was ended to keep your account safe.')
  })

  it('says "You signed out." after signing out, and does not come back to the page', async () => {
    session.signIn(grant)
    const { router } = renderConsole('/i/acme/users')
    await screen.findByText('users page')
    act(() => session.signOut())
    expect(await screen.findByRole('status')).toHaveTextContent('You signed out.')
    expect(router.state.location.search).toBe('?reason=signed-out')
  })

  it('shows nothing for an unknown reason', async () => {
    renderConsole('/login?reason=%3Cb%3Ehi')
    await screen.findByRole('button', { name: 'Log in' })
    await waitFor(() => expect(document.title).toBe('Log in · Steward'))
    expect(screen.queryByRole('status')).not.toBeInTheDocument()
  })
})
