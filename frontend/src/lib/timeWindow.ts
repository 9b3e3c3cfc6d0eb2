/**
 * The time window of the activity and usage pages (dashboard, usage & billing): a frame (today,
 * this week, this month, this year, or custom days), in the instance's time zone, and the
 * granularity of its series. Mirrors the server's rules (`frame`, `from`, `to`, `granularity`
 * query parameters) so the console can offer only what the server will draw.
 */
import type { Schemas } from '../api/client'
import { dayIn, startOfDay } from './datetime'
import { ApiError } from './problem'

// Read through the reports that carry them, whatever the schema names of the enums are.
export type Frame = Schemas['AnalyticsSummary']['window']['frame']
export type Granularity = Schemas['AnalyticsSeries']['granularity']

export const FRAMES: { value: Frame; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: 'this_week', label: 'This week' },
  { value: 'this_month', label: 'This month' },
  { value: 'this_year', label: 'This year' },
  { value: 'custom', label: 'Custom' },
]

export const GRANULARITIES: { value: Granularity; label: string }[] = [
  { value: 'minute', label: 'Minute' },
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
]

/** The most points the server draws in one series; a finer granularity is refused (422 `too_many_points`). */
export const MAX_POINTS = 1500

export interface TimeWindow {
  frame: Frame
  /** Custom frame: the first and the last day (`YYYY-MM-DD` in the instance's time zone), both included. */
  from: string
  to: string
  /** The granularity chosen; null for the server's default for the window. */
  granularity: Granularity | null
}

export const DEFAULT_WINDOW: TimeWindow = { frame: 'today', from: '', to: '', granularity: null }

/** The query parameters of a window (summary, breakdown): days only for a custom frame. */
export interface WindowQuery {
  frame: Frame
  from?: string
  to?: string
}

/** The query parameters of a series: the window and, when one was chosen, the granularity. */
export interface SeriesQuery extends WindowQuery {
  granularity?: Granularity
}

export function windowQuery(w: TimeWindow): WindowQuery {
  return w.frame === 'custom' ? { frame: w.frame, from: w.from, to: w.to } : { frame: w.frame }
}

export function seriesQuery(w: TimeWindow): SeriesQuery {
  return w.granularity ? { ...windowQuery(w), granularity: w.granularity } : windowQuery(w)
}

export type WindowField = 'from' | 'to' | 'granularity'
export type WindowErrors = Partial<Record<WindowField, string>>

/** What is wrong with a custom window before asking the server (the server checks the same). */
export function windowErrors(w: TimeWindow): WindowErrors {
  if (w.frame !== 'custom') return {}
  const errors: WindowErrors = {}
  if (!w.from) errors.from = 'Choose the first day.'
  if (!w.to) errors.to = 'Choose the last day.'
  if (w.from && w.to && w.from > w.to) errors.to = 'The last day is before the first.'
  return errors
}

/** `YYYY-MM-DD` → [year, month (1-12), day]. */
function parts(day: string): [number, number, number] {
  const [y, m, d] = day.split('-').map(Number)
  return [y, m, d]
}

/** `day` moved by `days` (calendar arithmetic). */
function addDays(day: string, days: number): string {
  const [y, m, d] = parts(day)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** Whole days from `a` to `b`. */
function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = parts(a)
  const [by, bm, bd] = parts(b)
  return Math.round((Date.UTC(by, bm - 1, bd) - Date.UTC(ay, am - 1, ad)) / 86_400_000)
}

/** The Monday of the week `day` falls in (weeks start on Monday, as the server's). */
function mondayOf(day: string): string {
  const [y, m, d] = parts(day)
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7))
}

export interface WindowBounds {
  /** The first instant (ms) and the end (ms, exclusive). */
  start: number
  end: number
  /** The first and the last day, in the instance's time zone. */
  firstDay: string
  lastDay: string
}

