import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Outlet } from 'react-router'
import { describe, expect, it } from 'vitest'
import { account, stubApi, type SeenRequest } from '../../test/api'
import { jsonResponse, renderRoutes } from '../../test/render'
import { fill } from '../../test/user'
import { CreateInstancePage } from './CreateInstancePage'
import { InstanceSettingsPage } from './InstanceSettingsPage'
import type { Instance } from './roles'
import { matchesTimeZone, timeZoneLabel, timeZoneOptions, timeZones, utcOffset } from './timeZones'

const WINTER = new Date('2026-01-15T12:00:00Z')
const SUMMER = new Date('2026-07-15T12:00:00Z')

describe('time zone offsets', () => {
  it('states each zone’s offset from UTC, daylight saving time included', () => {
    expect(utcOffset('Europe/Athens', WINTER)).toBe('+02:00')
    expect(utcOffset('Europe/Athens', SUMMER)).toBe('+03:00')
    expect(utcOffset('America/New_York', WINTER)).toBe('-05:00')
    expect(utcOffset('America/New_York', SUMMER)).toBe('-04:00')
    expect(utcOffset('Asia/Kolkata', WINTER)).toBe('+05:30')
    expect(utcOffset('UTC', SUMMER)).toBe('+00:00')
    expect(utcOffset('Not/AZone', SUMMER)).toBeNull()
    expect(timeZoneLabel('Europe/Athens', WINTER)).toBe('Europe/Athens (UTC+02:00)')
    expect(timeZoneLabel('Not/AZone', WINTER)).toBe('Not/AZone')
  })

  it('matches a search by name (words, any case, spaces for underscores) or by offset', () => {
    const [athens, newYork, kolkata, utc] = timeZoneOptions(['Europe/Athens', 'America/New_York', 'Asia/Kolkata', 'UTC'], WINTER)
    const found = (q: string) => [athens, newYork, kolkata, utc].filter((o) => matchesTimeZone(o, q)).map((o) => o.value)
    expect(found('athens')).toEqual(['Europe/Athens'])
    expect(found('new york')).toEqual(['America/New_York'])
    expect(found('NEW_YORK')).toEqual(['America/New_York'])
    expect(found('europe ath')).toEqual(['Europe/Athens'])
    expect(found('+2')).toEqual(['Europe/Athens'])
    expect(found('UTC+02:00')).toEqual(['Europe/Athens'])
    expect(found('gmt-5')).toEqual(['America/New_York'])
    expect(found('−05:00')).toEqual(['America/New_York'])
    expect(found('+5:30')).toEqual(['Asia/Kolkata'])
    expect(found('+5')).toEqual(['Asia/Kolkata'])
    expect(found('+05:00')).toEqual([])
    expect(found('-0')).toEqual(['UTC'])
    expect(found('(UTC+02')).toEqual(['Europe/Athens'])
    expect(found('mars')).toEqual([])
  })

  it('lists zones by their current names (the browser may know former ones), and finds them by either', () => {
    const zones = timeZones()
    expect(zones[0]).toBe('UTC')
    expect(zones).toContain('Asia/Kolkata')
    expect(zones).not.toContain('Asia/Calcutta')
    expect(zones).toContain('Europe/Kyiv')
    expect(new Set(zones).size).toBe(zones.length)
    const [kolkata] = timeZoneOptions(['Asia/Kolkata'], WINTER)
    expect(matchesTimeZone(kolkata, 'kolkata')).toBe(true)
    expect(matchesTimeZone(kolkata, 'calcutta')).toBe(true)
  })
})

const production: Instance = {
  id: 'i1',
  slug: 'production',
  name: 'Production',
  time_zone: 'Europe/Athens',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  role: 'owner',
  require_two_factor: false,
}

function stubInstance(extra: (r: SeenRequest) => Response | undefined = () => undefined) {
  return stubApi((r) => {
    const answer = extra(r)
    if (answer) return answer
    if (r.path === '/api/v1/me') return jsonResponse(account({ id: 'o1' }))
    if (r.method === 'GET' && r.path === '/api/v1/instances/production/members') return jsonResponse({ items: [], next_cursor: null, total: 0 })
    if (r.method === 'GET' && r.path === '/api/v1/instances/production/invitations') return jsonResponse({ items: [], next_cursor: null, total: 0 })
    if (r.method === 'GET' && r.path === '/api/v1/instances/production/security-policy') return jsonResponse({ require_two_factor: false })
    if (r.method === 'PATCH' && r.path === '/api/v1/instances/production') return jsonResponse({ ...production, ...(r.body as object) })
  })
}

function renderSettings() {
  return renderRoutes(
    [
      { path: '/i/:slug', element: <Outlet context={production} />, children: [{ path: 'settings', element: <InstanceSettingsPage /> }] },
      { path: '/elsewhere', element: <p>another page</p> },
    ],
    '/i/production/settings',
  )
}

