import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { problem } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { outboxPollInterval } from './api'
import { EmailsPage } from './EmailsPage'
import { attemptOutcome, deliveredVia, formatDuration, statusBadge, type EmailTransport, type OutboxEmail, type OutboxEmailDetail, type Role } from './model'

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

/** The stored copy of e2 (the failed one): one-time links redacted, two attempts, a copy in the mailbox. */
const e2Detail: OutboxEmailDetail = {
  ...outbox.items[1],
  text: 'Reset your password: https://shop.example.com/reset?token=[redacted]\n',
  html: '<p>Reset your password</p><a href="https://shop.example.com/reset?token=[redacted]">Reset</a>',
  attempt_log: [
    { attempt: 1, at: '2026-11-01T10:00:02Z', via: 'platform_smtp', outcome: 'failed', error: 'SMTP 421: try again later', duration_ms: 1840 },
    { attempt: 2, at: '2026-11-01T10:05:02Z', via: 'platform_smtp', outcome: 'failed', error: 'SMTP 550: mailbox unavailable', duration_ms: 312 },
  ],
  mailbox_message_id: 'm1',
}

interface StubOptions {
  transport?: EmailTransport | 'error'
  /** Answers POST …/cancel (204 unless given). */
  cancel?: () => Response
  /** Answers POST …/retry (202 unless given). */
  retry?: () => Response
}

