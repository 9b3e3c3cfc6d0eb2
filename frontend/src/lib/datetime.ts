const SHOWN: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
}

/**
 * A timestamp as the console shows it, everywhere the same: medium date, short time and the zone's
 * short name, in the instance's time zone (or, outside an instance, the browser's).
 */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  try {
    return new Intl.DateTimeFormat(undefined, { ...SHOWN, timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(undefined, SHOWN).format(d)
  }
}

/** Milliseconds `timeZone` is ahead of UTC at the instant `utcMs`. */
function zoneOffset(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'))
  return asUtc - Math.floor(utcMs / 1000) * 1000
}

/**
 * The instant a calendar day starts in `timeZone`, as RFC 3339 (UTC): `2026-11-28` in
 * Europe/Athens → `2026-11-27T22:00:00.000Z`. `plusDays` moves to a later day first.
 */
export function startOfDay(day: string, timeZone: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number)
  const guess = Date.UTC(y, m - 1, d + plusDays)
  try {
    const first = guess - zoneOffset(guess, timeZone)
    const second = guess - zoneOffset(first, timeZone)
    return new Date(second).toISOString()
  } catch {
    return new Date(guess).toISOString()
  }
}

/**
 * The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`: the inverse of `startOfDay`
 * for a day's first instant (`2026-11-27T22:00:00Z` in Europe/Athens → `2026-11-28`).
 */
export function dayIn(iso: string | number | Date, timeZone: string): string {
  const d = new Date(iso)
  const format = (zone?: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
  try {
    return format(timeZone)
  } catch {
    return format()
  }
}

/** The day after `day` (`YYYY-MM-DD`, calendar arithmetic only). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** "3 minutes ago", "in 2 days", "just now", or "Never". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'Never'
  const at = new Date(iso).getTime()
  if (Number.isNaN(at)) return iso
  const seconds = Math.round((at - now) / 1000)
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit)
  }
  return 'just now'
}
