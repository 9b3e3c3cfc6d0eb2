/** Bulk actions on users: collecting the users a filter matches, and running an action in chunks. */
import { api, unwrap, type Schemas } from '../../api/client'
import { ApiError, errorMessage } from '../../lib/problem'
import { listQuery, type UserFilters } from './model'

export type BulkAction = Schemas['BulkAction']

/** How each action is named in the console: the button, the confirmation, the running modal. */
export const BULK_ACTIONS: Record<BulkAction, { label: string; title: string; verb: string; running: string; color: string; consequence: string }> = {
  block: {
    label: 'Block',
    title: 'Block users',
    verb: 'Block',
    running: 'Blocking',
    color: 'red',
    consequence: 'The public API refuses them, and their sessions and tokens stop working at once. Users already blocked are skipped.',
  },
  unblock: {
    label: 'Unblock',
    title: 'Unblock users',
    verb: 'Unblock',
    running: 'Unblocking',
    color: 'teal',
    consequence: 'They can sign in again. Users who are not blocked are skipped.',
  },
  send_verification: {
    label: 'Send verification email',
    title: 'Send verification emails',
    verb: 'Send a verification email to',
    running: 'Sending verification emails to',
    color: 'blue',
    consequence: 'Each unverified user gets an email with a link to confirm their address. Users already verified are skipped; blocked users are refused (unblock them first).',
  },
  send_invitation: {
    label: 'Send invitation',
    title: 'Send invitations',
    verb: 'Send an invitation to choose a password to',
    running: 'Sending invitations to',
    color: 'blue',
    consequence: 'Each user without a password (for example an imported one) gets an email with a link, valid 7 days, to choose one. Users who already have a password are skipped; blocked users are refused (unblock them first).',
  },
  delete: {
    label: 'Delete',
    title: 'Delete users',
    verb: 'Delete',
    running: 'Deleting',
    color: 'red',
    consequence: 'Their accounts, sessions and tokens are removed at once. This cannot be undone.',
  },
}

/** Ids per `POST /users/bulk` call (the server takes 1 to 100). */
export const BULK_CHUNK = 100
/** The most users "every user matching the filter" collects. */
export const MATCHING_CAP = 10_000
/** Page size while collecting the users a filter matches (the list's maximum). */
const COLLECT_PAGE = 100

/** A user an action is about: the id, and the email to name them in the report when known (guests have none). */
export interface Target {
  id: string
  email: string | null
}

export interface Collected {
  targets: Target[]
  /** More users match than `MATCHING_CAP`: only the first ones were collected. */
  capped: boolean
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw new DOMException('Stopped.', 'AbortError')
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

/**
 * Pages through `GET /users` with the list's filters and sort (100 a page, following
 * `next_cursor`) and collects the ids, up to `MATCHING_CAP`.
 */
export async function collectMatching(
  slug: string,
  filters: UserFilters,
  timeZone: string,
  options: { onProgress?: (collected: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<Collected> {
  const targets: Target[] = []
  // A user can move between pages while they are read (a sign-in, with the list by last sign-in): once each.
  const seen = new Set<string>()
  let cursor: string | undefined
  for (;;) {
    throwIfAborted(options.signal)
    const page = await unwrap(
      api.GET('/api/v1/instances/{instance}/users', {
        params: { path: { instance: slug }, query: { ...listQuery(filters, timeZone), limit: String(COLLECT_PAGE), cursor } },
        signal: options.signal,
      }),
    )
    for (const user of page.items) {
      if (seen.has(user.id)) continue
      if (targets.length >= MATCHING_CAP) return { targets, capped: true }
      seen.add(user.id)
      targets.push({ id: user.id, email: user.email ?? null })
    }
    options.onProgress?.(targets.length, Math.min(Math.max(page.total, targets.length), MATCHING_CAP))
    cursor = page.next_cursor ?? undefined
    if (!cursor || page.items.length === 0) return { targets, capped: false }
    if (targets.length >= MATCHING_CAP) return { targets, capped: true }
  }
}

export interface Failure {
  id: string
  email: string | null
  message: string
}

export interface BulkReport {
  action: BulkAction
  total: number
  done: number
  skipped: number
  failed: number
  failures: Failure[]
  /** Users not reached: the run was stopped (by the admin, or by an error that would repeat). */
  notRun: number
  /** Why the run stopped early, when an error stopped it. */
  stoppedBy: string | null
}

/** Whole-request errors that the next chunk would get too: the run stops instead of repeating them. */
function stopsTheRun(error: unknown): boolean {
  return !(error instanceof ApiError) || [401, 403, 404, 429].includes(error.status) || error.status >= 500
}

/**
 * Runs `action` on `targets` in calls of `BULK_CHUNK` ids, one after the other, reporting
 * progress (users handled so far, total) after each call. Each user's outcome comes from the
 * server (`done`, `skipped`: nothing to do, `failed`: with a message). A call refused as a whole
 * marks its users failed; when the next call would be refused too (no permission, limits, the
 * server down) the run stops and the rest are reported as not run. Aborting `signal` stops after
 * the call in flight.
 */
export async function runBulk(
  slug: string,
  action: BulkAction,
  targets: Target[],
  options: { onProgress?: (handled: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<BulkReport> {
  const emails = new Map(targets.map((t) => [t.id, t.email]))
  const report: BulkReport = { action, total: targets.length, done: 0, skipped: 0, failed: 0, failures: [], notRun: 0, stoppedBy: null }
  let handled = 0
  options.onProgress?.(0, targets.length)
  for (let start = 0; start < targets.length; start += BULK_CHUNK) {
    if (options.signal?.aborted) {
      report.notRun = targets.length - handled
      break
    }
    const ids = targets.slice(start, start + BULK_CHUNK).map((t) => t.id)
    try {
      const answer = await unwrap(api.POST('/api/v1/instances/{instance}/users/bulk', { params: { path: { instance: slug } }, body: { action, ids } }))
      for (const result of answer.results) {
        if (result.outcome === 'done') report.done++
        else if (result.outcome === 'skipped') report.skipped++
        else {
          report.failed++
          report.failures.push({ id: result.id, email: emails.get(result.id) ?? null, message: result.message || result.code || 'Failed.' })
        }
      }
    } catch (error) {
      // The server handles the users of a call one by one and answers 5xx when it fails midway:
      // the ones before may have been changed.
      const message =
        error instanceof ApiError && error.status >= 500
          ? `${errorMessage(error).replace(/\.?$/, '.')} Some users of this part may have been changed before the error.`
          : errorMessage(error)
      report.failed += ids.length
      for (const id of ids) report.failures.push({ id, email: emails.get(id) ?? null, message })
      if (stopsTheRun(error)) {
        handled += ids.length
        report.notRun = targets.length - handled
        report.stoppedBy = message
        options.onProgress?.(handled, targets.length)
        break
      }
    }
    handled += ids.length
    options.onProgress?.(handled, targets.length)
  }
  return report
}