/** A fake API: records the requests, answers the outbox (filtered by status and part of `to`), the mailbox, retries and cancels. */
function stubApi(options: StubOptions = {}) {
  const requests: { method: string; url: URL }[] = []
  /** Cancelled emails are listed as such afterwards. */
  const cancelled = new Set<string>()
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const req = requestOf(input)
    const url = new URL(req.url)
    requests.push({ method: req.method, url })
    if (url.pathname.endsWith('/retry')) return options.retry?.() ?? new Response(null, { status: 202 })
    if (url.pathname.endsWith('/cancel')) {
      const answer = options.cancel?.() ?? new Response(null, { status: 204 })
      if (answer.ok) cancelled.add(url.pathname.split('/').at(-2) ?? '')
      return answer
    }
    if (url.pathname === '/api/v1/instances/shop/outbox') {
      if (url.searchParams.get('cursor') === 'c2') return jsonResponse(outboxPage2)
      const status = url.searchParams.get('status')
      const to = url.searchParams.get('to')?.toLowerCase()
      const filtered = Boolean(status || to)
      const current = outbox.items.map((e) => (cancelled.has(e.id) ? { ...e, status: 'cancelled' as const } : e))
      const items = current.filter((e) => (!status || e.status === status) && (!to || e.to.toLowerCase().includes(to)))
      return jsonResponse({ ...outbox, items, next_cursor: filtered ? null : outbox.next_cursor, total: filtered ? items.length : 3 })
    }
    if (url.pathname === '/api/v1/instances/shop/outbox/e2') return jsonResponse(e2Detail)
    if (url.pathname === '/api/v1/instances/shop/email-transport') {
      if (options.transport === 'error') return jsonResponse({ status: 500, title: 'Internal' }, 500)
      return jsonResponse(options.transport ?? { transport: 'local_mailbox', host: null, from: 'Steward <no-reply@steward.localhost>' })
    }
    if (url.pathname === '/api/v1/instances/shop/mailbox') {
      const to = url.searchParams.get('to')?.toLowerCase()
      const items = [message].filter((m) => !to || m.to.toLowerCase().includes(to))
      return jsonResponse({ items, next_cursor: null, total: items.length })
    }
    if (url.pathname === '/api/v1/instances/shop/mailbox/m1') return jsonResponse(message)
    return jsonResponse({ status: 404, title: 'Not Found' }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  return requests
}

function renderAs(role: Role, path = '/i/shop/emails', options: StubOptions = {}) {
  const requests = stubApi(options)
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
    expect(statusBadge('cancelled')).toEqual({ label: 'Cancelled', color: 'orange' })
  })

  it("names an attempt's outcome and duration", () => {
    expect(attemptOutcome('sent')).toEqual({ label: 'Sent', color: 'teal' })
    expect(attemptOutcome('failed')).toEqual({ label: 'Failed', color: 'red' })
    expect(attemptOutcome('skipped')).toEqual({ label: 'Not needed', color: 'gray' })
    expect(formatDuration(312)).toBe('312 ms')
    expect(formatDuration(1840)).toBe('1.8 s')
    expect(formatDuration(42_000)).toBe('42 s')
    expect(formatDuration(125_000)).toBe('2 min 5 s')
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

  it('shows the cancelled status with its badge, and no actions on it', async () => {
    const cancelled = email('e7', 'cancelled', { attempts: 2, last_error: 'SMTP 421: try again later' })
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse({ items: [cancelled], next_cursor: null, total: 1 })),
    )
    renderPage(<EmailsPage instance={{ slug: 'shop', role: 'owner', timeZone: 'UTC' }} />, '/i/shop/emails')
    const row = (await screen.findByText('e7@example.com')).closest('tr') as HTMLElement
    expect(within(row).getByText('Cancelled').closest('[data-status]')).toHaveAttribute('data-status', 'cancelled')
    expect(within(row).getByText('Never sent')).toBeInTheDocument()
    expect(within(row).queryByRole('button', { name: /Retry|Cancel/ })).not.toBeInTheDocument()
    expect(screen.getByRole('radio', { name: 'Cancelled' })).toBeInTheDocument()
  })

  it('offers Retry and Cancel on stuck emails only, and retries', async () => {
    const { requests } = renderAs('developer')
    await screen.findByText('e2@example.com')
    const retries = screen.getAllByRole('button', { name: /^Retry the email to/ })
    expect(retries).toHaveLength(1)
    expect(retries[0]).toHaveAccessibleName('Retry the email to e2@example.com')
    expect(screen.getAllByRole('button', { name: /^Cancel the email to/ })).toHaveLength(1)
    const sentRow = screen.getByText('e1@example.com').closest('tr') as HTMLElement
    expect(within(sentRow).queryByRole('button', { name: /Retry|Cancel/ })).not.toBeInTheDocument()

    const listCalls = () => requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/outbox')).length
    const before = listCalls()
    await userEvent.setup().click(retries[0])
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'POST')?.url.pathname).toBe('/api/v1/instances/shop/outbox/e2/retry'),
    )
    expect(await screen.findByText('The email to e2@example.com is queued again')).toBeInTheDocument()
    // The list refreshes.
    await waitFor(() => expect(listCalls()).toBeGreaterThan(before))
    // Retrying is not opening the email.
    expect(screen.queryByRole('dialog', { name: 'Email details' })).not.toBeInTheDocument()
  })

  it('sends a queued email now', async () => {
    const waiting = email('e5', 'queued', { attempts: 2, last_error: 'SMTP 421: try again later', next_attempt_at: '2026-11-01T10:30:00Z' })
    const posts: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const req = requestOf(input)
        if (req.method === 'POST') {
          posts.push(new URL(req.url).pathname)
          return new Response(null, { status: 202 })
        }
        return jsonResponse({ items: [waiting], next_cursor: null, total: 1 })
      }),
    )
    renderPage(<EmailsPage instance={{ slug: 'shop', role: 'admin', timeZone: 'UTC' }} />, '/i/shop/emails')
    const row = (await screen.findByText('e5@example.com')).closest('tr') as HTMLElement
    expect(within(row).getByText('Next try Nov 1, 2026, 10:30 AM UTC')).toBeInTheDocument()
    await userEvent.setup().click(within(row).getByRole('button', { name: 'Retry the email to e5@example.com' }))
    expect(await screen.findByText('The email to e5@example.com is being sent now')).toBeInTheDocument()
    expect(posts).toEqual(['/api/v1/instances/shop/outbox/e5/retry'])
  })

  it('cancels a stuck email after a confirmation', async () => {
    const { requests } = renderAs('developer')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Cancel the email to e2@example.com' }))
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this email?' })
    expect(dialog).toHaveTextContent('The email to e2@example.com will never be sent')
    // Keeping it sends nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Cancel this email?' })).not.toBeInTheDocument())
    expect(requests.some((r) => r.method === 'POST')).toBe(false)

    await user.click(screen.getByRole('button', { name: 'Cancel the email to e2@example.com' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Cancel this email?' })).getByRole('button', { name: 'Cancel the email' }))
    expect(await screen.findByText('The email to e2@example.com is cancelled')).toBeInTheDocument()
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.url.pathname)).toEqual(['/api/v1/instances/shop/outbox/e2/cancel'])
    // The list refreshes: cancelled, nothing more to do with it.
    const row = screen.getByText('e2@example.com').closest('tr') as HTMLElement
    await waitFor(() => expect(row.querySelector('[data-status]')).toHaveAttribute('data-status', 'cancelled'))
    expect(within(row).queryByRole('button', { name: /Retry|Cancel/ })).not.toBeInTheDocument()
    // Neither the confirmation nor its buttons open the email behind it.
    expect(screen.queryByRole('dialog', { name: 'Email details' })).not.toBeInTheDocument()
  })

  it("shows the server's refusal when the email moved on meanwhile", async () => {
    renderAs('developer', '/i/shop/emails', {
      cancel: () => problem(409, 'email_not_cancellable', 'This email is sending: only a queued or failed email can be cancelled.'),
      retry: () => problem(404, 'not_found', 'No failed or waiting email with this id exists in the instance.'),
    })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Cancel the email to e2@example.com' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Cancel this email?' })).getByRole('button', { name: 'Cancel the email' }))
    expect(await screen.findByText('Could not cancel the email')).toBeInTheDocument()
    expect(screen.getByText('This email is sending: only a queued or failed email can be cancelled.')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Retry the email to e2@example.com' }))
    expect(await screen.findByText('No failed or waiting email with this id exists in the instance.')).toBeInTheDocument()
  })

  it('hides Retry and Cancel from viewers', async () => {
    renderAs('viewer')
    expect(await screen.findByText('e2@example.com')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Retry|Cancel/ })).not.toBeInTheDocument()
    // They still open the details.
    expect(screen.getByRole('button', { name: 'Details of the email to e2@example.com' })).toBeInTheDocument()
  })

  it('filters by part of the address, debounced, and keeps the filter in the URL', async () => {
    const { requests, router } = renderAs('viewer')
    await screen.findByText('e2@example.com')
    // Keys without a pause between them (`delay: null`): however busy the machine, the debounce
    // cannot end in the middle of the word.
    const user = userEvent.setup({ delay: null })
    await user.type(screen.getByRole('searchbox', { name: 'To' }), 'E2@')
    await waitFor(() => expect(screen.queryByText('e1@example.com')).not.toBeInTheDocument())
    expect(screen.getByText('e2@example.com')).toBeInTheDocument()
    // One request for the whole word, not one per key.
    const filtered = requests.filter((r) => r.url.pathname.endsWith('/outbox') && r.url.searchParams.has('to'))
    expect(filtered.map((r) => r.url.searchParams.get('to'))).toEqual(['E2@'])
    expect(new URLSearchParams(router.state.location.search).get('to')).toBe('E2@')

    // With the status filter as well.
    await user.click(screen.getByRole('radio', { name: 'Sent' }))
    expect(await screen.findByText('No emails to E2@ with this status')).toBeInTheDocument()
    const last = requests.filter((r) => r.url.pathname.endsWith('/outbox')).at(-1)
    expect(last?.url.searchParams.get('to')).toBe('E2@')
    expect(last?.url.searchParams.get('status')).toBe('sent')
  })

  it('applies the filter from the URL on load, on both tabs', async () => {
    const { requests } = renderAs('viewer', '/i/shop/emails?to=reader')
    expect(await screen.findByRole('searchbox', { name: 'To' })).toHaveValue('reader')
    expect(await screen.findByText('No emails to reader')).toBeInTheDocument()
    expect(requests.find((r) => r.url.pathname.endsWith('/outbox'))?.url.searchParams.get('to')).toBe('reader')

    await userEvent.setup().click(screen.getByRole('tab', { name: 'Mailbox' }))
    expect(await screen.findByRole('button', { name: /Verify your email for Shop/ })).toBeInTheDocument()
    expect(screen.getByRole('searchbox', { name: 'To' })).toHaveValue('reader')
    expect(requests.find((r) => r.url.pathname.endsWith('/mailbox'))?.url.searchParams.get('to')).toBe('reader')
  })
})

