import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import {
  deliveriesPollInterval,
  deliveryBadge,
  DELIVERY_POLL_MS,
  endpointStatus,
  formatLatency,
  groupEventTypes,
  pathOf,
  sortEventTypes,
  subscribable,
  type Delivery,
  type DeliveryDetail,
  type EventTypeInfo,
  type InstanceRef,
  type Role,
  type Webhook,
} from './model'
import { WebhookDetailPage } from './WebhookDetailPage'
import { WebhooksPage } from './WebhooksPage'

const catalogue: EventTypeInfo[] = [
  { type: 'user.created', description: 'An end user was created.' },
  { type: 'user.updated', description: 'An end user’s profile changed.' },
  { type: 'user.deleted', description: 'An end user was deleted.' },
  { type: 'user.blocked', description: 'An end user was blocked.' },
  { type: 'user.unblocked', description: 'An end user was unblocked.' },
  { type: 'user.signed_in', description: 'An end user signed in.' },
  { type: 'user.email_verified', description: 'An end user verified their email address.' },
  { type: 'application.created', description: 'An application was connected.' },
  { type: 'application.updated', description: 'An application’s settings changed.' },
  { type: 'application.deleted', description: 'An application was deleted.' },
  { type: 'application.secret_rotated', description: 'A back-end application’s secret was rotated.' },
  { type: 'webhook.test', description: 'A test event, sent on request to one endpoint.' },
]

function endpoint(overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: 'w1',
    url: 'https://api.example.com/steward-events',
    description: 'CRM sync',
    event_types: ['user.created', 'user.deleted'],
    enabled: true,
    disabled_reason: null,
    failing_since: null,
    previous_secret_expires_at: null,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
    ...overrides,
  }
}

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: 'd1',
    message_id: 'msg_0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4',
    event_type: 'user.created',
    status: 'succeeded',
    attempts: 1,
    next_attempt_at: null,
    last_attempt_at: '2026-11-02T10:00:01Z',
    last_status: 200,
    last_latency_ms: 42,
    last_error: null,
    last_response: 'ok',
    delivered_at: '2026-11-02T10:00:01Z',
    created_at: '2026-11-02T10:00:00Z',
    ...overrides,
  }
}

const BASE = '/api/v1/instances/shop/webhooks'
const page = <T,>(items: T[]) => jsonResponse({ items, next_cursor: null, total: items.length })

/** The fake API of a shop with `endpoints` and, per endpoint, `deliveries`; `extra` answers first (writes, errors). */
function stubWebhooks(
  endpoints: Webhook[],
  options: { deliveries?: Delivery[]; details?: Record<string, DeliveryDetail>; extra?: (r: SeenRequest) => Response | undefined } = {},
) {
  return stubApi((r) => {
    const answer = options.extra?.(r)
    if (answer) return answer
    if (r.method !== 'GET') return undefined
    if (r.path === '/api/v1/webhook-event-types') return jsonResponse({ items: catalogue })
    if (r.path === BASE) return page(endpoints)
    for (const e of endpoints) {
      if (r.path === `${BASE}/${e.id}`) return jsonResponse(e)
      if (r.path === `${BASE}/${e.id}/deliveries`) {
        const status = r.query.get('status')
        return page((options.deliveries ?? []).filter((d) => !status || d.status === status))
      }
      const detail = Object.entries(options.details ?? {}).find(([id]) => r.path === `${BASE}/${e.id}/deliveries/${id}`)
      if (detail) return jsonResponse(detail[1])
    }
    return undefined
  })
}

const shop = (role: Role = 'admin'): InstanceRef => ({ slug: 'shop', name: 'Shop', role, timeZone: 'UTC' })

function renderConsole(path: string, role: Role = 'admin') {
  return renderRoutes(
    [
      { path: '/i/:slug/settings/webhooks', element: <WebhooksPage instance={shop(role)} /> },
      { path: '/i/:slug/settings/webhooks/:id', element: <WebhookDetailPage instance={shop(role)} /> },
    ],
    path,
  )
}

afterEach(() => {
  vi.useRealTimers()
})

