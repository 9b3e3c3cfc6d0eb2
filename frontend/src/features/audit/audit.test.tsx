import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, renderPage } from '../../test/render'
import { AuditLogPage } from './AuditLogPage'
import { ACTIONS, auditQuery, changesOf, formatValue, NO_FILTERS, type AuditEntry, type Role } from './model'

function entry(id: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    created_at: '2026-11-01T10:00:00Z',
    actor: { kind: 'account', id: 'acc-1', label: 'grace@example.com', ip: '203.0.113.7' },
    action: 'instance.update',
    target: { kind: 'instance', id: 'inst-1', label: 'shop' },
    changes: { name: { before: 'Shop', after: 'Shop Renamed' } },
    ...extra,
  }
}

const page1 = {
  items: [
    entry('a1'),
    entry('a2', {
      action: 'smtp.update',
      actor: { kind: 'application', id: 'app-9', label: 'Backoffice', ip: '198.51.100.2' },
      target: { kind: 'smtp', id: null, label: 'SMTP settings' },
      changes: { password: { before: null, after: '[redacted]' }, port: { before: 25, after: 587 } },
    }),
  ],
  next_cursor: 'c2',
  total: 3,
}
const page2 = { items: [entry('a3', { action: 'user.delete', target: { kind: 'user', id: 'u1', label: 'ada@example.com' }, changes: {} })], next_cursor: null, total: 3 }

function requestOf(input: RequestInfo | URL): Request {
  return input instanceof Request ? input : new Request(String(input))
}

/** A fake API: records the requests, answers the log (two pages), its CSV, and a 422 for a bad date. */
function stubApi() {
  const requests: URL[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(requestOf(input).url)
      requests.push(url)
      if (url.pathname === '/api/v1/instances/shop/audit-log.csv') return new Response('id,created_at\n', { headers: { 'Content-Type': 'text/csv' } })
      if (url.pathname === '/api/v1/instances/shop/audit-log') {
        if (url.searchParams.get('target_id') === 'bad')
          return jsonResponse(
            { type: 'x', title: 'Unprocessable', status: 422, code: 'validation_failed', detail: 'Invalid.', errors: [{ field: 'target_id', code: 'too_long', message: 'target_id is too long.' }] },
            422,
          )
        if (url.searchParams.get('cursor') === 'c2') return jsonResponse(page2)
        const action = url.searchParams.get('action')
        const items = action ? page1.items.filter((e) => e.action === action) : page1.items
        return jsonResponse({ items, next_cursor: action ? null : 'c2', total: action ? items.length : 3 })
      }
      return jsonResponse({ status: 404, title: 'Not Found' }, 404)
    }),
  )
  return requests
}

function renderAs(role: Role) {
  const requests = stubApi()
  const utils = renderPage(<AuditLogPage instance={{ slug: 'shop', role, timeZone: 'Europe/Athens' }} />, '/i/shop/settings/audit-log')
  return { requests, ...utils }
}

describe('audit model', () => {
  it('lists every action once and turns days into instants in the instance time zone', () => {
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length)
    expect(ACTIONS).toContain('user.sign_out')
    expect(auditQuery({ ...NO_FILTERS, from: '2026-11-01', to: '2026-11-01', action: 'user.create' }, 'Europe/Athens')).toEqual({
      actor: undefined,
      action: 'user.create',
      target_kind: undefined,
      target_id: undefined,
      from: '2026-10-31T22:00:00.000Z',
      to: '2026-11-01T22:00:00.000Z',
    })
    expect(formatValue(null)).toBe('—')
    expect(formatValue(587)).toBe('587')
    expect(changesOf(page1.items[1])).toEqual([
      { field: 'password', before: null, after: '[redacted]' },
      { field: 'port', before: 25, after: 587 },
    ])
  })
})

describe('AuditLogPage', () => {
  it('shows when, who, IP, action, target and changes as before → after, and loads more', async () => {
    renderAs('admin')
    const row = (await screen.findByText('Shop → Shop Renamed', { exact: false })).closest('tr') as HTMLElement
    expect(within(row).getByText('grace@example.com')).toBeInTheDocument()
    expect(within(row).getByText('203.0.113.7')).toBeInTheDocument()
    expect(within(row).getByText('Instance changed')).toBeInTheDocument()
    expect(within(row).getByText('instance.update')).toBeInTheDocument()

    const smtp = screen.getByText('SMTP settings saved').closest('tr') as HTMLElement
    expect(within(smtp).getByText('Backoffice')).toBeInTheDocument()
    expect(within(smtp).getByText('app')).toBeInTheDocument()
    expect(within(smtp).getByText('— → [redacted]', { exact: false })).toBeInTheDocument()
    expect(within(smtp).getByText('25 → 587', { exact: false })).toBeInTheDocument()
    expect(screen.getByText('Showing 2 of 3')).toBeInTheDocument()

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }))
    expect(await screen.findByText('User deleted')).toBeInTheDocument()
    expect(screen.getByText('Showing 3 of 3')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
  })

  it('filters by action and by actor, and exports the filtered log as CSV', async () => {
    const { requests } = renderAs('owner')
    await screen.findByText('Backoffice')
    const user = userEvent.setup()
    await user.click(screen.getByRole('combobox', { name: 'Action' }))
    await user.click(await screen.findByRole('option', { name: 'SMTP settings saved (smtp.update)', hidden: true }))
    await waitFor(() => expect(screen.queryByText('grace@example.com')).not.toBeInTheDocument())
    expect(requests.some((u) => u.searchParams.get('action') === 'smtp.update')).toBe(true)

    await user.click(screen.getByRole('button', { name: 'Backoffice' }))
    expect(screen.getByRole('textbox', { name: 'Actor id' })).toHaveValue('app-9')
    await waitFor(() => expect(requests.some((u) => u.searchParams.get('actor') === 'app-9')).toBe(true))

    const createObjectURL = vi.fn(() => 'blob:csv')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    await user.click(screen.getByRole('button', { name: 'Export CSV' }))
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled())
    const csv = requests.find((u) => u.pathname.endsWith('/audit-log.csv'))
    expect(csv?.searchParams.get('action')).toBe('smtp.update')
    expect(csv?.searchParams.get('actor')).toBe('app-9')
    expect(csv?.searchParams.has('cursor')).toBe(false)
  })

  it('shows a refused filter beside its field', async () => {
    renderAs('admin')
    await screen.findByText('Backoffice')
    await userEvent.setup().type(screen.getByRole('textbox', { name: 'Target id' }), 'bad')
    expect(await screen.findByText('target_id is too long.')).toBeInTheDocument()
  })

  it('is for admins and owners only', async () => {
    const { requests } = renderAs('developer')
    expect(await screen.findByText('The audit log is for admins and owners of the instance.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Export CSV' })).not.toBeInTheDocument()
    expect(requests).toHaveLength(0)
  })
})
