import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { DashboardPage } from './DashboardPage'
import {
  firstCallCurl,
  formatCount,
  formatMs,
  formatRate,
  type AnalyticsSeries,
  type AnalyticsSummary,
  type Breakdown,
  type BreakdownItem,
  type GroupBy,
  type InstanceRef,
} from './model'

const shop: InstanceRef = { slug: 'shop', name: 'Shop', role: 'viewer', timeZone: 'UTC' }
const BASE = '/api/v1/instances/shop/analytics'

function windowOf(query: URLSearchParams) {
  return { frame: (query.get('frame') ?? 'today') as AnalyticsSummary['window']['frame'], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', time_zone: 'UTC' }
}

function summary(query: URLSearchParams, calls: number): AnalyticsSummary {
  return {
    window: windowOf(query),
    calls,
    errors: calls ? 56 : 0,
    server_errors: calls ? 7 : 0,
    error_rate: calls ? 0.0454 : 0,
    latency: calls ? { p50_ms: 12, p95_ms: 80.4, p99_ms: null } : { p50_ms: null, p95_ms: null, p99_ms: null },
    registrations: calls ? 9 : 0,
    active_users: calls ? 42 : 0,
  }
}

function series(query: URLSearchParams): AnalyticsSeries {
  const point = (start: string, label: string, calls: number) => ({
    start,
    label,
    calls,
    errors: 1,
    server_errors: 0,
    p50_ms: 10,
    p95_ms: 50,
    p99_ms: null,
    registrations: 0,
    active_users: 1,
  })
  return {
    window: windowOf(query),
    granularity: (query.get('granularity') ?? 'hour') as AnalyticsSeries['granularity'],
    points: [point('2026-12-01T09:00:00Z', '2026-12-01 09:00', 600), point('2026-12-01T10:00:00Z', '2026-12-01 10:00', 634)],
    groups: [],
  }
}

function item(key: string, label: string, calls: number, errors = 0): BreakdownItem {
  return { key, label, calls, errors, error_rate: calls ? errors / calls : 0, p50_ms: 11, p95_ms: 95, p99_ms: 140 }
}

const BREAKDOWNS: Record<GroupBy, BreakdownItem[]> = {
  route: [item('GET /{instance}/app', 'GET /{instance}/app', 900, 6), item('POST /{instance}/oauth/token', 'POST /{instance}/oauth/token', 334, 50)],
  application: [item('0193a1b2-0000-7000-8000-000000000001', 'Shop web', 1000, 20), item('none', 'No application', 234, 36)],
  status: [item('200', '200 OK', 1178), item('404', '404 Not Found', 49), item('500', '500 Internal Server Error', 7)],
}

function breakdown(query: URLSearchParams): Breakdown {
  const groupBy = query.get('group_by') as GroupBy
  return { window: windowOf(query), group_by: groupBy, total_calls: 1234, items: BREAKDOWNS[groupBy] }
}

/** The analytics of a shop with `calls` calls in every window; `extra` answers first. */
function stubAnalytics(calls: number, extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    if (r.path === `${BASE}/summary`) return jsonResponse(summary(r.query, calls))
    if (r.path === `${BASE}/timeseries`) return jsonResponse(series(r.query))
    if (r.path === `${BASE}/breakdown`) return jsonResponse(breakdown(r.query))
    if (r.path === '/api/v1/management-scopes') return jsonResponse({ items: [], token_endpoint: 'https://steward.example.com/api/v1/oauth/token' })
    return undefined
  })
}

const stat = (name: string) => within(screen.getByRole('group', { name })).getByTestId('stat-value')
const requestsTo = (seen: SeenRequest[], path: string) => seen.filter((r) => r.path === `${BASE}/${path}`)

