import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { session } from '../../lib/session'
import { jsonResponse } from '../../test/render'
import { useLogout } from './api'

function renderLogout() {
  const queryClient = new QueryClient({ defaultOptions: { mutations: { retry: false } } })
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  return renderHook(() => useLogout(), { wrapper })
}

afterEach(() => session.clear())

describe('useLogout', () => {
  it('calls the API with the access token (it clears the cookie), then forgets the session', async () => {
    session.signIn({ access_token: 'access-1', expires_in: 900 })
    const requests: Request[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        requests.push(new Request(input, init))
        return jsonResponse(null, 204)
      }),
    )
    const { result } = renderLogout()
    act(() => result.current.mutate())
    await waitFor(() => expect(session.getState().status).toBe('anonymous'))
    expect(requests).toHaveLength(1)
    expect(requests[0].method).toBe('POST')
    expect(new URL(requests[0].url).pathname).toBe('/api/v1/auth/logout')
    expect(requests[0].headers.get('Authorization')).toBe('Bearer access-1')
    await expect(session.getAccessToken()).resolves.toBeNull()
  })

  it('forgets the session even when the server cannot be reached', async () => {
    session.signIn({ access_token: 'access-1', expires_in: 900 })
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const { result } = renderLogout()
    act(() => result.current.mutate())
    await waitFor(() => expect(session.getState().status).toBe('anonymous'))
  })
})