describe('webhooks model', () => {
  it('offers every type but the test event, grouped by what it is about', () => {
    expect(subscribable(catalogue).map((t) => t.type)).not.toContain('webhook.test')
    expect(groupEventTypes(subscribable(catalogue)).map((g) => [g.label, g.types.length])).toEqual([
      ['Users', 7],
      ['Applications', 4],
    ])
    expect(sortEventTypes(['application.created', 'user.deleted', 'application.created'], catalogue)).toEqual(['user.deleted', 'application.created'])
  })

  it('says where an endpoint stands', () => {
    const at = (iso: string) => `at ${iso}`
    expect(endpointStatus(endpoint(), at)).toMatchObject({ kind: 'enabled', label: 'Enabled' })
    expect(endpointStatus(endpoint({ enabled: false }), at)).toMatchObject({ kind: 'off', label: 'Off', detail: null })
    expect(endpointStatus(endpoint({ enabled: false, disabled_reason: 'Failing for 5 days' }), at)).toMatchObject({
      kind: 'turned_off',
      detail: 'Failing for 5 days',
    })
    expect(endpointStatus(endpoint({ failing_since: '2026-11-02T00:00:00Z' }), at)).toMatchObject({ kind: 'failing', detail: 'since at 2026-11-02T00:00:00Z' })
  })

  it('polls only while a delivery is pending, and formats what the log shows', () => {
    const pageOf = (items: Delivery[]) => ({ items, next_cursor: null, total: items.length })
    expect(deliveriesPollInterval([pageOf([delivery(), delivery({ id: 'd2', status: 'pending', attempts: 0 })])])).toBe(DELIVERY_POLL_MS)
    expect(deliveriesPollInterval([pageOf([delivery(), delivery({ id: 'd2', status: 'failed' })])])).toBe(false)
    expect(deliveriesPollInterval(undefined)).toBe(false)
    expect(deliveryBadge({ status: 'pending', attempts: 0 }).label).toBe('Pending')
    expect(deliveryBadge({ status: 'pending', attempts: 2 }).label).toBe('Retrying')
    expect([formatLatency(42), formatLatency(1234), formatLatency(null)]).toEqual(['42 ms', '1.2 s', '—'])
    expect([pathOf('https://a.example/hooks/in'), pathOf('https://a.example/'), pathOf('nope')]).toEqual(['/hooks/in', '/steward-events', '/steward-events'])
  })
})

