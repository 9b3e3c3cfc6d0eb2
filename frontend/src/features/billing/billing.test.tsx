import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { formatCount, formatDay, formatMoney, formatPeriod, usageColor, type BillingOverview, type Invoice, type Plan, type Role, type UsageReport } from './model'
import { UsagePage } from './UsagePage'

const BASE = '/api/v1/instances/shop'

const free: Plan = {
  key: 'free',
  name: 'Free',
  currency: 'EUR',
  monthly_price_minor: 0,
  included_calls: 1000,
  included_users: 100,
  overage_per_1000_calls_minor: 0,
  limit: 'hard',
}
const pro: Plan = {
  key: 'pro',
  name: 'Pro',
  currency: 'EUR',
  monthly_price_minor: 4900,
  included_calls: 1_000_000,
  included_users: 10_000,
  overage_per_1000_calls_minor: 50,
  limit: 'soft',
}

function overview(plan: Plan = free): BillingOverview {
  const onFree = plan.key === 'free'
  return {
    plan,
    period: { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    calls: 1000,
    users: 12,
    calls_percent: onFree ? 100 : 0,
    users_percent: onFree ? 12 : 0,
    limit_reached: onFree,
    alerts: [
      { metric: 'calls', threshold: 100, at: '2026-12-20T08:00:00Z' },
      { metric: 'calls', threshold: 80, at: '2026-12-15T08:00:00Z' },
    ],
    to_date: { currency: 'EUR', total_minor: 0, lines: [{ description: 'Free plan, 1–20 Dec', quantity: 20, unit: 'days', amount_minor: 0 }] },
    projected: {
      currency: 'EUR',
      total_minor: 1234,
      lines: [
        { description: 'Free plan', quantity: 31, unit: 'days', amount_minor: 0 },
        { description: 'API calls over the quota', quantity: 2, unit: '1,000 calls', amount_minor: 1234 },
      ],
    },
    plan_changes: onFree ? [] : [{ plan_key: 'pro', plan_name: 'Pro', effective_at: '2026-12-20T09:00:00Z', changed_by: 'ada@example.com' }],
  }
}

const usage: UsageReport = {
  window: { frame: 'this_month', from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z', time_zone: 'UTC' },
  granularity: 'day',
  total_calls: 1000,
  total_registrations: 12,
  points: [
    { start: '2026-12-01T00:00:00Z', label: '2026-12-01', calls: 400, registrations: 5 },
    { start: '2026-12-02T00:00:00Z', label: '2026-12-02', calls: 600, registrations: 7 },
  ],
}

const invoice: Invoice = {
  id: '0193a1b2-0000-7000-8000-0000000000aa',
  number: 'STW-2026-0011',
  period_start: '2026-11-01T00:00:00Z',
  period_end: '2026-12-01T00:00:00Z',
  issued_at: '2026-12-01T00:05:00Z',
  plan_key: 'free',
  currency: 'EUR',
  calls: 420,
  users: 9,
  lines: [],
  total_minor: 0,
}

/** The billing API of a shop on the Free plan; a PUT of the plan moves it unless `refuse` answers. */
function stubBilling(refuse?: (r: SeenRequest) => Response | undefined) {
  let current = free
  return stubApi((r) => {
    if (r.path === `${BASE}/usage`) return jsonResponse(usage)
    if (r.path === `${BASE}/billing` && r.method === 'GET') return jsonResponse(overview(current))
    if (r.path === '/api/v1/billing/plans') return jsonResponse({ items: [free, pro] })
    if (r.path === `${BASE}/billing/invoices`) return jsonResponse({ items: [invoice], next_cursor: null })
    if (r.path === `${BASE}/billing/invoices/${invoice.id}/pdf`) return new Response('%PDF-1.7', { headers: { 'Content-Type': 'application/pdf' } })
    if (r.path === `${BASE}/billing/plan` && r.method === 'PUT') {
      const refused = refuse?.(r)
      if (refused) return refused
      current = pro
      return jsonResponse(overview(current))
    }
    return undefined
  })
}

function renderAs(role: Role, refuse?: (r: SeenRequest) => Response | undefined) {
  const seen = stubBilling(refuse)
  renderPage(<UsagePage instance={{ slug: 'shop', name: 'Shop', role, timeZone: 'UTC' }} />, '/i/shop/usage')
  return seen
}

const planCard = () => screen.getByRole('region', { name: 'Current plan' })

describe('billing model', () => {
  it('formats money from minor units in the currency, and colours quotas', () => {
    expect(formatMoney(4900, 'EUR', 'en-US')).toBe('€49.00')
    expect(formatMoney(1234, 'EUR', 'de-DE')).toBe('12,34\u00a0€')
    expect(formatMoney(500, 'JPY', 'en-US')).toBe('¥500')
    expect([usageColor(79), usageColor(80), usageColor(100), usageColor(250)]).toEqual(['blue', 'yellow', 'red', 'red'])
    // A period ends where the next starts: its last day is the day before.
    expect(formatPeriod('2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z', 'UTC')).toBe(`${formatDay('2026-12-01T00:00:00Z', 'UTC')} – ${formatDay('2026-12-31T12:00:00Z', 'UTC')}`)
  })
})

describe('UsagePage', () => {
  it('shows usage, the plan against its quotas, the alerts, the bills and invoices; a non-owner cannot switch plans', async () => {
    const seen = renderAs('viewer')
    const createObjectURL = vi.fn(() => 'blob:pdf')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    expect(await screen.findByTestId('current-plan')).toHaveTextContent('Free')
    expect(document.title).toBe('Usage & billing · Shop · Steward')

    // Usage of the month.
    await waitFor(() => expect(within(screen.getByRole('group', { name: 'API calls' })).getByTestId('stat-value')).toHaveTextContent(formatCount(1000)))
    expect(within(screen.getByRole('group', { name: 'Registrations' })).getByTestId('stat-value')).toHaveTextContent('12')
    expect(seen.find((r) => r.path === `${BASE}/usage`)?.query.get('frame')).toBe('this_month')

    // The plan, its quotas, and the hard limit reached.
    const card = planCard()
    expect(within(card).getByText('Hard limit')).toBeInTheDocument()
    expect(within(card).getByText(`${formatMoney(0, 'EUR')} / month`)).toBeInTheDocument()
    expect(within(card).getByText(`${formatCount(1000)} of ${formatCount(1000)} (100%)`)).toBeInTheDocument()
    expect(within(card).getByRole('progressbar', { name: 'API calls used of the quota' })).toHaveAttribute('aria-valuenow', '100')
    expect(within(card).getByRole('progressbar', { name: 'Users used of the quota' })).toHaveAttribute('aria-valuenow', '12')
    expect(within(card).getByRole('alert')).toHaveTextContent(/answers 429.*until the period ends.*or the plan changes/)

    // This period's alerts.
    const alerts = screen.getByRole('region', { name: 'Alerts this period' })
    expect(within(alerts).getByText('100% of the included API calls used')).toBeInTheDocument()
    expect(within(alerts).getByText('80% of the included API calls used')).toBeInTheDocument()

    // The bill to date and the projected one, line by line with a total.
    const projected = screen.getByRole('table', { name: 'Projected bill' })
    const over = within(projected).getByText('API calls over the quota').closest('tr') as HTMLElement
    expect(within(over).getByText('1,000 calls')).toBeInTheDocument()
    expect(within(over).getByText(formatMoney(1234, 'EUR'))).toBeInTheDocument()
    expect(within(within(projected).getByText('Total').closest('tr') as HTMLElement).getByText(formatMoney(1234, 'EUR'))).toBeInTheDocument()
    expect(within(screen.getByRole('table', { name: 'Bill to date' })).getByText('Free plan, 1–20 Dec')).toBeInTheDocument()

    // The catalogue: the current plan marked; switching is for owners only.
    const proCard = await screen.findByRole('group', { name: 'Pro' })
    expect(within(screen.getByRole('group', { name: 'Free' })).getByText('Current plan')).toBeInTheDocument()
    const user = userEvent.setup()
    const switchButton = within(proCard).getByRole('button', { name: 'Switch to this plan' })
    expect(switchButton).toHaveAttribute('aria-disabled', 'true')
    await user.click(switchButton)
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    expect(screen.getByText('Only an owner can change the plan; you are a viewer.')).toBeInTheDocument()

    // Invoices, downloaded with the session.
    const invoices = await screen.findByRole('table', { name: 'Invoices' })
    expect(within(invoices).getByText('STW-2026-0011')).toBeInTheDocument()
    await user.click(within(invoices).getByRole('button', { name: 'PDF of invoice STW-2026-0011' }))
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled())
    expect(seen.find((r) => r.path.endsWith('/pdf'))?.headers.get('Accept')).toBe('application/pdf')
    expect(seen.some((r) => r.method === 'PUT')).toBe(false)
  })

  it('lets an owner switch plans after confirming: effective immediately, prorated by day', async () => {
    const seen = renderAs('owner')
    const proCard = await screen.findByRole('group', { name: 'Pro' })
    const user = userEvent.setup()
    await user.click(within(proCard).getByRole('button', { name: 'Switch to this plan' }))

    const dialog = await screen.findByRole('dialog', { name: 'Switch to Pro?' })
    expect(dialog).toHaveTextContent('effective immediately')
    expect(dialog).toHaveTextContent('prorated by day')
    await user.click(within(dialog).getByRole('button', { name: 'Switch to Pro' }))

    await waitFor(() => expect(screen.getByTestId('current-plan')).toHaveTextContent('Pro'))
    expect(seen.find((r) => r.method === 'PUT')?.body).toEqual({ plan: 'pro' })
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(within(screen.getByRole('table', { name: 'Plan changes' })).getByText('ada@example.com')).toBeInTheDocument()
  })

  it("shows the server's refusal in the dialog", async () => {
    renderAs('owner', () =>
      problem(422, 'unknown_plan', 'The request is invalid.', { errors: [{ field: 'plan', code: 'unknown_plan', message: 'There is no plan “pro” any more.' }] }),
    )
    const proCard = await screen.findByRole('group', { name: 'Pro' })
    const user = userEvent.setup()
    await user.click(within(proCard).getByRole('button', { name: 'Switch to this plan' }))
    const dialog = await screen.findByRole('dialog', { name: 'Switch to Pro?' })
    await user.click(within(dialog).getByRole('button', { name: 'Switch to Pro' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('There is no plan “pro” any more.')
    expect(screen.getByTestId('current-plan')).toHaveTextContent('Free')
  })
})
