import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { account, problem, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderPage } from '../../test/render'
import { fill } from '../../test/user'
import { MembersSection } from './MembersSection'
import { ROLE_DESCRIPTIONS, type Instance, type Role } from './roles'

const members = {
  items: [
    { account_id: 'o1', email: 'owner@example.com', name: 'Olga Owner', role: 'owner', added_at: '2026-01-01T00:00:00Z' },
    { account_id: 'd1', email: 'dev@example.com', name: 'Dev Eloper', role: 'developer', added_at: '2026-01-02T00:00:00Z' },
  ],
  next_cursor: null,
  total: 2,
}

const invitations = {
  items: [
    {
      id: 'inv1',
      email: 'grace@example.com',
      role: 'admin',
      invited_by_email: 'owner@example.com',
      created_at: '2026-11-20T10:00:00Z',
      expires_at: '2026-11-27T10:00:00Z',
      last_sent_at: '2026-11-20T10:00:05Z',
      expired: true,
    },
    {
      id: 'inv2',
      email: 'linus@example.com',
      role: 'viewer',
      invited_by_email: null,
      created_at: '2026-11-29T10:00:00Z',
      expires_at: '2026-12-06T10:00:00Z',
      last_sent_at: null,
      expired: false,
    },
  ],
  next_cursor: null,
  total: 2,
}

function instance(role: Role): Instance {
  return { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role, require_two_factor: false }
}

function stub(extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    if (r.method === 'GET' && r.path === '/api/v1/instances/production/members') return jsonResponse(members)
    if (r.method === 'GET' && r.path === '/api/v1/instances/production/invitations') return jsonResponse(invitations)
    if (r.path === '/api/v1/me') return jsonResponse(account({ id: 'o1', email: 'owner@example.com' }))
  })
}

