import type { Schemas } from '../../api/client'
import type { Role } from '../../lib/instanceRef'
import { ApiError, type FieldError } from '../../lib/problem'

export type { InstanceRef, Role } from '../../lib/instanceRef'

export type ConfigOverview = Schemas['ConfigOverview']
export type ConfigEntry = Schemas['ConfigEntry']
export type ConfigCategory = Schemas['ConfigCategory']
export type ConfigValueType = Schemas['ConfigValueType']
export type ConfigHistory = Schemas['ConfigHistory']
export type ConfigVersion = Schemas['ConfigVersionDto']
export type ConfigAction = Schemas['ConfigAction']
export type ConfigEntryState = Schemas['ConfigEntryState']
export type ConfigChangeSet = Schemas['ConfigChangeSet']
export type ConfigChange = Schemas['ConfigChangeDto']
export type ConfigDocument = Schemas['ConfigDocument']
export type ConfigDefinitionInput = Schemas['ConfigDefinitionInput']
export type ConfigBackup = Schemas['BackupDto']

/** Only admins and owners change the configuration (the server answers others 403); every member reads it. */
export function mayWriteConfig(role: Role): boolean {
  return role === 'owner' || role === 'admin'
}

/** The categories in the order the page lists them, with their titles. */
export const CATEGORIES: { value: ConfigCategory; title: string }[] = [
  { value: 'passwords', title: 'Passwords' },
  { value: 'tokens', title: 'Tokens' },
  { value: 'sign_in', title: 'Sign-in' },
  { value: 'registration', title: 'Registration' },
  { value: 'guests', title: 'Guests' },
  { value: 'public_api', title: 'Public API' },
  { value: 'custom', title: 'Custom' },
]

export const TYPE_LABELS: Record<ConfigValueType, string> = {
  integer: 'Integer',
  number: 'Number',
  boolean: 'Boolean',
  string: 'String',
  object: 'Object',
  array: 'Array',
  any: 'Any JSON',
}

export const ACTION_LABELS: Record<ConfigAction, string> = {
  set: 'Set',
  reset: 'Reset',
  define: 'Defined',
  redefine: 'Redefined',
  undefine: 'Deleted',
  restore: 'Restored',
  import: 'Imported',
}

export const ACTION_COLORS: Record<ConfigAction, string> = {
  set: 'blue',
  reset: 'gray',
  define: 'teal',
  redefine: 'cyan',
  undefine: 'red',
  restore: 'violet',
  import: 'orange',
}

/** Entries of each category, in the server's order, skipping empty categories. */
export function groupByCategory(items: ConfigEntry[]): { category: ConfigCategory; title: string; items: ConfigEntry[] }[] {
  return CATEGORIES.map(({ value, title }) => ({ category: value, title, items: items.filter((e) => e.category === value) })).filter(
    (g) => g.items.length > 0,
  )
}

/** "Integer · characters", "Boolean", "Object". */
export function typeLine(entry: Pick<ConfigEntry, 'type' | 'unit'>): string {
  return entry.unit ? `${TYPE_LABELS[entry.type]} · ${entry.unit}` : TYPE_LABELS[entry.type]
}