describe('EmailsPage — an outbox email', () => {
  it('opens from its row: as sent, its attempts, and its copy in the mailbox', async () => {
    const { requests, router } = renderAs('developer')
    const user = userEvent.setup()
    const row = (await screen.findByText('e2@example.com')).closest('tr') as HTMLElement
    await user.click(within(row).getByText('e2@example.com'))
    const drawer = await screen.findByRole('dialog', { name: 'Email details' })
    expect(new URLSearchParams(router.state.location.search).get('email')).toBe('e2')
    expect(requests.some((r) => r.url.pathname === '/api/v1/instances/shop/outbox/e2')).toBe(true)

    const article = await within(drawer).findByRole('article', { name: 'Email to e2@example.com' })
    expect(within(article).getByRole('heading', { name: 'Verify your email for Shop (e2)' })).toBeInTheDocument()
    expect(article).toHaveTextContent('Password reset')
    expect(article.querySelector('[data-status]')).toHaveAttribute('data-status', 'failed')

    // The attempts: time (instance time zone), transport, outcome, duration, error.
    const attempts = within(article).getByRole('table', { name: 'Delivery attempts' })
    const rows = within(attempts).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('1')
    expect(within(rows[0]).getByText('Nov 1, 2026, 10:00 AM UTC')).toBeInTheDocument()
    expect(within(rows[0]).getByText('Platform SMTP').closest('[data-via]')).toHaveAttribute('data-via', 'platform_smtp')
    expect(within(rows[0]).getByText('Failed').closest('[data-outcome]')).toHaveAttribute('data-outcome', 'failed')
    expect(within(rows[0]).getByText('1.8 s')).toBeInTheDocument()
    expect(within(rows[0]).getByText('SMTP 421: try again later')).toBeInTheDocument()
    expect(within(rows[1]).getByText('Nov 1, 2026, 10:05 AM UTC')).toBeInTheDocument()
    expect(within(rows[1]).getByText('312 ms')).toBeInTheDocument()

    // The HTML as sent in the sandboxed reader (links to new tabs), the text in its tab.
    const frame = within(article).getByTitle('HTML of the email “Verify your email for Shop (e2)”')
    expect(frame.getAttribute('sandbox')?.split(' ').toSorted()).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox'])
    expect(frame.getAttribute('srcdoc')).toContain('<base target="_blank">')
    expect(within(article).getByText(/One-time links are never stored/)).toBeInTheDocument()
    await user.click(within(article).getByRole('tab', { name: 'Text' }))
    const text = within(article).getByLabelText('Text version')
    expect(within(text).getByRole('link', { name: 'https://shop.example.com/reset?token=[redacted]' })).toHaveAttribute('target', '_blank')

    // Stuck: it can be retried or cancelled from here too.
    expect(within(article).getByRole('button', { name: 'Retry' })).toBeInTheDocument()
    expect(within(article).getByRole('button', { name: 'Cancel' })).toBeInTheDocument()

    // The captured copy, with its live links for a developer, in the Mailbox tab.
    expect(article).toHaveTextContent('The local mailbox kept a copy, with its live links.')
    await user.click(within(article).getByRole('link', { name: 'Open it in the Mailbox' }))
    const params = new URLSearchParams(router.state.location.search)
    expect(params.get('tab')).toBe('mailbox')
    expect(params.get('message')).toBe('m1')
    expect(params.get('email')).toBeNull()
    expect(await screen.findByRole('article', { name: 'Message: Verify your email for Shop' })).toBeInTheDocument()
  })

  it('opens with Enter on the row or its Details button, and closes again', async () => {
    const { router } = renderAs('viewer')
    const user = userEvent.setup()
    const row = (await screen.findByText('e2@example.com')).closest('tr') as HTMLElement
    row.focus()
    await user.keyboard('{Enter}')
    const drawer = await screen.findByRole('dialog', { name: 'Email details' })
    expect(await within(drawer).findByRole('table', { name: 'Delivery attempts' })).toBeInTheDocument()
    // A viewer: no actions, and told the captured copy hides its links.
    expect(within(drawer).queryByRole('button', { name: /Retry|Cancel/ })).not.toBeInTheDocument()
    expect(drawer).toHaveTextContent('its one-time links are hidden from viewers')

    await user.click(within(drawer).getByRole('button', { name: 'Close the email details' }))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Email details' })).not.toBeInTheDocument())
    expect(router.state.location.search).not.toContain('email=')

    await user.click(screen.getByRole('button', { name: 'Details of the email to e2@example.com' }))
    expect(await screen.findByRole('dialog', { name: 'Email details' })).toBeInTheDocument()
  })

  it('reopens from the URL after a reload', async () => {
    renderAs('viewer', '/i/shop/emails?email=e2')
    const drawer = await screen.findByRole('dialog', { name: 'Email details' })
    expect(await within(drawer).findByRole('heading', { name: 'Verify your email for Shop (e2)' })).toBeInTheDocument()
  })
})