describe('WebhooksPage', () => {
  it('lists the endpoints with their event types and status', async () => {
    stubWebhooks([
      endpoint(),
      endpoint({ id: 'w2', url: 'https://audit.example.com/in', description: '', event_types: [] }),
      endpoint({ id: 'w3', url: 'https://old.example.com/hook', enabled: false, disabled_reason: 'Every delivery failed for 5 days' }),
      endpoint({ id: 'w4', url: 'https://flaky.example.com/hook', failing_since: '2026-11-03T08:30:00Z' }),
      endpoint({ id: 'w5', url: 'https://paused.example.com/hook', enabled: false }),
    ])
    renderConsole('/i/shop/settings/webhooks')
    const row = (url: string) => screen.getByRole('link', { name: url }).closest('tr') as HTMLElement

    expect(await screen.findByRole('link', { name: 'https://api.example.com/steward-events' })).toHaveAttribute('href', '/i/shop/settings/webhooks/w1')
    const crm = row('https://api.example.com/steward-events')
    expect(within(crm).getByRole('list', { name: /Event types of/ })).toBeInTheDocument()
    expect(within(crm).getAllByRole('listitem').map((b) => b.textContent)).toEqual(['user.created', 'user.deleted'])
    expect(within(crm).getByText('Enabled')).toBeInTheDocument()
    expect(within(crm).getByText('CRM sync')).toBeInTheDocument()
    expect(within(crm).getByText(/Nov 1, 2026/)).toBeInTheDocument()

    expect(within(row('https://audit.example.com/in')).getByText('All events')).toBeInTheDocument()
    const old = row('https://old.example.com/hook')
    expect(within(old).getByText('Turned off')).toBeInTheDocument()
    expect(within(old).getByText('Turned off: Every delivery failed for 5 days')).toBeInTheDocument()
    expect(within(row('https://flaky.example.com/hook')).getByText(/^Failing since Nov 3, 2026/)).toBeInTheDocument()
    expect(within(row('https://paused.example.com/hook')).getByText('Off')).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Verifying deliveries' })).toBeInTheDocument()
  })

  it('explains webhooks and how to verify them when there are none', async () => {
    stubWebhooks([])
    renderConsole('/i/shop/settings/webhooks')
    expect(await screen.findByText('No webhook endpoints yet')).toBeInTheDocument()
    expect(screen.getByText(/a URL of your server that Steward calls when something happens/)).toBeInTheDocument()
    const snippet = screen.getByLabelText('verification snippet')
    expect(snippet).toHaveTextContent("import { Webhook } from 'standardwebhooks'")
    expect(snippet).toHaveTextContent('webhook.verify(req.body.toString')
    expect(screen.getByText('Standard Webhooks')).toBeInTheDocument()
    expect(screen.getAllByRole('button', { name: 'Add endpoint' })).toHaveLength(2)
  })

  it('offers the event types without the test event, and puts the server’s field errors beside the fields', async () => {
    const seen = stubWebhooks([], {
      extra: (r) =>
        r.method === 'POST' && r.path === BASE
          ? problem(422, 'validation_failed', 'The request has invalid fields.', {
              errors: [
                { field: 'url', code: 'private_network', message: '10.0.0.5 is a private address; this server connects only to public addresses.' },
                { field: 'event_types[1]', code: 'invalid_value', message: 'Unknown event type.' },
              ],
            })
          : undefined,
    })
    renderConsole('/i/shop/settings/webhooks')
    const user = userEvent.setup()
    await user.click((await screen.findAllByRole('button', { name: 'Add endpoint' }))[0])
    const form = await screen.findByRole('dialog', { name: 'Add webhook endpoint' })

    // Nothing chosen: every event.
    expect(await within(form).findByText('All events, including types added later')).toBeInTheDocument()
    expect(within(form).getAllByRole('checkbox', { name: /^user\./ })).toHaveLength(7)
    expect(within(form).getByRole('checkbox', { name: /application\.secret_rotated/ })).toHaveAccessibleDescription(/secret was rotated/)
    expect(within(form).queryByRole('checkbox', { name: /webhook\.test/ })).not.toBeInTheDocument()
    expect(within(form).getByRole('checkbox', { name: /Enabled/ })).toBeChecked()

    // The URL is required before anything is sent.
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }))
    expect(within(form).getByRole('textbox', { name: /Endpoint URL/ })).toHaveAccessibleDescription(/URL is required/)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(0)

    await fill(user, within(form).getByRole('textbox', { name: /Endpoint URL/ }), 'http://10.0.0.5/hook')
    await user.click(within(form).getByRole('checkbox', { name: /user\.deleted/ }))
    await user.click(within(form).getByRole('checkbox', { name: /user\.created/ }))
    expect(within(form).getByText('2 of 11 event types')).toBeInTheDocument()
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }))

    const url = within(form).getByRole('textbox', { name: /Endpoint URL/ })
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'))
    expect(url).toHaveAccessibleDescription(/10\.0\.0\.5 is a private address/)
    expect(within(form).getByRole('group', { name: 'Event types' })).toHaveAccessibleDescription(/Unknown event type/)
    // Every error was placed beside its field: no banner.
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument()
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ url: 'http://10.0.0.5/hook', event_types: ['user.created', 'user.deleted'], enabled: true })
  })

  it('shows the new endpoint’s signing secret once, then opens the endpoint', async () => {
    const created = endpoint({ id: 'w9', url: 'https://hooks.example.com/in', description: '', event_types: [] })
    let endpoints: Webhook[] = []
    const seen = stubWebhooks([created], {
      extra: (r) => {
        if (r.method === 'POST' && r.path === BASE) {
          endpoints = [created]
          return jsonResponse({ endpoint: created, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 201)
        }
        if (r.method === 'GET' && r.path === BASE) return page(endpoints)
        return undefined
      },
    })
    const { router } = renderConsole('/i/shop/settings/webhooks')
    const user = userEvent.setup()
    await user.click((await screen.findAllByRole('button', { name: 'Add endpoint' }))[0])
    const form = await screen.findByRole('dialog', { name: 'Add webhook endpoint' })
    await fill(user, within(form).getByRole('textbox', { name: /Endpoint URL/ }), 'https://hooks.example.com/in')
    await within(form).findByText('All events, including types added later')
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }))

    const dialog = await screen.findByRole('dialog', { name: 'Signing secret of hooks.example.com/in' })
    expect(within(dialog).getByTestId('signing-secret')).toHaveTextContent('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
    expect(within(dialog).getByText('Copy it now: it will not be shown again')).toBeInTheDocument()
    expect(within(dialog).getByRole('button', { name: 'Copy signing secret' })).toBeInTheDocument()
    expect(within(dialog).queryByTestId('client-id')).not.toBeInTheDocument()
    expect(within(dialog).getByLabelText('environment variable')).toHaveTextContent('STEWARD_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
    // All events: no event_types sent.
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ url: 'https://hooks.example.com/in', enabled: true })
    expect(await screen.findByText('Webhook endpoint hooks.example.com/in added')).toBeInTheDocument()

    // Escape does not close it; only the confirmation does, and the secret is gone.
    await user.keyboard('{Escape}')
    expect(screen.getByTestId('signing-secret')).toBeInTheDocument()
    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/settings/webhooks/w9'))
    expect(await screen.findByRole('heading', { level: 1, name: 'https://hooks.example.com/in' })).toBeInTheDocument()
    expect(document.body).not.toHaveTextContent('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
  })
})

