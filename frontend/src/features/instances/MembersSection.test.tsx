import { screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { jsonResponse, renderPage } from '../../test/render'
import { MembersSection } from './MembersSection'
import type { Instance, Role } from './roles'

const members = {
  items: [
    { account_id: 'o1', email: 'owner@example.com', name: 'Olga Owner', role: 'owner', added_at: '2026-01-01T00:00:00Z' },
    { account_id: 'd1', email: 'dev@example.com', name: 'Dev Eloper', role: 'developer', added_at: '2026-01-02T00:00:00Z' },
  ],
  next_cursor: null,
  total: 2,
}

function instance(role: Role): Instance {
  return { id: 'i1', slug: 'production', name: 'Production', time_zone: 'UTC', created_at: '', updated_at: '', role }
}

function stubApi() {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = input instanceof Request ? input.url : String(input)
      if (url.includes('/members')) return jsonResponse(members)
      return jsonResponse({ id: 'me', email: 'me@example.com', name: 'Me', created_at: '', updated_at: '' })
    }),
  )
}

describe('MembersSection', () => {
  it('lets a viewer read the members but change nothing', async () => {
    stubApi()
    renderPage(<MembersSection instance={instance('viewer')} />)
    expect(await screen.findByText('Olga Owner')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add member' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /remove/i })).not.toBeInTheDocument()
    expect(screen.queryByLabelText(/role of/i)).not.toBeInTheDocument()
  })

  it('lets an admin manage non-owners only', async () => {
    stubApi()
    renderPage(<MembersSection instance={instance('admin')} />)
    expect(await screen.findByText('Dev Eloper')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Add member' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Remove dev@example.com' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove owner@example.com' })).not.toBeInTheDocument()
    expect(screen.getAllByLabelText('Role of dev@example.com').length).toBeGreaterThan(0)
    expect(screen.queryAllByLabelText('Role of owner@example.com')).toHaveLength(0)
  })

  it('never offers to demote or remove the last owner', async () => {
    stubApi()
    renderPage(<MembersSection instance={instance('owner')} />)
    expect(await screen.findByText('Olga Owner')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove owner@example.com' })).not.toBeInTheDocument()
    expect(screen.queryAllByLabelText('Role of owner@example.com')).toHaveLength(0)
    expect(screen.getByRole('button', { name: 'Remove dev@example.com' })).toBeInTheDocument()
  })
})
