import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ResetPasswordPage } from '../features/account/AccountPages'
import { EmailsPage } from '../features/emails/EmailsPage'
import { GeneralPage } from '../features/general/GeneralPage'
import { ManagementClientDetailPage } from '../features/management/ManagementClientDetailPage'
import { ManagementClientsPage } from '../features/management/ManagementClientsPage'
import { UsersPage } from '../features/users/UsersPage'
import { WebhookDetailPage } from '../features/webhooks/WebhookDetailPage'
import { WebhooksPage } from '../features/webhooks/WebhooksPage'
import type { InstanceRef } from '../lib/instanceRef'
import { stubApi } from '../test/api'
import { jsonResponse, renderPage, renderRoutes } from '../test/render'
import { NotFoundPage } from './NotFoundPage'

const acme: InstanceRef = { slug: 'acme', name: 'Acme', role: 'owner', timeZone: 'UTC' }

describe('page titles', () => {
  it('names the page and its instance: "Users · Acme · Steward"', async () => {
    stubApi(() => undefined)
    renderPage(<UsersPage instance={acme} />, '/i/acme/users')
    await waitFor(() => expect(document.title).toBe('Users · Acme · Steward'))
  })

  it('names the tab of a page with tabs, and follows the tab', async () => {
    stubApi(() => undefined)
    const { router } = renderRoutes([{ path: '/i/:slug/general/:tab', element: <GeneralPage instance={acme} /> }], '/i/acme/general/smtp')
    await waitFor(() => expect(document.title).toBe('Email SMTP · General · Acme · Steward'))
    await router.navigate('/i/acme/general/identity')
    await waitFor(() => expect(document.title).toBe('Corporate identity · General · Acme · Steward'))
    await router.navigate('/i/acme/general/providers')
    await waitFor(() => expect(document.title).toBe('Identity providers · General · Acme · Steward'))
  })

  it('titles the emails page by its tab', async () => {
    stubApi(() => undefined)
    renderPage(<EmailsPage instance={acme} />, '/i/acme/emails?tab=mailbox')
    await waitFor(() => expect(document.title).toBe('Mailbox · Emails · Acme · Steward'))
  })

  it("titles the management clients page and a client's page under it", async () => {
    stubApi(({ path }) =>
      path === '/api/v1/instances/acme/management-clients/m1'
        ? jsonResponse({
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
          })
        : undefined,
    )
    const { unmount } = renderPage(<ManagementClientsPage instance={acme} />, '/i/acme/settings/management-clients')
    await waitFor(() => expect(document.title).toBe('Management clients · Acme · Steward'))
    unmount()
    renderRoutes([{ path: '/i/:slug/settings/management-clients/:id', element: <ManagementClientDetailPage instance={acme} /> }], '/i/acme/settings/management-clients/m1')
    await waitFor(() => expect(document.title).toBe('CI deploy bot · Management clients · Acme · Steward'))
  })

  it("titles the webhooks page and an endpoint's page under it", async () => {
    stubApi(({ path }) =>
      path === '/api/v1/instances/acme/webhooks/w1'
        ? jsonResponse({
            id: 'w1',
            url: 'https://api.example.com/steward-events',
            description: '',
            event_types: [],
            enabled: true,
            disabled_reason: null,
            failing_since: null,
            previous_secret_expires_at: null,
            created_at: '2026-11-01T00:00:00Z',
            updated_at: '2026-11-01T00:00:00Z',
          })
        : undefined,
    )
    const { unmount } = renderPage(<WebhooksPage instance={acme} />, '/i/acme/settings/webhooks')
    await waitFor(() => expect(document.title).toBe('Webhooks · Acme · Steward'))
    unmount()
    renderRoutes([{ path: '/i/:slug/settings/webhooks/:id', element: <WebhookDetailPage instance={acme} /> }], '/i/acme/settings/webhooks/w1')
    await waitFor(() => expect(document.title).toBe('api.example.com/steward-events · Webhooks · Acme · Steward'))
  })

  it('titles the not-found page', async () => {
    renderPage(<NotFoundPage />, '/nowhere')
    expect(await screen.findByText('Page not found')).toBeInTheDocument()
    expect(document.title).toBe('Page not found · Steward')
  })

  it("brands an end user's account page with the instance's name, not the console's", async () => {
    stubApi(({ path }) => (path === '/public/v1/shop/branding' ? jsonResponse({ instance: 'shop', name: 'Acme Shop', logo_url: null }) : undefined))
    renderPage(<ResetPasswordPage />, '/account/reset-password?instance=shop&token=t1')
    await waitFor(() => expect(document.title).toBe('Choose a new password · Acme Shop'))
  })
})