describe('WebhookDetailPage', () => {
  it('refreshes the deliveries log while a delivery is pending, and stops when none is', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    let listCalls = 0
    let endpointCalls = 0
    const pending = delivery({ id: 'd2', event_type: 'webhook.test', status: 'pending', attempts: 0, last_status: null, last_latency_ms: null, delivered_at: null, last_attempt_at: null, last_response: null })
    const stub = stubWebhooks([endpoint()], {
      extra: (r) => {
        if (r.method === 'GET' && r.path === `${BASE}/w1/deliveries`) {
          listCalls++
          // Pending on the first look; delivered on the next.
          return page([listCalls === 1 ? pending : { ...pending, status: 'succeeded', attempts: 1, last_status: 204, last_latency_ms: 17, delivered_at: '2026-11-02T10:00:02Z' }, delivery()])
        }
        if (r.method === 'GET' && r.path === `${BASE}/w1`) endpointCalls++
        return undefined
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const log = await screen.findByRole('table', { name: 'Deliveries' })
    const row = () => log.querySelector('[data-delivery="d2"]') as HTMLElement
    await waitFor(() => expect(row()).toBeTruthy())
    expect(within(row()).getByText('Pending')).toBeInTheDocument()
    expect(screen.getByText(/Refreshing every 3 s while deliveries are pending/)).toBeInTheDocument()
    expect(listCalls).toBe(1)

    await act(() => vi.advanceTimersByTimeAsync(DELIVERY_POLL_MS + 100))
    await waitFor(() => expect(within(row()).getByText('Succeeded')).toBeInTheDocument())
    expect(listCalls).toBe(2)
    expect(within(row()).getByText('204')).toBeInTheDocument()
    expect(within(row()).getByText('17 ms')).toBeInTheDocument()
    expect(screen.queryByText(/Refreshing every/)).not.toBeInTheDocument()
    // The endpoint is read again (its failure state may have changed)...
    await waitFor(() => expect(endpointCalls).toBe(2))

    // ...and nothing more is asked once nothing is pending.
    await act(() => vi.advanceTimersByTimeAsync(DELIVERY_POLL_MS * 3))
    expect(listCalls).toBe(2)
    expect(stub.filter((r) => r.path === `${BASE}/w1/deliveries`)).toHaveLength(2)
  })

  it('filters the log by status', async () => {
    const seen = stubWebhooks([endpoint()], { deliveries: [delivery(), delivery({ id: 'd3', status: 'failed', last_status: 500, last_error: 'HTTP 500' })] })
    const { router } = renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    const log = await screen.findByRole('table', { name: 'Deliveries' })
    await waitFor(() => expect(within(log).getAllByRole('button', { name: /^Details of the/ })).toHaveLength(2))
    await user.click(screen.getByRole('radio', { name: 'Failed' }))
    await waitFor(() => expect(within(log).getAllByRole('button', { name: /^Details of the/ })).toHaveLength(1))
    expect(within(log).getByText('HTTP 500')).toBeInTheDocument()
    expect(router.state.location.search).toBe('?status=failed')
    expect(seen.filter((r) => r.path.endsWith('/deliveries')).map((r) => r.query.get('status'))).toEqual([null, 'failed'])
    await user.click(screen.getByRole('radio', { name: 'Pending' }))
    expect(await screen.findByText('No pending deliveries')).toBeInTheDocument()
  })

  it('shows a delivery’s payload and attempts, and resends it', async () => {
    const failed = delivery({ id: 'd3', status: 'failed', attempts: 2, last_status: 500, last_latency_ms: 1500, last_error: 'HTTP 500', delivered_at: null })
    const resent = delivery({ id: 'd4', status: 'pending', attempts: 0, last_status: null, last_latency_ms: null, delivered_at: null, created_at: '2026-11-04T09:00:00Z' })
    const detail: DeliveryDetail = {
      delivery: failed,
      payload: { type: 'user.created', timestamp: '2026-11-02T10:00:00.000Z', data: { id: 'u1', email: 'ada@example.com' } },
      attempts: [
        { attempt: 1, at: '2026-11-02T10:00:01Z', status_code: null, latency_ms: 10_000, response_excerpt: null, error: 'Timed out after 10 s' },
        { attempt: 2, at: '2026-11-02T10:01:01Z', status_code: 500, latency_ms: 1500, response_excerpt: '{"error":"database down"}', error: null },
      ],
    }
    const seen = stubWebhooks([endpoint()], {
      deliveries: [failed],
      details: { d3: detail, d4: { delivery: resent, payload: detail.payload, attempts: [] } },
      extra: (r) => (r.method === 'POST' && r.path === `${BASE}/w1/deliveries/d3/resend` ? jsonResponse(resent, 202) : undefined),
    })
    const { router } = renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: /^Details of the user\.created delivery of/ }))

    const drawer = await screen.findByRole('dialog', { name: 'Delivery details' })
    expect(router.state.location.search).toBe('?delivery=d3')
    const article = await within(drawer).findByRole('article', { name: 'Delivery of user.created' })
    expect(within(article).getByText('Failed')).toBeInTheDocument()
    expect(within(article).getByText('msg_0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4')).toBeInTheDocument()
    // The payload, indented.
    expect(within(article).getByLabelText('payload').textContent).toBe(JSON.stringify(detail.payload, null, 2))
    const attempts = within(article).getByRole('table', { name: 'Delivery attempts' })
    const [first, second] = within(attempts).getAllByRole('row').slice(1)
    expect(first).toHaveTextContent('Timed out after 10 s')
    expect(first).toHaveTextContent('10 s')
    expect(within(second).getByText('500')).toBeInTheDocument()
    expect(within(second).getByText('1.5 s')).toBeInTheDocument()
    expect(within(second).getByLabelText('Response to attempt 2')).toHaveTextContent('{"error":"database down"}')
    expect(within(second).getByText(/Nov 2, 2026/)).toBeInTheDocument()

    await user.click(within(article).getByRole('button', { name: 'Resend' }))
    await waitFor(() => expect(router.state.location.search).toBe('?delivery=d4'))
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`${BASE}/w1/deliveries/d3/resend`])
    expect(await screen.findByText('user.created sent again: showing the new delivery')).toBeInTheDocument()
    expect(await within(drawer).findByText('No attempt yet: the delivery is waiting for its turn.')).toBeInTheDocument()
    expect(within(drawer).queryByRole('button', { name: 'Resend' })).not.toBeInTheDocument()
  })

  it('says why Steward turned an endpoint off, and turns it on again', async () => {
    let current = endpoint({ enabled: false, disabled_reason: 'Every delivery failed for 5 days.', failing_since: '2026-10-28T00:00:00Z' })
    const seen = stubWebhooks([current], {
      extra: (r) => {
        if (r.method === 'PATCH') {
          current = { ...current, enabled: true, disabled_reason: null, failing_since: null, updated_at: '2026-11-05T00:00:00Z' }
          return jsonResponse(current)
        }
        if (r.method === 'GET' && r.path === `${BASE}/w1`) return jsonResponse(current)
        return undefined
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    expect(await screen.findByRole('alert', { name: 'Steward turned this endpoint off' })).toHaveTextContent('Every delivery failed for 5 days.')
    expect(screen.getByRole('button', { name: 'Send test event' })).toBeDisabled()
    expect(screen.getByText('Turn the endpoint on to send a test event.')).toBeInTheDocument()

    await user.click(screen.getByRole('switch', { name: 'Deliver events' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(1))
    expect(seen.find((r) => r.method === 'PATCH')?.body).toEqual({ enabled: true })
    await waitFor(() => expect(screen.queryByRole('alert', { name: 'Steward turned this endpoint off' })).not.toBeInTheDocument())
    expect(screen.getByRole('switch', { name: 'Deliver events' })).toBeChecked()
    expect(screen.getByRole('button', { name: 'Send test event' })).toBeEnabled()
  })

  it('warns about an endpoint that is failing', async () => {
    stubWebhooks([endpoint({ failing_since: '2026-11-03T08:30:00Z' })])
    renderConsole('/i/shop/settings/webhooks/w1')
    expect(await screen.findByRole('alert', { name: /^Failing since Nov 3, 2026/ })).toHaveTextContent(/turns the endpoint off if it fails for days/)
  })

  it('sends a test event and shows the refusal of an endpoint that is off', async () => {
    let refuse = false
    const seen = stubWebhooks([endpoint()], {
      extra: (r) => {
        if (r.method !== 'POST' || r.path !== `${BASE}/w1/test`) return undefined
        return refuse
          ? problem(409, 'endpoint_disabled', 'The endpoint is turned off: turn it on to send a test event.')
          : jsonResponse(delivery({ id: 'd9', event_type: 'webhook.test', status: 'pending', attempts: 0 }), 202)
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Send test event' }))
    expect(await screen.findByText('Test event queued: follow it in the deliveries below')).toBeInTheDocument()
    // The log is read again, to show the new delivery.
    await waitFor(() => expect(seen.filter((r) => r.path === `${BASE}/w1/deliveries`)).toHaveLength(2))

    refuse = true
    await user.click(screen.getByRole('button', { name: 'Send test event' }))
    expect(await screen.findByText('The endpoint is turned off: turn it on to send a test event.')).toBeInTheDocument()
  })

  it('saves new settings, putting field errors beside the fields', async () => {
    let current = endpoint()
    const seen = stubWebhooks([current], {
      extra: (r) => {
        if (r.method !== 'PATCH') return undefined
        const body = r.body as { url: string }
        if (body.url.startsWith('ftp:')) {
          return problem(422, 'validation_failed', 'The request has invalid fields.', { errors: [{ field: 'url', code: 'invalid_scheme', message: 'The URL must use http or https.' }] })
        }
        current = { ...current, ...(r.body as Partial<Webhook>), updated_at: '2026-11-05T00:00:00Z' }
        return jsonResponse(current)
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    const url = await screen.findByRole('textbox', { name: /Endpoint URL/ })
    expect(await screen.findByRole('checkbox', { name: /user\.created/ })).toBeChecked()
    await user.clear(url)
    await fill(user, url, 'ftp://api.example.com/in')
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(url).toHaveAccessibleDescription(/must use http or https/))

    await user.clear(url)
    await fill(user, url, 'https://api.example.com/v2/events')
    await user.click(screen.getByRole('checkbox', { name: /application\.created/ }))
    await user.click(screen.getByRole('checkbox', { name: /user\.deleted/ }))
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(2))
    expect(seen.filter((r) => r.method === 'PATCH')[1].body).toEqual({
      url: 'https://api.example.com/v2/events',
      description: 'CRM sync',
      event_types: ['user.created', 'application.created'],
    })
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save changes' })).toBeDisabled())
    expect(screen.getByRole('heading', { level: 1, name: 'https://api.example.com/v2/events' })).toBeInTheDocument()
  })

  it('rotates the signing secret with a grace period and shows the new one once', async () => {
    let current = endpoint()
    const seen = stubWebhooks([current], {
      extra: (r) => {
        if (r.method === 'POST' && r.path === `${BASE}/w1/secret`) {
          current = { ...current, previous_secret_expires_at: '2099-11-03T10:00:00Z', updated_at: '2026-11-02T10:00:00Z' }
          return jsonResponse({ secret: 'whsec_bmV3LXNlY3JldC1rZXktZm9yLXRlc3Rz', previous_secret_expires_at: '2099-11-03T10:00:00Z' })
        }
        if (r.method === 'GET' && r.path === `${BASE}/w1`) return jsonResponse(current)
        return undefined
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Rotate secret' }))
    const confirm = await screen.findByRole('dialog', { name: 'Rotate the signing secret' })
    expect(within(confirm).getByText(/Your receiver will refuse deliveries until it has the new one/)).toBeInTheDocument()
    await user.click(within(confirm).getByText('24 hours'))
    expect(within(confirm).getByText(/keeps working for 24 hours/)).toBeInTheDocument()
    await user.click(within(confirm).getByRole('button', { name: 'Rotate secret' }))

    const dialog = await screen.findByRole('dialog', { name: 'New signing secret of api.example.com/steward-events' })
    expect(within(dialog).getByTestId('signing-secret')).toHaveTextContent('whsec_bmV3LXNlY3JldC1rZXktZm9yLXRlc3Rz')
    expect(seen.find((r) => r.path === `${BASE}/w1/secret`)?.body).toEqual({ grace_period_secs: 86400 })
    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }))
    await waitFor(() => expect(screen.queryByTestId('signing-secret')).not.toBeInTheDocument())
    expect(await screen.findByTestId('previous-secret')).toHaveTextContent(/The previous secret also signs until Nov 3, 2099/)
  })

  it('deletes the endpoint after a confirmation and goes back to the list', async () => {
    let endpoints = [endpoint()]
    const seen = stubWebhooks(endpoints, {
      extra: (r) => {
        if (r.method === 'DELETE') {
          endpoints = []
          return new Response(null, { status: 204 })
        }
        if (r.method === 'GET' && r.path === BASE) return page(endpoints)
        return undefined
      },
    })
    const { router } = renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Delete endpoint' }))
    const confirm = await screen.findByRole('dialog', { name: 'Delete webhook endpoint' })
    expect(confirm).toHaveTextContent('https://api.example.com/steward-events')
    await user.click(within(confirm).getByRole('button', { name: 'Delete permanently' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/settings/webhooks'))
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${BASE}/w1`])
    expect(await screen.findByText('No webhook endpoints yet')).toBeInTheDocument()
  })

  it('pages through the log with “Load more”', async () => {
    const older = delivery({ id: 'd0', event_type: 'user.deleted', created_at: '2026-10-30T10:00:00Z' })
    const seen = stubWebhooks([endpoint()], {
      extra: (r) => {
        if (r.method !== 'GET' || r.path !== `${BASE}/w1/deliveries`) return undefined
        return r.query.get('cursor') === 'c1'
          ? jsonResponse({ items: [older], next_cursor: null, total: 2 })
          : jsonResponse({ items: [delivery()], next_cursor: 'c1', total: 2 })
      },
    })
    renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    expect(await screen.findByText('Showing 1 of 2')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Load more' }))
    expect(await screen.findByText('Showing 2 of 2')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: /^Details of the user\.deleted delivery/ })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
    expect(seen.filter((r) => r.path === `${BASE}/w1/deliveries`).map((r) => r.query.get('cursor'))).toEqual([null, 'c1'])
  })

  it('asks before leaving the page with unsaved settings, but not for opening a delivery', async () => {
    const detail: DeliveryDetail = { delivery: delivery(), payload: { type: 'user.created' }, attempts: [] }
    stubWebhooks([endpoint()], { deliveries: [delivery()], details: { d1: detail } })
    const { router } = renderConsole('/i/shop/settings/webhooks/w1')
    const user = userEvent.setup()
    await user.type(await screen.findByRole('textbox', { name: 'Description' }), ' (v2)')
    // A delivery opens in the drawer (the query string): not leaving.
    await user.click(await screen.findByRole('button', { name: /^Details of the user\.created delivery/ }))
    expect(await screen.findByRole('dialog', { name: 'Delivery details' })).toBeInTheDocument()
    expect(screen.queryByRole('dialog', { name: 'Leave without saving?' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Close the delivery details' }))
    await waitFor(() => expect(router.state.location.search).toBe(''))

    await user.click(screen.getByRole('link', { name: 'Webhooks' }))
    const ask = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(ask).toHaveTextContent('The webhook endpoint’s settings have unsaved changes')
    await user.click(within(ask).getByRole('button', { name: 'Stay' }))
    expect(router.state.location.pathname).toBe('/i/shop/settings/webhooks/w1')
    expect(screen.getByRole('textbox', { name: 'Description' })).toHaveValue('CRM sync (v2)')
    await user.click(screen.getByRole('link', { name: 'Webhooks' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Leave without saving?' })).getByRole('button', { name: 'Leave' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/i/shop/settings/webhooks'))
  })

  it('says an endpoint that is gone was not found', async () => {
    stubWebhooks([])
    renderConsole('/i/shop/settings/webhooks/nope')
    expect(await screen.findByRole('heading', { name: 'Webhook endpoint not found' })).toBeInTheDocument()
  })
})

describe('role gating', () => {
  it.each(['developer', 'viewer'] as const)('lets a %s read the endpoints and deliveries, and change nothing', async (role) => {
    const detail: DeliveryDetail = { delivery: delivery(), payload: { type: 'user.created' }, attempts: [] }
    const seen = stubWebhooks([endpoint()], { deliveries: [delivery()], details: { d1: detail } })
    const { router } = renderConsole('/i/shop/settings/webhooks', role)
    expect(await screen.findByRole('link', { name: 'https://api.example.com/steward-events' })).toBeInTheDocument()
    expect(screen.getByTestId('read-only-notice')).toHaveTextContent(`Only admins and owners can add, change or test webhooks; you are a ${role}.`)
    expect(screen.queryByRole('button', { name: 'Add endpoint' })).not.toBeInTheDocument()

    await act(() => router.navigate('/i/shop/settings/webhooks/w1'))
    expect(await screen.findByRole('heading', { level: 1, name: 'https://api.example.com/steward-events' })).toBeInTheDocument()
    expect(screen.getByTestId('read-only-notice')).toBeInTheDocument()
    expect(await screen.findByRole('textbox', { name: /Endpoint URL/ })).toBeDisabled()
    expect(await screen.findByRole('checkbox', { name: /user\.created/ })).toBeDisabled()
    for (const name of ['Save changes', 'Send test event', 'Rotate secret', 'Delete endpoint', 'Deliver all events']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument()
    }
    expect(screen.queryByRole('switch', { name: 'Deliver events' })).not.toBeInTheDocument()

    // The log and a delivery's details, without Resend.
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: /^Details of the user\.created delivery/ }))
    const drawer = await screen.findByRole('dialog', { name: 'Delivery details' })
    expect(await within(drawer).findByLabelText('payload')).toBeInTheDocument()
    expect(within(drawer).queryByRole('button', { name: 'Resend' })).not.toBeInTheDocument()
    expect(seen.filter((r) => r.method !== 'GET')).toHaveLength(0)
  })

  it.each(['admin', 'owner'] as const)('lets an %s manage them', async (role) => {
    stubWebhooks([endpoint()])
    const { router } = renderConsole('/i/shop/settings/webhooks', role)
    expect(await screen.findByRole('button', { name: 'Add endpoint' })).toBeInTheDocument()
    expect(screen.queryByTestId('read-only-notice')).not.toBeInTheDocument()
    await act(() => router.navigate('/i/shop/settings/webhooks/w1'))
    for (const name of ['Send test event', 'Rotate secret', 'Delete endpoint']) {
      expect(await screen.findByRole('button', { name })).toBeInTheDocument()
    }
    expect(screen.getByRole('switch', { name: 'Deliver events' })).toBeChecked()
  })
})