describe('DashboardPage', () => {
  it("shows the window's figures, charts and its top routes, applications and error statuses; refreshes on demand", async () => {
    const seen = stubAnalytics(1234)
    renderPage(<DashboardPage instance={shop} />, '/i/shop')

    await waitFor(() => expect(stat('API calls')).toHaveTextContent(formatCount(1234)))
    expect(stat('Errors')).toHaveTextContent(formatCount(56))
    expect(stat('Error rate')).toHaveTextContent(formatRate(0.0454))
    expect(stat('Latency p50')).toHaveTextContent(formatMs(12))
    expect(screen.getByText(`p95 ${formatMs(80.4)} · p99 —`)).toBeInTheDocument()
    expect(stat('Registrations')).toHaveTextContent('9')
    expect(stat('Active users')).toHaveTextContent('42')
    expect(document.title).toBe('Dashboard · Shop · Steward')

    const routes = await screen.findByRole('table', { name: 'Top routes' })
    expect(within(routes).getByText('POST /{instance}/oauth/token')).toBeInTheDocument()
    const apps = screen.getByRole('table', { name: 'Top applications' })
    expect(within(apps).getByText('Shop web')).toBeInTheDocument()
    expect(within(apps).getByText('No application')).toBeInTheDocument()
    const statuses = screen.getByRole('table', { name: 'Errors by status' })
    expect(within(statuses).getByText('404 Not Found')).toBeInTheDocument()
    expect(within(statuses).getByText('500 Internal Server Error')).toBeInTheDocument()
    expect(within(statuses).queryByText('200 OK')).not.toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Calls and errors' })).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Latency' })).toBeInTheDocument()
    expect(screen.getAllByTestId('chart')).toHaveLength(2)
    expect(screen.queryByRole('heading', { name: 'Make your first API call' })).not.toBeInTheDocument()

    // Today, in every request; one breakdown per grouping; the granularity left to the server.
    expect(requestsTo(seen, 'summary')[0].query.get('frame')).toBe('today')
    expect(requestsTo(seen, 'timeseries')[0].query.has('granularity')).toBe(false)
    expect(requestsTo(seen, 'breakdown').map((r) => r.query.get('group_by')).toSorted()).toEqual(['application', 'route', 'status'])

    const before = requestsTo(seen, 'summary').length
    await userEvent.setup().click(screen.getByRole('button', { name: 'Refresh' }))
    await waitFor(() => expect(requestsTo(seen, 'summary').length).toBeGreaterThan(before))
  })

  it('asks for the chosen frame and granularity, disables granularities with too many points, and shows a refusal beside its field', async () => {
    const seen = stubAnalytics(1234, (r) =>
      r.path === `${BASE}/timeseries` && r.query.get('granularity') === 'hour'
        ? problem(422, 'too_many_points', 'The window has too many points.', {
            errors: [{ field: 'granularity', code: 'too_many_points', message: 'At most 1500 points: choose a coarser granularity.' }],
          })
        : undefined,
    )
    renderPage(<DashboardPage instance={shop} />, '/i/shop')
    await waitFor(() => expect(stat('API calls')).toHaveTextContent(formatCount(1234)))
    const user = userEvent.setup()

    await user.click(screen.getByRole('radio', { name: 'This week' }))
    await waitFor(() => expect(requestsTo(seen, 'summary').some((r) => r.query.get('frame') === 'this_week')).toBe(true))
    const granularity = screen.getByRole('combobox', { name: 'Granularity' })
    expect(granularity).toHaveValue('Day')

    await user.click(granularity)
    expect(await screen.findByRole('option', { name: 'Minute', hidden: true })).toHaveAttribute('aria-disabled', 'true')
    await user.click(screen.getByRole('option', { name: 'Hour', hidden: true }))
    expect(await screen.findByText('At most 1500 points: choose a coarser granularity.')).toBeInTheDocument()
    const refused = requestsTo(seen, 'timeseries').find((r) => r.query.get('granularity') === 'hour')
    expect(refused?.query.get('frame')).toBe('this_week')

    // A custom frame: two days, checked before anything is asked.
    await user.click(screen.getByRole('radio', { name: 'Custom' }))
    const from = screen.getByLabelText('From')
    const to = screen.getByLabelText('To')
    fireEvent.change(from, { target: { value: '2026-11-10' } })
    fireEvent.change(to, { target: { value: '2026-11-01' } })
    expect(screen.getByText('The last day is before the first.')).toBeInTheDocument()
    expect(requestsTo(seen, 'summary').some((r) => r.query.get('to') === '2026-11-01')).toBe(false)
    fireEvent.change(to, { target: { value: '2026-11-20' } })
    await waitFor(() =>
      expect(requestsTo(seen, 'summary').some((r) => r.query.get('frame') === 'custom' && r.query.get('from') === '2026-11-10' && r.query.get('to') === '2026-11-20')).toBe(true),
    )
  })

  it('tells a new developer how to make a first call when the instance has never been called', async () => {
    const seen = stubAnalytics(0)
    renderPage(<DashboardPage instance={shop} />, '/i/shop')

    expect(await screen.findByRole('heading', { name: 'Make your first API call' })).toBeInTheDocument()
    expect(stat('API calls')).toHaveTextContent('0')
    const curl = 'curl https://steward.example.com/public/v1/shop/branding'
    await waitFor(() => expect(screen.getByLabelText('first API call', { exact: true })).toHaveTextContent(curl))
    expect(firstCallCurl('https://steward.example.com/', 'shop')).toBe(curl)
    expect(screen.getByRole('link', { name: 'Create an application' })).toHaveAttribute('href', '/i/shop/applications')
    // "Never called": nothing this year either.
    expect(requestsTo(seen, 'summary').some((r) => r.query.get('frame') === 'this_year')).toBe(true)
    expect(screen.queryByRole('table', { name: 'Top routes' })).not.toBeInTheDocument()
  })
})
