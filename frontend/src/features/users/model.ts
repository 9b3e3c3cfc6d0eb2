import { startOfDay } from '../../lib/datetime'
import { endUserAddress, endUserLabel, endUserName, shortUserId } from '../../lib/endUsers'
import type { Schemas } from '../../api/client'
import { validateEmail, validatePassword } from '../../lib/validation'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type User = Schemas['UserDto']
export type UserList = Schemas['UserList']
export type UserStatus = Schemas['UserStatusDto']
export type UserIdentity = Schemas['UserIdentityDto']
export type UserIdentityList = Schemas['UserIdentityList']


/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  manageUsers: (role: Role) => role !== 'viewer',
}

export const STATUSES: UserStatus[] = ['active', 'blocked', 'unverified']
export const STATUS_LABELS: Record<UserStatus, string> = { active: 'Active', blocked: 'Blocked', unverified: 'Unverified' }
export const STATUS_COLORS: Record<UserStatus, string> = { active: 'teal', blocked: 'red', unverified: 'yellow' }

export type SortField = 'created_at' | 'email' | 'name' | 'last_login_at'
export const SORTS: { value: SortField; label: string }[] = [
  { value: 'created_at', label: 'Created' },
  { value: 'email', label: 'Email' },
  { value: 'name', label: 'Name' },
  { value: 'last_login_at', label: 'Last sign-in' },
]
export type SortOrder = 'asc' | 'desc'

/** The list's filters as they sit in the URL (`?q=&status=&provider=&from=&to=&sort=&order=`). */
export interface UserFilters {
  q: string
  status: UserStatus | null
  provider: string | null
  /** Calendar days (YYYY-MM-DD) in the instance's time zone; `to` is inclusive. */
  from: string | null
  to: string | null
  sort: SortField
  order: SortOrder
}

export const DEFAULT_FILTERS: UserFilters = {
  q: '',
  status: null,
  provider: null,
  from: null,
  to: null,
  sort: 'created_at',
  order: 'desc',
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

function isDay(value: string | null): value is string {
  return value !== null && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
}

/** Reads the filters from the query string, ignoring values the server would refuse. */
export function filtersFromParams(params: URLSearchParams): UserFilters {
  const status = params.get('status')
  const sort = params.get('sort')
  const from = params.get('from')
  const to = params.get('to')
  return {
    q: params.get('q') ?? '',
    status: STATUSES.find((s) => s === status) ?? null,
    provider: params.get('provider') || null,
    from: isDay(from) ? from : null,
    to: isDay(to) ? to : null,
    sort: SORTS.find((s) => s.value === sort)?.value ?? 'created_at',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  }
}

/** The filters' query-string entries (defaults are left out: `null` removes the key). */
export function filtersToParams(filters: Partial<UserFilters>): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  if ('q' in filters) out.q = filters.q?.trim() || null
  if ('status' in filters) out.status = filters.status ?? null
  if ('provider' in filters) out.provider = filters.provider ?? null
  if ('from' in filters) out.from = filters.from ?? null
  if ('to' in filters) out.to = filters.to ?? null
  if ('sort' in filters) out.sort = filters.sort && filters.sort !== 'created_at' ? filters.sort : null
  if ('order' in filters) out.order = filters.order === 'asc' ? 'asc' : null
  return out
}

/**
 * Where the list stands: the cursor of the page shown (`?cursor=`, absent on the first page) and
 * the cursors of the pages passed before it (`?prev=`, repeated, oldest first; the first page's
 * is implied), so that a reload shows the same page and "Previous" still works.
 */
export interface Paging {
  cursor: string | null
  previous: string[]
}

export const PAGING_PARAMS = ['cursor', 'prev'] as const

export function pagingFromParams(params: URLSearchParams): Paging {
  const cursor = params.get('cursor') || null
  // Without a current cursor there is nothing before the first page.
  return { cursor, previous: cursor ? params.getAll('prev').filter(Boolean) : [] }
}

/** The page number (1-based) of `paging`. */
export function pageNumber(paging: Paging): number {
  return paging.cursor ? paging.previous.length + 2 : 1
}

