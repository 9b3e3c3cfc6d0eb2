import type { ComboboxItem, ComboboxParsedItem, OptionsFilter } from '@mantine/core'

/**
 * Zones that some engines still list by a former IANA name (V8 lists Asia/Calcutta, not
 * Asia/Kolkata): shown and saved by their current name (the server knows both), found by both.
 */
const RENAMED: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
}

/** The former names of renamed zones, by current name. */
const FORMER = Object.fromEntries(Object.entries(RENAMED).map(([former, current]) => [current, former]))

/** IANA time zones known to this browser, by their current names (plus UTC, which some engines leave out), sorted. */
export function timeZones(): string[] {
  let listed: string[] = []
  try {
    listed = Intl.supportedValuesOf('timeZone')
  } catch {
    listed = []
  }
  const zones = new Set(listed.map((zone) => RENAMED[zone] ?? zone))
  zones.delete('UTC')
  return ['UTC', ...[...zones].toSorted()]
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/**
 * How far `timeZone` is from UTC at `at` (daylight saving time included), as `+02:00`; null
 * when this browser does not know the zone.
 */
export function utcOffset(timeZone: string, at: Date = new Date()): string | null {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value
    if (!name) return null
    if (name === 'GMT' || name === 'UTC') return '+00:00'
    const m = /^(?:GMT|UTC)([+-−])(\d{1,2})(?::?(\d{2}))?$/.exec(name)
    if (!m) return null
    const sign = m[1] === '+' ? '+' : '-'
    return `${sign}${m[2].padStart(2, '0')}:${m[3] ?? '00'}`
  } catch {
    return null
  }
}

/** "Europe/Athens (UTC+02:00)": the zone with its offset now. */
export function timeZoneLabel(timeZone: string, at: Date = new Date()): string {
  const offset = utcOffset(timeZone, at)
  return offset ? `${timeZone} (UTC${offset})` : timeZone
}

/** The options of a time zone picker: every zone with its offset now. */
export function timeZoneOptions(zones: string[], at: Date = new Date()): ComboboxItem[] {
  return zones.map((zone) => ({ value: zone, label: timeZoneLabel(zone, at) }))
}

/** A typed offset ("+2", "UTC+02", "gmt-5:30", "−03:00"): its sign, hours and (when given) minutes. */
function typedOffset(query: string): { sign: '+' | '-'; hours: number; minutes: number | null } | null {
  const m = /^(?:utc|gmt)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(query.trim())
  if (!m) return null
  return { sign: m[1] === '+' ? '+' : '-', hours: Number(m[2]), minutes: m[3] === undefined ? null : Number(m[3]) }
}

/** The offset in a label made by `timeZoneLabel`. */
function labelOffset(label: string): { sign: '+' | '-'; hours: number; minutes: number } | null {
  const m = /\(UTC([+-])(\d{2}):(\d{2})\)$/.exec(label)
  return m ? { sign: m[1] as '+' | '-', hours: Number(m[2]), minutes: Number(m[3]) } : null
}

/**
 * Whether a time zone option matches what was typed: every word of it in the zone's name
 * ("new york", "athens", "europe/ath"), or its offset ("+2", "UTC+02:00", "-5:30"; "+00" and
 * "-00" both mean UTC).
 */
export function matchesTimeZone(option: ComboboxItem, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (!q) return true
  const offset = typedOffset(q)
  if (offset) {
    const own = labelOffset(option.label)
    if (!own) return false
    const zero = offset.hours === 0 && (offset.minutes ?? 0) === 0
    return (
      (own.sign === offset.sign || zero) &&
      own.hours === offset.hours &&
      (offset.minutes === null ? true : own.minutes === offset.minutes)
    )
  }
  const former = FORMER[option.value]
  const text = `${option.label} ${former ?? ''}`.toLowerCase().replace(/_/g, ' ')
  return q
    .replace(/_/g, ' ')
    .split(/\s+/)
    .every((word) => text.includes(word))
}

/** Mantine's `filter` for time zone options (see `matchesTimeZone`), up to `limit` of them. */
export const filterTimeZones: OptionsFilter = ({ options, search, limit }) => {
  const found: ComboboxParsedItem[] = []
  for (const option of options) {
    if (found.length >= limit) break
    if ('group' in option) continue
    if (matchesTimeZone(option, search)) found.push(option)
  }
  return found
}
