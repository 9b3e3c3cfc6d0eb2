import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, renderPage } from '../../test/render'
import { outboxPollInterval } from './api'
import { EmailsPage } from './EmailsPage'
import { deliveredVia, statusBadge, type OutboxEmail, type Role } from './model'

function email(id: string, status: OutboxEmail['status'], extra: Partial<OutboxEmail> = {}): OutboxEmail {
  return {
    id,
    kind: 'verification',
    to: `${id}@example.com`,
    subject: `Verify your email for Shop (${id})`,
    status,
    attempts: status === 'queued' ? 0 : 1,
    last_error: null,
    next_attempt_at: '2026-11-01T10:00:00Z',
    created_at: '2026-11-01T10:00:00Z',
    sent_at: status === 'sent' ? '2026-11-01T10:00:01Z' : null,
    ...extra,
  }
}

const outbox = {
  items: [
    email('e1', 'sent', { delivered_via: 'custom_smtp' }),
    email('e2', 'failed', { attempts: 5, last_error: 'SMTP 550: mailbox unavailable', kind: 'reset_password', delivered_via: 'platform_smtp' }),
  ],
  next_cursor: 'c2',
  total: 3,
}
const outboxPage2 = { items: [email('e3', 'sent')], next_cursor: null, total: 3 }

const message = {
  id: 'm1',
  from: 'Steward <no-reply@steward.localhost>',
  to: 'reader@example.com',
  subject: 'Verify your email for Shop',
  text: 'Hello Reader,\n\nhttps://shop.example.com/verify?token=abc\n',
  html: '<p>Hello Reader,</p><script>parent.alert(1)</script><a href="https://shop.example.com/verify?token=abc">Verify email</a>',
  received_at: '2026-11-01T10:00:00Z',
}

function requestOf(input: RequestInfo | URL): Request {
  return input instanceof Request ? input : new Request(String(input))
}