/** The whole window (the full day, week, month or year, not only its past) in `timeZone`; null for an invalid custom window. */
export function windowBounds(w: TimeWindow, timeZone: string, now: number = Date.now()): WindowBounds | null {
  const today = dayIn(now, timeZone)
  const [y, m] = parts(today)
  let firstDay: string
  let lastDay: string
  switch (w.frame) {
    case 'today':
      firstDay = lastDay = today
      break
    case 'this_week':
      firstDay = mondayOf(today)
      lastDay = addDays(firstDay, 6)
      break
    case 'this_month':
      firstDay = `${today.slice(0, 7)}-01`
      lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
      break
    case 'this_year':
      firstDay = `${y}-01-01`
      lastDay = `${y}-12-31`
      break
    default:
      if (Object.keys(windowErrors(w)).length > 0) return null
      firstDay = w.from
      lastDay = w.to
  }
  return {
    start: Date.parse(startOfDay(firstDay, timeZone)),
    end: Date.parse(startOfDay(lastDay, timeZone, 1)),
    firstDay,
    lastDay,
  }
}

const UNIT_MS: Record<'minute' | 'hour' | 'day', number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }

/** How many points a series of `bounds` has at `granularity` (buckets start on local boundaries). */
export function pointCount(bounds: WindowBounds, granularity: Granularity): number {
  switch (granularity) {
    case 'week':
      return Math.floor(daysBetween(mondayOf(bounds.firstDay), bounds.lastDay) / 7) + 1
    case 'month': {
      const [fy, fm] = parts(bounds.firstDay)
      const [ly, lm] = parts(bounds.lastDay)
      return (ly - fy) * 12 + (lm - fm) + 1
    }
    default:
      return Math.ceil((bounds.end - bounds.start) / UNIT_MS[granularity])
  }
}

/** The server's granularity when none is chosen. */
export function defaultGranularity(w: TimeWindow, bounds: WindowBounds | null): Granularity {
  switch (w.frame) {
    case 'today':
      return 'hour'
    case 'this_week':
    case 'this_month':
      return 'day'
    case 'this_year':
      return 'month'
    default: {
      if (!bounds) return 'day'
      // By the window's length, as the server measures it (a day that gains an hour counts).
      const span = bounds.end - bounds.start
      return span <= 2 * UNIT_MS.day ? 'hour' : span <= 92 * UNIT_MS.day ? 'day' : 'month'
    }
  }
}

/** Whether `granularity` draws at most MAX_POINTS points over `bounds`. */
export function fits(bounds: WindowBounds | null, granularity: Granularity): boolean {
  return bounds === null || pointCount(bounds, granularity) <= MAX_POINTS
}

/**
 * The window after a change: a new frame goes back to its default granularity (and a custom frame
 * starts as the last 7 days); a granularity that no longer fits is dropped.
 */
export function changeWindow(current: TimeWindow, patch: Partial<TimeWindow>, timeZone: string, now: number = Date.now()): TimeWindow {
  let next: TimeWindow = { ...current, ...patch }
  if (patch.frame !== undefined && patch.frame !== current.frame) {
    next = { ...next, granularity: patch.granularity ?? null }
    if (next.frame === 'custom' && (!next.from || !next.to)) {
      const today = dayIn(now, timeZone)
      next = { ...next, from: next.from || addDays(today, -6), to: next.to || today }
    }
  }
  if (next.granularity && !fits(windowBounds(next, timeZone, now), next.granularity)) next = { ...next, granularity: null }
  return next
}

const WINDOW_FIELDS: WindowField[] = ['from', 'to', 'granularity']

/** The server's refusals of the window (422 field errors on `from`, `to`, `granularity`) from the errors of the page's queries. */
export function windowFieldErrors(...errors: unknown[]): WindowErrors {
  const found: WindowErrors = {}
  for (const error of errors) {
    if (!(error instanceof ApiError) || error.status !== 422) continue
    for (const fe of error.fieldErrors) {
      const field = WINDOW_FIELDS.find((f) => f === fe.field)
      if (field && !found[field]) found[field] = fe.message
    }
  }
  return found
}