/** A value on one line: `12`, `true`, `"eu"`, `{"a":1}` (shortened past `max` characters). */
export function compactJson(value: unknown, max = 80): string {
  const text = value === undefined ? '' : JSON.stringify(value)
  if (text === undefined) return ''
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** A value as the JSON editor shows it. */
export function prettyJson(value: unknown): string {
  return value === undefined ? '' : (JSON.stringify(value, null, 2) ?? '')
}

/** The numeric bounds a (built-in) schema sets: `{"type":"integer","minimum":8,"maximum":128}` → 8, 128. */
export function schemaBounds(schema: unknown): { min?: number; max?: number } {
  if (typeof schema !== 'object' || schema === null) return {}
  const s = schema as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  return { min: num(s.minimum), max: num(s.maximum) }
}

/** "8 to 128 characters", "at least 0", or null without bounds. */
export function boundsLine(entry: Pick<ConfigEntry, 'schema' | 'unit'>): string | null {
  const { min, max } = schemaBounds(entry.schema)
  const unit = entry.unit ? ` ${entry.unit}` : ''
  const n = (v: number) => v.toLocaleString()
  if (min !== undefined && max !== undefined) return `${n(min)} to ${n(max)}${unit}`
  if (min !== undefined) return `At least ${n(min)}${unit}`
  if (max !== undefined) return `At most ${n(max)}${unit}`
  return null
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string }

/** The text of a JSON editor as a value, or why it is not JSON. */
export function parseJson(text: string): ParsedJson {
  if (text.trim() === '') return { ok: false, message: 'Enter a JSON value.' }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/**
 * The server's field errors under `prefix` (`value` → `value`, `value/min`, `value/tiers/0`):
 * each with the JSON pointer inside the value (empty for the value itself).
 */
export function errorsUnder(errors: FieldError[], prefix: string): (FieldError & { pointer: string })[] {
  return errors.flatMap((e) => {
    if (e.field === prefix) return [{ ...e, pointer: '' }]
    if (e.field.startsWith(`${prefix}/`)) return [{ ...e, pointer: e.field.slice(prefix.length) }]
    return []
  })
}

/** The field errors of an API error (none for other errors). */
export function fieldErrorsOf(error: unknown): FieldError[] {
  return error instanceof ApiError ? error.fieldErrors : []
}

/** `412 stale_version`: someone changed it since it was read. */
export function isStale(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 412 || error.code === 'stale_version')
}

/** An import's or a restore's change, as people read it. */
export type ChangeKind = 'added' | 'changed' | 'removed'

export function changeKind(change: Pick<ConfigChange, 'before' | 'after'>): ChangeKind {
  if (!change.before) return 'added'
  if (!change.after) return 'removed'
  return 'changed'
}

export const CHANGE_COLORS: Record<ChangeKind, string> = { added: 'teal', changed: 'blue', removed: 'red' }

/** One line of a before/after comparison: what part of the entry, and its two sides (undefined: absent). */
export interface StateRow {
  label: string
  before: unknown
  after: unknown
  changed: boolean
}

function definitionPart(state: ConfigEntryState | null | undefined, part: 'description' | 'schema' | 'default' | 'public'): unknown {
  const d = state?.definition
  return d ? d[part] : undefined
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The parts of an entry's state two versions hold: the value set (absent: the default is in
 * force) and, for a custom entry, its definition's parts. Parts absent on both sides are left out.
 */
export function stateRows(before: ConfigEntryState | null | undefined, after: ConfigEntryState | null | undefined): StateRow[] {
  const rows: StateRow[] = [
    { label: 'Value', before: before?.value ?? undefined, after: after?.value ?? undefined, changed: false },
  ]
  if (before?.definition || after?.definition) {
    for (const [label, part] of [
      ['Description', 'description'],
      ['Schema', 'schema'],
      ['Default', 'default'],
      ['Public', 'public'],
    ] as const) {
      rows.push({ label, before: definitionPart(before, part), after: definitionPart(after, part), changed: false })
    }
  }
  return rows.map((r) => ({ ...r, changed: !same(r.before, r.after) }))
}

/** How many changes a list holds, in words: "1 change", "3 changes". */
export function changesCount(n: number): string {
  return n === 1 ? '1 change' : `${n.toLocaleString()} changes`
}

/** The largest configuration document an import takes (the server's limit). */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** The file name of an export: `<slug>-configuration.json`. */
export function exportFileName(slug: string): string {
  return `${slug}-configuration.json`
}

/** The file name of a backup's download: `<slug>-backup-<name>.json`, the name made safe for file systems. */
export function backupFileName(slug: string, backup: Pick<ConfigBackup, 'name' | 'revision'>): string {
  const safe = backup.name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return `${slug}-backup-${safe || `r${backup.revision}`}.json`
}

/** `If-Match` values: an entry's version, the configuration's revision. */
export const entryTag = (version: number) => `"v${version}"`
export const revisionTag = (revision: number) => `"r${revision}"`