/** A fake API: records the requests, answers the outbox, the mailbox and retries. */
function stubApi() {
  const requests: { method: string; url: URL }[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const req = requestOf(input)
    const url = new URL(req.url)
    requests.push({ method: req.method, url })
    if (url.pathname.endsWith('/retry')) return new Response(null, { status: 202 })
    if (url.pathname === '/api/v1/instances/shop/outbox') {
      if (url.searchParams.get('cursor') === 'c2') return jsonResponse(outboxPage2)
      const status = url.searchParams.get('status')
      const items = status ? outbox.items.filter((e) => e.status === status) : outbox.items
      return jsonResponse({ ...outbox, items, next_cursor: status ? null : outbox.next_cursor, total: status ? items.length : 3 })
    }
    if (url.pathname === '/api/v1/instances/shop/mailbox') return jsonResponse({ items: [message], next_cursor: null, total: 1 })
    if (url.pathname === '/api/v1/instances/shop/mailbox/m1') return jsonResponse(message)
    return jsonResponse({ status: 404, title: 'Not Found' }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  return requests
}

function renderAs(role: Role, path = '/i/shop/emails') {
  const requests = stubApi()
  const utils = renderPage(<EmailsPage instance={{ slug: 'shop', role, timeZone: 'UTC' }} />, path)
  return { requests, ...utils }
}

describe('outbox status', () => {
  it('names the transport that took an email', () => {
    expect(deliveredVia('custom_smtp')?.label).toBe('Custom SMTP')
    expect(deliveredVia('platform_smtp')?.label).toBe('Platform SMTP')
    expect(deliveredVia('local_mailbox')?.label).toBe('Local mailbox')
    expect(deliveredVia(null)).toBeNull()
    expect(deliveredVia('carrier_pigeon')).toMatchObject({ label: 'carrier_pigeon', color: 'gray' })
  })

  it('maps each status to its badge color', () => {
    expect(statusBadge('queued')).toEqual({ label: 'Queued', color: 'gray' })
    expect(statusBadge('sending')).toEqual({ label: 'Sending', color: 'blue' })
    expect(statusBadge('sent')).toEqual({ label: 'Sent', color: 'teal' })
    expect(statusBadge('failed')).toEqual({ label: 'Failed', color: 'red' })
  })

  it('polls only while an email is queued or sending', () => {
    const page = (...statuses: OutboxEmail['status'][]) => ({ items: statuses.map((s, i) => email(`x${i}`, s)), next_cursor: null, total: 1 })
    expect(outboxPollInterval(undefined)).toBe(false)
    expect(outboxPollInterval([page('sent', 'failed')])).toBe(false)
    expect(outboxPollInterval([page('sent'), page('queued')])).toBe(5000)
    expect(outboxPollInterval([page('sending')])).toBe(5000)
  })
})

describe('EmailsPage — delivery', () => {
  it('shows statuses, the last error, loads more, and filters by status', async () => {
    const { requests } = renderAs('developer')
    const failedRow = (await screen.findByText('e2@example.com')).closest('tr') as HTMLElement
    expect(within(failedRow).getByText('Failed').closest('[data-status]')).toHaveAttribute('data-status', 'failed')
    expect(within(failedRow).getByText('Password reset')).toBeInTheDocument()
    expect(within(failedRow).getByLabelText('Last error: SMTP 550: mailbox unavailable')).toBeInTheDocument()
    const sentRow = screen.getByText('e1@example.com').closest('tr') as HTMLElement
    expect(within(sentRow).getByText('Sent').closest('[data-status]')).toHaveAttribute('data-status', 'sent')
    // The transport that took each email.
    expect(within(sentRow).getByText('Custom SMTP').closest('[data-via]')).toHaveAttribute('data-via', 'custom_smtp')
    expect(within(failedRow).getByText('Platform SMTP').closest('[data-via]')).toHaveAttribute('data-via', 'platform_smtp')
    expect(screen.getByText('Showing 2 of 3')).toBeInTheDocument()
    // Nothing is on its way: no auto-refresh.
    expect(screen.queryByText(/Refreshing every 5 s/)).not.toBeInTheDocument()

    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Load more' }))
    expect(await screen.findByText('e3@example.com')).toBeInTheDocument()
    expect(screen.getByText('Showing 3 of 3')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()

    await user.click(screen.getByRole('radio', { name: 'Failed' }))
    await waitFor(() => expect(screen.queryByText('e1@example.com')).not.toBeInTheDocument())
    expect(screen.getByText('e2@example.com')).toBeInTheDocument()
    expect(requests.some((r) => r.url.searchParams.get('status') === 'failed')).toBe(true)
  })

  it('says why a skipped email was not needed, without calling it an error', async () => {
    const skipped = email('e9', 'skipped', { to: 'nobody@example.com', kind: 'reset_password', subject: '', last_error: 'no account has this address' })
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse({ items: [skipped], next_cursor: null, total: 1 })),
    )
    renderPage(<EmailsPage instance={{ slug: 'shop', role: 'viewer', timeZone: 'UTC' }} />, '/i/shop/emails')
    const row = (await screen.findByText('nobody@example.com')).closest('tr') as HTMLElement
    expect(within(row).getByText('Not needed', { selector: '[data-status] *, [data-status]' })).toBeInTheDocument()
    expect(within(row).getByLabelText('Not sent: no account has this address')).toBeInTheDocument()
    expect(within(row).queryByText(/Last error/)).not.toBeInTheDocument()
    expect(within(row).queryByRole('button', { name: /retry/i })).not.toBeInTheDocument()
  })

  it('offers Retry on failed emails only, and sends it', async () => {
    const { requests } = renderAs('developer')
    await screen.findByText('e2@example.com')
    const retries = screen.getAllByRole('button', { name: /^Retry the email to/ })
    expect(retries).toHaveLength(1)
    expect(retries[0]).toHaveAccessibleName('Retry the email to e2@example.com')

    await userEvent.setup().click(retries[0])
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.url.pathname).toBe('/api/v1/instances/shop/outbox/e2/retry'),
    )
    expect(await screen.findByText('The email to e2@example.com is queued again')).toBeInTheDocument()
  })

  it('hides Retry from viewers', async () => {
    renderAs('viewer')
    expect(await screen.findByText('e2@example.com')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Retry/ })).not.toBeInTheDocument()
  })
})

describe('EmailsPage — mailbox', () => {
  it('renders the HTML body in a fully sandboxed iframe, with a plain-text toggle', async () => {
    const { router } = renderAs('viewer', '/i/shop/emails?tab=mailbox')
    expect(screen.getAllByText('STEWARD_SMTP_URL', { selector: 'code' }).length).toBeGreaterThan(0)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: /Verify your email for Shop/ }))
    expect(router.state.location.search).toContain('message=m1')

    const article = await screen.findByRole('article', { name: 'Message: Verify your email for Shop' })
    expect(article).toHaveTextContent('Steward <no-reply@steward.localhost>')
    expect(article).toHaveTextContent('reader@example.com')
    const frame = within(article).getByTitle('HTML body of “Verify your email for Shop”')
    expect(frame.tagName).toBe('IFRAME')
    // Every restriction on: no scripts, no same-origin access, no popups or top navigation.
    expect(frame.getAttribute('sandbox')).toBe('')
    expect(frame.getAttribute('srcdoc')).toBe(message.html)

    await user.click(within(article).getByRole('switch', { name: 'Plain text' }))
    expect(within(article).queryByTitle(/HTML body/)).not.toBeInTheDocument()
    expect(within(article).getByLabelText('Plain text body')).toHaveTextContent('https://shop.example.com/verify?token=abc')
  })
})
