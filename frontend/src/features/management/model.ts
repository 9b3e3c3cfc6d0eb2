import type { Schemas } from '../../api/client'
import { dayIn, nextDay, startOfDay } from '../../lib/datetime'
import type { Role } from '../../lib/instanceRef'

export type { InstanceRef, Role } from '../../lib/instanceRef'
export type ManagementClient = Schemas['ManagementClientDto']
export type CreatedManagementClient = Schemas['CreatedManagementClient']
export type ManagementScope = Schemas['ManagementScope']
export type ScopeInfo = Schemas['ScopeInfo']
export type ScopeCatalogue = Schemas['ScopeCatalogue']

/** Management clients are for admins and owners (the server answers 403 to anyone else). */
export const can = {
  manageClients: (role: Role) => role === 'owner' || role === 'admin',
}

/** The area of a scope (`users:read` → `users`). */
export type Area = 'settings' | 'applications' | 'users' | 'emails' | 'members' | 'audit_log' | 'webhooks'

export const AREA_LABELS: Record<Area, string> = {
  settings: 'Settings',
  applications: 'Applications',
  users: 'Users',
  emails: 'Emails',
  members: 'Members',
  audit_log: 'Audit log',
  webhooks: 'Webhooks',
}

/** A GET each area answers, for the example call (relative to the instance's console API). */
const AREA_EXAMPLE_PATHS: Record<Area, string> = {
  settings: '',
  applications: '/applications',
  users: '/users',
  emails: '/outbox',
  members: '/members',
  audit_log: '/audit-log',
  webhooks: '/webhooks',
}

export function areaOf(scope: ManagementScope): Area {
  return scope.slice(0, scope.indexOf(':')) as Area
}

export function isWrite(scope: ManagementScope): boolean {
  return scope.endsWith(':write')
}

export interface ScopeGroup {
  area: Area
  label: string
  scopes: ScopeInfo[]
}

/** The catalogue grouped by area, in the server's order (read before write). */
export function groupScopes(items: ScopeInfo[]): ScopeGroup[] {
  const groups: ScopeGroup[] = []
  for (const item of items) {
    const area = areaOf(item.scope)
    let group = groups.find((g) => g.area === area)
    if (!group) {
      group = { area, label: AREA_LABELS[area] ?? area, scopes: [] }
      groups.push(group)
    }
    group.scopes.push(item)
  }
  return groups
}

/** `scopes` in the catalogue's order (the order a checkbox was ticked in does not matter). */
export function sortScopes(scopes: ManagementScope[], catalogue: ScopeInfo[]): ManagementScope[] {
  const order = catalogue.map((s) => s.scope)
  return [...new Set(scopes)].toSorted((a, b) => order.indexOf(a) - order.indexOf(b))
}

/** The client-credentials request a machine makes for its token. */
export function tokenCurl(tokenEndpoint: string, clientId = 'CLIENT_ID', secret = 'SECRET'): string {
  return `curl -u ${clientId}:${secret} -d grant_type=client_credentials ${tokenEndpoint}`
}

/** A first call with the token, to a route one of `scopes` allows to read (none without a read scope). */
export function exampleCall(tokenEndpoint: string, slug: string, scopes: ManagementScope[]): string | null {
  const read = scopes.find((s) => !isWrite(s))
  if (!read) return null
  let origin: string
  try {
    origin = new URL(tokenEndpoint).origin
  } catch {
    return null
  }
  return `curl -H "Authorization: Bearer $TOKEN" ${origin}/api/v1/instances/${slug}${AREA_EXAMPLE_PATHS[areaOf(read)] ?? ''}`
}

// Expiry: the console picks a calendar day in the instance's time zone; the client stops working
// when that day starts there.

/** The instant an expiry day starts (what the API stores). */
export function expiryInstant(day: string, timeZone: string): string {
  return startOfDay(day, timeZone)
}

/** The day an expiry falls on, for the date field. */
export function expiryDay(expiresAt: string | null | undefined, timeZone: string): string {
  return expiresAt ? dayIn(expiresAt, timeZone) : ''
}

/** The first day an expiry may be on: tomorrow in the instance's time zone. */
export function firstExpiryDay(timeZone: string, now = Date.now()): string {
  return nextDay(dayIn(now, timeZone))
}

/** Checks an expiry day before sending it (the server stays the authority). */
export function validateExpiryDay(day: string, timeZone: string, now = Date.now()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'Choose the day the client stops working'
  if (day < firstExpiryDay(timeZone, now)) return 'Choose a day after today'
  return null
}
