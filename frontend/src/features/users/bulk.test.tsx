import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { collectMatching, MATCHING_CAP, runBulk } from './bulk'
import { DEFAULT_FILTERS } from './model'
import { UsersPage } from './UsersPage'

const LIST = '/api/v1/instances/shop/users'
const BULK = '/api/v1/instances/shop/users/bulk'

function person(id: string, email: string) {
  return {
    id,
    email,
    email_verified: false,
    given_name: '',
    family_name: '',
    name: '',
    blocked: false,
    status: 'unverified',
    provider: 'password',
    has_password: true,
    metadata: {},
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
    last_login_at: null,
  }
}

/**
 * `count` users; the list answers pages of `limit` from the offset in the cursor. The table's own
 * pages (limit 50) get 5 users, which keeps the tests quick.
 */
function population(count: number, options: { totalCapped?: boolean } = {}) {
  const everyone = Array.from({ length: count }, (_, i) => person(`u${i}`, `user${i}@example.com`))
  return (request: SeenRequest) => {
    const asked = Number(request.query.get('limit') ?? 50)
    const limit = asked === 50 ? 5 : asked
    const offset = Number(request.query.get('cursor') ?? 0)
    const items = everyone.slice(offset, offset + limit)
    const next = offset + limit < count ? String(offset + limit) : null
    return jsonResponse({ items, next_cursor: next, total: options.totalCapped ? MATCHING_CAP : count, total_capped: options.totalCapped ?? false })
  }
}

function allDone(request: SeenRequest) {
  const ids = (request.body as { ids: string[] }).ids
  return jsonResponse({ results: ids.map((id) => ({ id, outcome: 'done', code: null, message: null })), done: ids.length, skipped: 0, failed: 0 })
}

/** The first render of a file pays for loading the modules: wait longer than usual for it. */
const FIRST_LOAD = { timeout: 5000 }

function renderUsers(path = '/i/shop/users') {
  return renderPage(<UsersPage instance={{ slug: 'shop', role: 'developer', timeZone: 'UTC' }} />, path)
}