describe('MembersSection', () => {
  it('lets a viewer read the members but change nothing (and does not ask for invitations)', async () => {
    const seen = stub()
    renderPage(<MembersSection instance={instance('viewer')} />)
    expect(await screen.findByText('Olga Owner')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Invite member' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /remove/i })).not.toBeInTheDocument()
    expect(screen.queryByLabelText(/role of/i)).not.toBeInTheDocument()
    expect(screen.queryByText(/pending invitations/i)).not.toBeInTheDocument()
    expect(seen.some((r) => r.path.endsWith('/invitations'))).toBe(false)
  })

  it('lets an admin manage non-owners only', async () => {
    stub()
    renderPage(<MembersSection instance={instance('admin')} />)
    expect(await screen.findByText('Dev Eloper')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Invite member' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Remove dev@example.com' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove owner@example.com' })).not.toBeInTheDocument()
    expect(screen.getAllByLabelText('Role of dev@example.com').length).toBeGreaterThan(0)
    expect(screen.queryAllByLabelText('Role of owner@example.com')).toHaveLength(0)
  })

  it('describes each role where a member’s role is changed, and dates in the instance’s zone', async () => {
    stub()
    renderPage(<MembersSection instance={{ ...instance('owner'), time_zone: 'Asia/Tokyo' }} />)
    const user = userEvent.setup()
    const row = (await screen.findByText('Dev Eloper')).closest('tr') as HTMLElement
    // Added 2026-01-02T00:00Z: 09:00 in Tokyo, with the zone named.
    expect(row).toHaveTextContent(/Jan 2, 2026.*09:00.*GMT\+9/)
    await user.click(within(row).getByLabelText('Role of dev@example.com', { selector: 'input' }))
    const listbox = await screen.findByRole('listbox', { name: 'Role of dev@example.com', hidden: true })
    for (const role of ['owner', 'admin', 'developer', 'viewer'] as const) {
      const option = within(listbox).getByRole('option', { name: new RegExp(`^${role}`, 'i'), hidden: true })
      expect(option).toHaveTextContent(ROLE_DESCRIPTIONS[role])
    }
  })

  it('words the roles as the server enforces them', () => {
    expect(ROLE_DESCRIPTIONS.owner).toMatch(/deleting the instance/)
    expect(ROLE_DESCRIPTIONS.owner).toMatch(/two-factor/)
    expect(ROLE_DESCRIPTIONS.admin).toMatch(/settings.*SMTP.*members/)
    expect(ROLE_DESCRIPTIONS.developer).toMatch(/Applications, end users.*email messages/)
    expect(ROLE_DESCRIPTIONS.viewer).toMatch(/changes nothing.*one-time links.*redacted/)
  })

  it('never offers to demote or remove the last owner', async () => {
    stub()
    renderPage(<MembersSection instance={instance('owner')} />)
    expect(await screen.findByText('Olga Owner')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove owner@example.com' })).not.toBeInTheDocument()
    expect(screen.queryAllByLabelText('Role of owner@example.com')).toHaveLength(0)
    expect(screen.getByRole('button', { name: 'Remove dev@example.com' })).toBeInTheDocument()
  })

  it('pages the members past the first 100 with Load more', async () => {
    const first = Array.from({ length: 100 }, (_, i) => ({
      account_id: `m${i}`,
      email: `member${i}@example.com`,
      name: `Member ${i}`,
      role: i === 0 ? 'owner' : 'viewer',
      added_at: '2026-01-01T00:00:00Z',
    }))
    const seen = stub((r) => {
      if (r.path !== '/api/v1/instances/production/members') return undefined
      if (r.query.get('cursor') === 'page-2') {
        return jsonResponse({ items: [{ account_id: 'last', email: 'last@example.com', name: 'The Last One', role: 'viewer', added_at: '2026-01-03T00:00:00Z' }], next_cursor: null, total: 101 })
      }
      return jsonResponse({ items: first, next_cursor: 'page-2', total: 101 })
    })
    renderPage(<MembersSection instance={instance('owner')} />)
    const user = userEvent.setup()
    expect(await screen.findByText('Member 99')).toBeInTheDocument()
    expect(screen.getByText('Showing 100 of 101')).toBeInTheDocument()
    // Not every owner is known yet: the one seen is not treated as the last. (Queries by label and
    // text, not by role: computing every name of a 100-row table is slow on a busy machine.)
    expect(screen.getByLabelText('Remove member0@example.com')).toBeInTheDocument()
    await user.click(screen.getByText('Load more'))
    expect(await screen.findByText('The Last One')).toBeInTheDocument()
    expect(screen.queryByText('Load more')).not.toBeInTheDocument()
    const pages = seen.filter((r) => r.path.endsWith('/members'))
    expect(pages.map((r) => [r.query.get('limit'), r.query.get('cursor')])).toEqual([
      ['100', null],
      ['100', 'page-2'],
    ])
    // Now all are loaded: the only owner is protected.
    expect(screen.queryByLabelText('Remove member0@example.com')).not.toBeInTheDocument()
  }, 120_000) // 101 rows of real Mantine selects: slow under jsdom on a busy machine (~15 s on a free core)
})

describe('MembersSection: invitations', () => {
  it('lists the pending invitations with inviter, expiry and an Expired badge', async () => {
    stub()
    renderPage(<MembersSection instance={instance('owner')} />)
    const table = await screen.findByRole('table', { name: 'Pending invitations' })
    const rows = await within(table).findAllByRole('row')
    expect(screen.getByRole('heading', { name: 'Pending invitations (2)' })).toBeInTheDocument()
    expect(rows[1]).toHaveTextContent('grace@example.com')
    expect(rows[1]).toHaveTextContent('Invited by owner@example.com')
    expect(rows[1]).toHaveTextContent('Admin')
    expect(within(rows[1]).getByText('Expired')).toBeInTheDocument()
    expect(rows[2]).toHaveTextContent('linus@example.com')
    expect(rows[2]).toHaveTextContent('not sent yet')
    expect(within(rows[2]).queryByText('Expired')).not.toBeInTheDocument()
    expect(rows[2]).toHaveTextContent('Dec 6, 2026')
  })

  it('invites with email and role, and shows a conflict beside the email', async () => {
    const seen = stub((r) => {
      if (r.method !== 'POST' || r.path !== '/api/v1/instances/production/invitations') return undefined
      const { email } = r.body as { email: string }
      if (email === 'grace@example.com') return problem(409, 'invitation_pending', 'An invitation to this address is already pending.')
      return jsonResponse({ ...invitations.items[1], id: 'inv3', email, role: 'admin', expired: false }, 201)
    })
    renderPage(<MembersSection instance={instance('owner')} />)
    const user = userEvent.setup()
    const form = await screen.findByRole('form', { name: 'Invite a member' })
    const email = within(form).getByLabelText(/^email address/i, { selector: 'input' })
    await fill(user, email, 'grace@example.com')
    await user.click(within(form).getByLabelText('Role', { selector: 'input' }))
    // Each option says what the role may do.
    const listbox = await screen.findByRole('listbox', { name: 'Role', hidden: true })
    const admin = within(listbox).getByRole('option', { name: /^Admin/, hidden: true })
    expect(admin).toHaveTextContent(ROLE_DESCRIPTIONS.admin)
    await user.click(admin)
    expect(within(form).getByText(ROLE_DESCRIPTIONS.admin)).toBeInTheDocument()
    await user.click(within(form).getByRole('button', { name: 'Invite member' }))
    await waitFor(() => expect(email).toHaveAccessibleDescription(/already pending/))

    await user.clear(email)
    await fill(user, email, 'new@example.com')
    await user.click(within(form).getByRole('button', { name: 'Invite member' }))
    expect(await screen.findByText('Invitation sent to new@example.com as admin')).toBeInTheDocument()
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { email: 'grace@example.com', role: 'admin' },
      { email: 'new@example.com', role: 'admin' },
    ])
    await waitFor(() => expect(email).toHaveValue(''))
  })

  it('resends an invitation, and revokes one after confirming', async () => {
    const seen = stub((r) => {
      if (r.method === 'POST' && r.path === '/api/v1/instances/production/invitations/inv1/resend') {
        return jsonResponse({ ...invitations.items[0], expired: false, expires_at: '2026-12-07T10:00:00Z' })
      }
      if (r.method === 'DELETE' && r.path === '/api/v1/instances/production/invitations/inv2') return jsonResponse(null, 204)
    })
    renderPage(<MembersSection instance={instance('owner')} />)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Resend the invitation to grace@example.com' }))
    expect(await screen.findByText(/Invitation sent again to grace@example.com/)).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Revoke the invitation to linus@example.com' }))
    const dialog = await screen.findByRole('dialog', { name: 'Revoke invitation' })
    expect(dialog).toHaveTextContent('linus@example.com')
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }))
    expect(await screen.findByText('Invitation to linus@example.com revoked')).toBeInTheDocument()
    expect(seen.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/instances/production/invitations/inv1/resend',
      'DELETE /api/v1/instances/production/invitations/inv2',
    ])
    // The list is read again after each change.
    expect(seen.filter((r) => r.method === 'GET' && r.path.endsWith('/invitations')).length).toBeGreaterThanOrEqual(3)
  })

  it('lets an admin see but not manage an invitation of an owner', async () => {
    stub((r) =>
      r.method === 'GET' && r.path.endsWith('/invitations')
        ? jsonResponse({ items: [{ ...invitations.items[1], id: 'inv9', email: 'boss@example.com', role: 'owner' }], next_cursor: null, total: 1 })
        : undefined,
    )
    renderPage(<MembersSection instance={instance('admin')} />)
    expect(await screen.findByText('boss@example.com')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /invitation to boss@example.com/ })).not.toBeInTheDocument()
  })
})
