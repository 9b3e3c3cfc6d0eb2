import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { session } from '../../lib/session'
import { problem, stubApi } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { LoginPage } from './LoginPage'

const challenge = { challenge_token: 'chal-1', expires_in: 300, methods: ['totp', 'recovery_code'] }
const grant = { access_token: 'access-2fa', token_type: 'Bearer', expires_in: 900 }

function renderLogin(path = '/login') {
  return renderRoutes(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/', element: <p>console home</p> },
      { path: '/invitations/accept', element: <p>invitation page</p> },
    ],
    path,
  )
}

async function passwordStep(user: ReturnType<typeof userEvent.setup>) {
  await fill(user, screen.getByLabelText(/^email/i, { selector: 'input' }), 'ada@example.com')
  await fill(user, screen.getByLabelText(/^password/i, { selector: 'input' }), 'right-password')
  await user.click(screen.getByRole('button', { name: 'Log in' }))
  return screen.findByLabelText(/^authentication code/i, { selector: 'input' })
}

afterEach(() => session.clear())

describe('LoginPage with two-factor sign-in', () => {
  it('asks for the code after a 202, and signs in with it (cookie session, challenge sent back)', async () => {
    const seen = stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') return jsonResponse(grant)
    })
    renderLogin()
    const user = userEvent.setup()
    const code = await passwordStep(user)
    // Not signed in by the password alone.
    expect(session.getState().status).toBe('anonymous')
    expect(screen.getByText('Enter the 6-digit code from your authenticator app.')).toBeInTheDocument()
    await waitFor(() => expect(document.title).toBe('Two-factor sign-in · Steward'))

    await user.type(code, '123 456')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByText('console home')).toBeInTheDocument()
    expect(session.getState().status).toBe('authenticated')
    const second = seen.find((r) => r.path === '/api/v1/auth/login/two-factor')
    expect(second?.body).toEqual({ challenge_token: 'chal-1', code: '123456' })
    expect(second?.headers.get('X-Steward-Session')).toBe('cookie')
  })

  it('checks the code before sending, shows a wrong code beside the field and allows a retry', async () => {
    let attempts = 0
    const seen = stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') {
        attempts += 1
        return attempts === 1 ? problem(401, 'invalid_two_factor_code', 'That code is not valid.') : jsonResponse(grant)
      }
    })
    renderLogin()
    const user = userEvent.setup()
    const code = await passwordStep(user)
    await user.type(code, '12')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByText('Enter the 6-digit code')).toBeInTheDocument()
    expect(seen.filter((r) => r.path.endsWith('/two-factor'))).toHaveLength(0)

    await user.clear(code)
    await user.type(code, '000000')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    await waitFor(() => expect(screen.getByLabelText(/^authentication code/i, { selector: 'input' })).toHaveAccessibleDescription(/That code is not valid\./))
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()

    await user.type(screen.getByLabelText(/^authentication code/i, { selector: 'input' }), '654321')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByText('console home')).toBeInTheDocument()
  })

  it('takes a recovery code instead', async () => {
    const seen = stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') return jsonResponse(grant)
    })
    renderLogin('/login?next=%2Finvitations%2Faccept%3Ftoken%3Dabc')
    const user = userEvent.setup()
    await passwordStep(user)
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }))
    await user.type(screen.getByLabelText(/^recovery code/i, { selector: 'input' }), ' abcde-fghij ')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    // Back to where the sign-in was for (`?next=`).
    expect(await screen.findByText('invitation page')).toBeInTheDocument()
    expect(seen.find((r) => r.path.endsWith('/two-factor'))?.body).toEqual({ challenge_token: 'chal-1', recovery_code: 'abcde-fghij' })
  })

  it('offers to start over when the challenge is spent or expired', async () => {
    stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') return problem(401, 'invalid_challenge', 'The sign-in challenge is invalid or expired.')
    })
    renderLogin()
    const user = userEvent.setup()
    const code = await passwordStep(user)
    await user.type(code, '123456')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Start over')
    await user.click(screen.getByRole('button', { name: 'Start over' }))
    expect(await screen.findByRole('button', { name: 'Log in' })).toBeInTheDocument()
    // The email stays; the password must be typed again.
    expect(screen.getByLabelText(/^email/i, { selector: 'input' })).toHaveValue('ada@example.com')
    expect(screen.getByLabelText(/^password/i, { selector: 'input' })).toHaveValue('')
  })

  it('says how long to wait after too many attempts', async () => {
    stubApi(({ path }) => {
      if (path === '/api/v1/auth/login') return jsonResponse(challenge, 202)
      if (path === '/api/v1/auth/login/two-factor') return problem(429, 'too_many_attempts', 'Too many attempts', { headers: { 'Retry-After': '90' } })
    })
    renderLogin()
    const user = userEvent.setup()
    const code = await passwordStep(user)
    await user.type(code, '123456')
    await user.click(screen.getByRole('button', { name: 'Verify and log in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 90 s.')
  })

  it('links to the forgotten-password page', () => {
    stubApi(() => undefined)
    renderLogin()
    expect(screen.getByRole('link', { name: 'Forgot password?' })).toHaveAttribute('href', '/forgot-password')
  })
})