describe('bulk actions', () => {
  it('blocks 3 selected users after a confirmation that counts them, with progress and a report', async () => {
    const three = [person('u1', 'ada@example.com'), person('u2', 'grace@example.com'), person('u3', 'alan@example.com')]
    let release: () => void = () => {}
    const answered = new Promise<void>((resolve) => (release = resolve))
    const seen = stubApi(async (request) => {
      if (request.method === 'GET' && request.path === LIST) return jsonResponse({ items: three, next_cursor: null, total: 3, total_capped: false })
      if (request.method === 'POST' && request.path === BULK) {
        await answered
        return jsonResponse({
          results: [
            { id: 'u1', outcome: 'done', code: null, message: null },
            { id: 'u2', outcome: 'skipped', code: null, message: null },
            { id: 'u3', outcome: 'failed', code: 'not_found', message: 'No such user.' },
          ],
          done: 1,
          skipped: 1,
          failed: 1,
        })
      }
      return problem(404, 'not_found', `No route ${request.method} ${request.path}`)
    })
    renderUsers()
    const user = userEvent.setup()
    await screen.findByRole('link', { name: 'alan@example.com' }, FIRST_LOAD)
    for (const email of ['ada@example.com', 'grace@example.com', 'alan@example.com']) {
      await user.click(screen.getByRole('checkbox', { name: `Select ${email}` }))
    }
    expect(screen.getByTestId('users-selected')).toHaveTextContent('3 users selected')
    // Every user there is is picked: nothing more to offer.
    expect(screen.getByRole('checkbox', { name: 'Select every user on this page' })).toBeChecked()
    expect(screen.queryByRole('button', { name: /Select all .* matching the filter/ })).not.toBeInTheDocument()

    await user.click(within(screen.getByRole('region', { name: 'Bulk actions' })).getByRole('button', { name: 'Block' }))
    const confirm = await screen.findByRole('dialog', { name: 'Block users' })
    expect(confirm).toHaveTextContent('Block 3 users?')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
    await user.click(within(confirm).getByRole('button', { name: 'Block 3 users' }))

    const running = await screen.findByRole('dialog', { name: 'Block users — in progress' })
    expect(within(running).getByRole('progressbar', { name: 'Progress' })).toBeInTheDocument()
    expect(running).toHaveTextContent('Blocking users… 0 / 3')
    const listsBefore = seen.filter((r) => r.method === 'GET').length
    release()

    const report = await screen.findByRole('dialog', { name: 'Block users — finished' })
    const result = within(report).getByRole('status', { name: 'Result' })
    expect(result).toHaveTextContent('1 done')
    expect(result).toHaveTextContent('1 skipped')
    expect(result).toHaveTextContent('1 failed')
    const failed = within(report).getByRole('table', { name: 'Failed users' })
    expect(failed).toHaveTextContent('alan@example.com')
    expect(failed).toHaveTextContent('No such user.')
    expect(failed).not.toHaveTextContent('grace@example.com')

    expect(seen.filter((r) => r.method === 'POST')).toMatchObject([{ path: BULK, body: { action: 'block', ids: ['u1', 'u2', 'u3'] } }])
    // The selection is cleared and the list fetched again.
    expect(screen.queryByTestId('users-selected')).not.toBeInTheDocument()
    await waitFor(() => expect(seen.filter((r) => r.method === 'GET').length).toBeGreaterThan(listsBefore))
    await user.click(within(report).getByRole('button', { name: 'Close' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
  })

  it('selects every user matching the filter, pages through them 100 at a time and acts in calls of 100', async () => {
    const list = population(150)
    const seen = stubApi((request) => {
      if (request.method === 'GET' && request.path === LIST) return list(request)
      if (request.method === 'POST' && request.path === BULK) return allDone(request)
      return undefined
    })
    renderUsers('/i/shop/users?status=unverified&sort=name&order=asc')
    const user = userEvent.setup()
    expect(await screen.findByRole('link', { name: 'user0@example.com' }, FIRST_LOAD)).toBeInTheDocument()

    await user.click(screen.getByRole('checkbox', { name: 'Select every user on this page' }))
    expect(screen.getByTestId('users-selected')).toHaveTextContent('5 users selected')
    await user.click(screen.getByRole('button', { name: 'Select all 150 users matching the filter' }))
    expect(screen.getByTestId('users-selected')).toHaveTextContent('All 150 users matching the filter are selected')

    await user.click(within(screen.getByRole('region', { name: 'Bulk actions' })).getByRole('button', { name: 'Send verification email' }))
    const confirm = await screen.findByRole('dialog', { name: 'Send verification emails' })
    expect(confirm).toHaveTextContent('Send a verification email to all 150 users matching the filter?')
    await user.click(within(confirm).getByRole('button', { name: 'Send to 150 users' }))

    const report = await screen.findByRole('dialog', { name: 'Send verification emails — finished' })
    expect(within(report).getByRole('status', { name: 'Result' })).toHaveTextContent('150 done')

    // Paged with the list's filter and sort, 100 at a time, following next_cursor.
    const collecting = seen.filter((r) => r.method === 'GET' && r.query.get('limit') === '100')
    expect(collecting.map((r) => r.query.get('cursor'))).toEqual([null, '100'])
    for (const r of collecting) {
      expect(r.query.get('status')).toBe('unverified')
      expect(r.query.get('sort')).toBe('name')
      expect(r.query.get('order')).toBe('asc')
    }
    const calls = seen.filter((r) => r.method === 'POST').map((r) => r.body as { action: string; ids: string[] })
    expect(calls.map((c) => c.ids.length)).toEqual([100, 50])
    expect(calls.every((c) => c.action === 'send_verification')).toBe(true)
    expect(new Set(calls.flatMap((c) => c.ids)).size).toBe(150)
  })

  it('clears the selection when the filter changes', async () => {
    stubApi((request) => (request.method === 'GET' && request.path === LIST ? population(3)(request) : undefined))
    renderUsers()
    const user = userEvent.setup()
    await user.click(await screen.findByRole('checkbox', { name: 'Select user1@example.com' }, FIRST_LOAD))
    expect(screen.getByTestId('users-selected')).toHaveTextContent('1 user selected')
    await user.click(screen.getByRole('button', { name: 'Switch to ascending order' }))
    await waitFor(() => expect(screen.queryByTestId('users-selected')).not.toBeInTheDocument())
  })

  it('exports a selection by id', async () => {
    const seen = stubApi((request) => {
      if (request.path === `${LIST}/export`) return new Response('id,email\n', { headers: { 'Content-Type': 'text/csv' } })
      if (request.method === 'GET' && request.path === LIST) return population(3)(request)
      return undefined
    })
    const createObjectURL = vi.fn(() => 'blob:csv')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    renderUsers()
    const user = userEvent.setup()
    await user.click(await screen.findByRole('checkbox', { name: 'Select user0@example.com' }, FIRST_LOAD))
    await user.click(screen.getByRole('checkbox', { name: 'Select user2@example.com' }))
    await user.click(within(screen.getByRole('region', { name: 'Bulk actions' })).getByRole('button', { name: 'Export' }))
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled())
    const exported = seen.find((r) => r.path === `${LIST}/export`)
    expect(exported?.query.get('ids')).toBe('u0,u2')
    expect(exported?.query.has('status')).toBe(false)
  })

  it('is export-only for viewers', async () => {
    stubApi((request) => (request.method === 'GET' && request.path === LIST ? population(3)(request) : undefined))
    renderPage(<UsersPage instance={{ slug: 'shop', role: 'viewer', timeZone: 'UTC' }} />, '/i/shop/users')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('checkbox', { name: 'Select user0@example.com' }, FIRST_LOAD))
    const bar = screen.getByRole('region', { name: 'Bulk actions' })
    expect(within(bar).getByRole('button', { name: 'Export' })).toBeInTheDocument()
    expect(within(bar).queryByRole('button', { name: 'Block' })).not.toBeInTheDocument()
    expect(within(bar).queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument()
  })
})

describe('collectMatching', () => {
  it(`stops at ${MATCHING_CAP} users and says more match`, async () => {
    const list = population(MATCHING_CAP + 150, { totalCapped: true })
    const seen = stubApi((request) => list(request))
    const progress: number[] = []
    const collected = await collectMatching('shop', DEFAULT_FILTERS, 'UTC', { onProgress: (n) => progress.push(n) })
    expect(collected.capped).toBe(true)
    expect(collected.targets).toHaveLength(MATCHING_CAP)
    expect(seen).toHaveLength(MATCHING_CAP / 100)
    expect(progress[progress.length - 1]).toBe(MATCHING_CAP)
  })

  it('collects each user once, even when one moves between pages', async () => {
    const pages: Record<string, unknown> = {
      first: { items: [person('a', 'a@example.com'), person('b', 'b@example.com')], next_cursor: 'second', total: 3, total_capped: false },
      second: { items: [person('b', 'b@example.com'), person('c', 'c@example.com')], next_cursor: null, total: 3, total_capped: false },
    }
    stubApi((request) => jsonResponse(pages[request.query.get('cursor') ?? 'first']))
    const collected = await collectMatching('shop', DEFAULT_FILTERS, 'UTC')
    expect(collected.targets.map((t) => t.id)).toEqual(['a', 'b', 'c'])
    expect(collected.capped).toBe(false)
  })
})

describe('runBulk', () => {
  it('stops when a call is refused as a whole, and reports the users not reached', async () => {
    let calls = 0
    stubApi((request) => {
      calls++
      return calls === 2 ? problem(403, 'forbidden', 'Your role may not change users.') : allDone(request)
    })
    const targets = Array.from({ length: 250 }, (_, i) => ({ id: `u${i}`, email: `user${i}@example.com` }))
    const report = await runBulk('shop', 'delete', targets)
    expect(calls).toBe(2)
    expect(report).toMatchObject({ total: 250, done: 100, failed: 100, notRun: 50, stoppedBy: 'Your role may not change users.' })
    expect(report.failures[0]).toEqual({ id: 'u100', email: 'user100@example.com', message: 'Your role may not change users.' })
  })
})
