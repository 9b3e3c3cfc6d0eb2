import { MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router'
import { theme } from '../app/config'

/** The app's theme, without its animations (src/test/setup.ts has the user ask for reduced motion). */
const testTheme = { ...theme, respectReducedMotion: true }

const queryClients = new Set<QueryClient>()

/**
 * Empties the caches of the query clients that `renderRoutes` made (src/test/setup.ts, after each
 * test): their garbage-collection timers would otherwise keep every test's data in memory.
 */
export function clearQueryClients() {
  queryClients.forEach((client) => client.clear())
  queryClients.clear()
}

/** Renders `routes` at `path` inside the app's providers (no retries, fresh cache). */
export function renderRoutes(routes: RouteObject[], path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  queryClients.add(queryClient)
  const router = createMemoryRouter(routes, { initialEntries: [path] })
  const utils = render(
    <MantineProvider theme={testTheme}>
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  )
  return { ...utils, router, queryClient }
}

export function renderPage(element: ReactElement, path = '/') {
  return renderRoutes([{ path: '*', element }], path)
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
      ...headers,
    },
  })
}