const zoneField = () => screen.getByRole('combobox', { name: 'Time zone' }) as HTMLInputElement

describe('Time zone picker (instance settings)', () => {
  it('shows the offset of each zone, selects its text on focus, and finds zones by offset', async () => {
    const seen = stubInstance()
    renderSettings()
    const user = userEvent.setup()
    const zone = await screen.findByRole('combobox', { name: 'Time zone' })
    expect(zone).toHaveValue(timeZoneLabel('Europe/Athens'))
    expect((zone as HTMLInputElement).value).toMatch(/^Europe\/Athens \(UTC\+0[23]:00\)$/)

    await user.click(zone)
    expect([zoneField().selectionStart, zoneField().selectionEnd]).toEqual([0, zoneField().value.length])
    // Typing replaces the text: the offset of India finds its zones.
    await user.keyboard('+05:30')
    expect(zone).toHaveValue('+05:30')
    const kolkata = await screen.findByRole('option', { name: 'Asia/Kolkata (UTC+05:30)', hidden: true })
    expect(screen.queryByRole('option', { name: /Europe\/Athens/, hidden: true })).not.toBeInTheDocument()
    await user.click(kolkata)
    expect(zone).toHaveValue('Asia/Kolkata (UTC+05:30)')

    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ time_zone: 'Asia/Kolkata' }]))
  })

  it('refuses a text that matches no zone: says so, does not submit on Enter, and reverts when left', async () => {
    const seen = stubInstance()
    renderSettings()
    const user = userEvent.setup()
    const zone = await screen.findByRole('combobox', { name: 'Time zone' })
    const chosen = (zone as HTMLInputElement).value
    // Make the form dirty (the name), so that a submit would be sent.
    await user.type(screen.getByRole('textbox', { name: 'Name' }), ' EU')

    await user.click(zone)
    await user.keyboard('Atlantis')
    expect(zone).toHaveAccessibleDescription(expect.stringContaining('No time zone matches “Atlantis”'))
    expect(zone).toHaveAttribute('aria-invalid', 'true')
    await user.keyboard('{Enter}')
    expect(seen.some((r) => r.method === 'PATCH')).toBe(false)

    await user.tab()
    expect(zone).toHaveValue(chosen)
    expect(zone).not.toHaveAttribute('aria-invalid', 'true')

    // Saved as it was, with the last valid zone.
    await user.click(screen.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ name: 'Production EU' }]))
  })

  it('shares one leave guard between the settings form and the invitation form', async () => {
    stubInstance()
    const { router } = renderSettings()
    const user = userEvent.setup()
    const form = await screen.findByRole('form', { name: 'Invite a member' })
    await fill(user, within(form).getByLabelText(/^email address/i, { selector: 'input' }), 'grace@example.com')
    await act(() => router.navigate('/elsewhere'))
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(dialog).toHaveTextContent('The invitation to grace@example.com is not sent yet')
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }))

    // Both dirty: the question names both.
    await user.type(screen.getByRole('textbox', { name: 'Name' }), '!')
    await act(() => router.navigate('/elsewhere'))
    const both = await screen.findByRole('dialog', { name: 'Leave without saving?' })
    expect(both).toHaveTextContent('The instance settings have unsaved changes')
    expect(both).toHaveTextContent('The invitation to grace@example.com is not sent yet')
    await user.click(within(both).getByRole('button', { name: 'Leave' }))
    expect(await screen.findByText('another page')).toBeInTheDocument()
  })
})

describe('Time zone picker (new instance)', () => {
  it('never creates an instance with a time zone typed but not chosen', async () => {
    const seen = stubApi((r) => {
      if (r.method === 'GET' && r.path === '/api/v1/instances') return jsonResponse({ items: [production], next_cursor: null })
      if (r.method === 'POST' && r.path === '/api/v1/instances') return jsonResponse({ ...production, ...(r.body as object) }, 201)
    })
    renderRoutes(
      [
        { path: '/instances/new', element: <CreateInstancePage /> },
        { path: '/i/:slug', element: <p>the new instance</p> },
      ],
      '/instances/new',
    )
    const user = userEvent.setup()
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'Sandbox')
    const zone = zoneField()
    await user.click(zone)
    await user.keyboard('Nowhere')
    await user.keyboard('{Enter}')
    expect(zone).toHaveAccessibleDescription(expect.stringContaining('No time zone matches “Nowhere”'))
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    // A text that matches: Enter picks the first match (and submits nothing by itself).
    await user.clear(zone)
    await user.keyboard('athens')
    await user.keyboard('{Enter}')
    expect(zone.value).toMatch(/^Europe\/Athens \(UTC/)
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await user.click(screen.getByRole('button', { name: 'Create instance' }))
    await waitFor(() => expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ name: 'Sandbox', slug: 'sandbox', time_zone: 'Europe/Athens' }]))
    // Created: no "Leave without saving?" on the way to it.
    expect(await screen.findByText('the new instance')).toBeInTheDocument()
  })
})