/** The paging after "Next" (to the page starting at `next`). */
export function nextPaging(paging: Paging, next: string): Paging {
  return { cursor: next, previous: paging.cursor ? [...paging.previous, paging.cursor] : [] }
}

/** The paging after "Previous". */
export function previousPaging(paging: Paging): Paging {
  if (paging.previous.length === 0) return { cursor: null, previous: [] }
  return { cursor: paging.previous[paging.previous.length - 1], previous: paging.previous.slice(0, -1) }
}

/** Writes `paging` into a copy of `params` (the first page leaves both keys out). */
export function withPaging(params: URLSearchParams, paging: Paging): URLSearchParams {
  const next = new URLSearchParams(params)
  for (const key of PAGING_PARAMS) next.delete(key)
  if (paging.cursor) {
    for (const c of paging.previous) next.append('prev', c)
    next.set('cursor', paging.cursor)
  }
  return next
}

export function hasFilters(f: UserFilters): boolean {
  return Boolean(f.q.trim() || f.status || f.provider || f.from || f.to)
}

export { startOfDay }

/** The query the list endpoint takes for these filters (dates turned into instants). */
export function listQuery(filters: UserFilters, timeZone: string) {
  return {
    q: filters.q.trim() || undefined,
    status: filters.status ?? undefined,
    provider: filters.provider ?? undefined,
    created_from: filters.from ? startOfDay(filters.from, timeZone) : undefined,
    // The "to" day is inclusive: created before the next day starts.
    created_to: filters.to ? startOfDay(filters.to, timeZone, 1) : undefined,
    sort: filters.sort,
    order: filters.order,
  }
}

export const METADATA_MAX_BYTES = 16 * 1024

/** Parses the metadata editor's text: empty is `{}`; anything but a JSON object is refused. */
export function parseMetadata(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { value: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : 'syntax error'}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'Metadata must be a JSON object, like {"plan": "pro"}.' }
  }
  if (new TextEncoder().encode(JSON.stringify(parsed)).length > METADATA_MAX_BYTES) {
    return { error: 'Metadata must be at most 16 KiB.' }
  }
  return { value: parsed as Record<string, unknown> }
}

export function validateMetadata(text: string): string | null {
  const result = parseMetadata(text)
  return 'error' in result ? result.error : null
}

export function formatMetadata(metadata: unknown): string {
  if (!metadata || (typeof metadata === 'object' && Object.keys(metadata).length === 0)) return ''
  return JSON.stringify(metadata, null, 2)
}

/** How to name the user: their name, else their email, else "Guest 1a2b3c4d" (see lib/endUsers). */
export function displayName(user: Pick<User, 'id' | 'name' | 'given_name' | 'family_name' | 'email' | 'provider'>): string {
  return endUserLabel(user)
}

export { endUserAddress, endUserName, shortUserId }

export function formatCount(total: number, capped: boolean): string {
  const n = new Intl.NumberFormat().format(total)
  if (capped) return `${n}+ users`
  return total === 1 ? '1 user' : `${n} users`
}

export { formatDateTime } from '../../lib/datetime'

/**
 * How "Add user" gives the user a password: one set now, an invitation email (a link valid 7
 * days to choose their own; the server's `send_invitation`), or none for now.
 */
export type PasswordChoice = 'password' | 'invitation' | 'none'

/** The fields of "Add user" and of the user's page. */
export interface UserFormValues {
  email: string
  given_name: string
  family_name: string
  name: string
  password: string
  /** "Add user" only. */
  password_choice?: PasswordChoice
  email_verified: boolean
  blocked: boolean
  metadata: string
  [key: string]: unknown
}

/** Client-side checks (the server stays the authority and answers beside the same fields). */
export const userFormValidation = {
  email: validateEmail,
  password: (value: string, values: UserFormValues) => {
    // Only checked when it is going to be sent.
    if (values.password_choice && values.password_choice !== 'password') return null
    if (values.password_choice === 'password' && !value) return 'Enter a password, or choose another option above.'
    return value ? validatePassword(value) : null
  },
  metadata: validateMetadata,
}
