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