describe('EmailsPage — mailbox', () => {
  it('renders the HTML body sandboxed, its links opening new tabs, with a plain-text toggle', async () => {
    const { router } = renderAs('developer', '/i/shop/emails?tab=mailbox')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: /Verify your email for Shop/ }))
    expect(router.state.location.search).toContain('message=m1')

    const article = await screen.findByRole('article', { name: 'Message: Verify your email for Shop' })
    expect(article).toHaveTextContent('Steward <no-reply@steward.localhost>')
    expect(article).toHaveTextContent('reader@example.com')
    const frame = within(article).getByTitle('HTML body of “Verify your email for Shop”')
    expect(frame.tagName).toBe('IFRAME')
    // Only popups (a link opens an ordinary new tab): no scripts, no same-origin access, no top navigation.
    const sandbox = frame.getAttribute('sandbox') ?? ''
    expect(sandbox.split(' ').toSorted()).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox'])
    expect(sandbox).not.toMatch(/allow-scripts|allow-same-origin|allow-top-navigation/)
    const srcdoc = frame.getAttribute('srcdoc') ?? ''
    expect(srcdoc).toContain('<head><base target="_blank">')
    expect(srcdoc).not.toContain('<script')
    expect(srcdoc).toContain('<a href="https://shop.example.com/verify?token=abc" target="_blank" rel="noopener noreferrer">Verify email</a>')
    // A developer sees live links: no note about hidden ones.
    expect(within(article).queryByText(/One-time links show as/)).not.toBeInTheDocument()

    await user.click(within(article).getByRole('switch', { name: 'Plain text' }))
    expect(within(article).queryByTitle(/HTML body/)).not.toBeInTheDocument()
    const text = within(article).getByLabelText('Plain text body')
    expect(text).toHaveTextContent('https://shop.example.com/verify?token=abc')
    const link = within(text).getByRole('link', { name: 'https://shop.example.com/verify?token=abc' })
    expect(link).toHaveAttribute('href', 'https://shop.example.com/verify?token=abc')
    expect(link).toHaveAttribute('target', '_blank')
    expect(link).toHaveAttribute('rel', 'noopener noreferrer')
  })

  it('tells a viewer why the one-time links are redacted', async () => {
    const redacted = { ...message, text: 'https://shop.example.com/verify?token=[redacted]', html: '<a href="https://shop.example.com/verify?token=[redacted]">Verify</a>' }
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const path = new URL(requestOf(input).url).pathname
        if (path.endsWith('/mailbox')) return jsonResponse({ items: [redacted], next_cursor: null, total: 1 })
        if (path.endsWith('/mailbox/m1')) return jsonResponse(redacted)
        return jsonResponse({ transport: 'local_mailbox', host: null, from: 'Steward <no-reply@steward.localhost>' })
      }),
    )
    renderPage(<EmailsPage instance={{ slug: 'shop', role: 'viewer', timeZone: 'UTC' }} />, '/i/shop/emails?tab=mailbox&message=m1')
    const article = await screen.findByRole('article', { name: 'Message: Verify your email for Shop' })
    expect(within(article).getByText(/One-time links show as/)).toHaveTextContent('One-time links show as [redacted]: only developers and up see them live.')
  })

  it('says new emails are kept here when no SMTP server is set', async () => {
    renderAs('viewer', '/i/shop/emails?tab=mailbox')
    const banner = (await screen.findByText('New emails are kept here')).closest('[data-transport]') as HTMLElement
    expect(banner).toHaveAttribute('data-transport', 'local_mailbox')
    expect(banner).toHaveTextContent('When no SMTP server is configured')
    expect(within(banner).getByText('STEWARD_SMTP_URL', { selector: 'code' })).toBeInTheDocument()
    expect(within(banner).getByRole('link', { name: 'General → Email SMTP' })).toHaveAttribute('href', '/i/shop/general/smtp')
    expect(banner).toHaveTextContent('From: Steward <no-reply@steward.localhost>')
  })

  it("says new emails go through the instance's SMTP server, not here, and links to its settings", async () => {
    const { router } = renderAs('admin', '/i/shop/emails?tab=mailbox', {
      transport: { transport: 'custom_smtp', host: 'smtp.shop.example.com', from: 'Shop <hello@shop.example.com>' },
    })
    const banner = (await screen.findByText("New emails go through the instance's SMTP server")).closest('[data-transport]') as HTMLElement
    expect(banner).toHaveAttribute('data-transport', 'custom_smtp')
    expect(banner).toHaveTextContent('smtp.shop.example.com')
    expect(banner).toHaveTextContent('new emails do not arrive in this mailbox')
    expect(banner).toHaveTextContent('From: Shop <hello@shop.example.com>')
    await userEvent.setup().click(within(banner).getByRole('link', { name: 'General → Email SMTP' }))
    expect(router.state.location.pathname).toBe('/i/shop/general/smtp')
  })

  it("says new emails go through the platform's SMTP server", async () => {
    renderAs('developer', '/i/shop/emails?tab=mailbox', { transport: { transport: 'platform_smtp', host: 'mail.steward.example', from: 'Steward <no-reply@steward.example>' } })
    const banner = (await screen.findByText("New emails go through the platform's SMTP server")).closest('[data-transport]') as HTMLElement
    expect(banner).toHaveAttribute('data-transport', 'platform_smtp')
    expect(banner).toHaveTextContent('mail.steward.example')
    expect(banner).toHaveTextContent('set up by the operator: new emails do not arrive in this mailbox')
    expect(banner).toHaveTextContent('From: Steward <no-reply@steward.example>')
    expect(within(banner).getByRole('link', { name: 'General → Email SMTP' })).toHaveAttribute('href', '/i/shop/general/smtp')
  })

  it('explains the mailbox without claiming a transport when it cannot be checked', async () => {
    renderAs('viewer', '/i/shop/emails?tab=mailbox', { transport: 'error' })
    await waitFor(() => expect(screen.getByText(/Could not check which transport/)).toBeInTheDocument())
    expect(screen.getByText(/Could not check which transport/).closest('[data-transport]')).toHaveAttribute('data-transport', 'unknown')
  })
})
