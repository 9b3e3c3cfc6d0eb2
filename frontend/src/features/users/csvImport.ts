/** Reading the start of a CSV file for the import's preview and header check (the server stays the judge). */

/** The largest file the import takes (the server's limit). */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024
export const IMPORT_MAX_ROWS = 50_000
/** Columns an import reads. */
export const IMPORTABLE = ['email', 'given_name', 'family_name', 'name', 'email_verified', 'blocked', 'metadata'] as const
/** Columns of an export that an import ignores (so an export can be imported as it is). */
export const IGNORED = ['id', 'provider', 'created_at', 'last_login_at'] as const
/** Data rows the preview shows. */
export const PREVIEW_ROWS = 5
/** Bytes read for the preview. */
const PREVIEW_BYTES = 64 * 1024

/**
 * Parses CSV (RFC 4180: commas, double quotes with `""` inside, CRLF or LF) into records, up to
 * `max` of them; blank lines are skipped, as the server does. `ended` is false when it stopped
 * before the end of `text`.
 */
export function parseCsv(text: string, max = Infinity): { records: string[][]; ended: boolean } {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  const endRecord = () => {
    record.push(field)
    field = ''
    if (!(record.length === 1 && record[0] === '')) records.push(record)
    record = []
  }
  while (i < text.length) {
    if (records.length >= max) return { records, ended: false }
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i += 2
          continue
        }
        quoted = false
      } else field += c
      i++
      continue
    }
    if (c === '"') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      endRecord()
      if (c === '\r' && text[i + 1] === '\n') i++
    } else field += c
    i++
  }
  if (field !== '' || record.length > 0) endRecord()
  return { records, ended: true }
}

export type ColumnKind = 'imported' | 'ignored' | 'unknown'

export interface HeaderCheck {
  columns: { name: string; kind: ColumnKind }[]
  /** Why the server would refuse the file as a whole, in its words; null when the header is fine. */
  problem: string | null
}

/** The header row checked by the server's rules: `email` is required, unknown columns are refused. */
export function checkHeader(header: string[]): HeaderCheck {
  const known = IMPORTABLE.join(', ')
  const columns = header.map((raw) => {
    const name = raw.trim().toLowerCase()
    const kind: ColumnKind = (IMPORTABLE as readonly string[]).includes(name) ? 'imported' : (IGNORED as readonly string[]).includes(name) ? 'ignored' : 'unknown'
    return { name, kind }
  })
  let problem: string | null = null
  if (!columns.some((c) => c.name === 'email')) problem = `The first row must name the columns and include email; known columns: ${known}.`
  else {
    const unknown = columns.find((c) => c.kind === 'unknown')
    if (unknown) problem = `Unknown column "${unknown.name}"; known columns: ${known}.`
  }
  return { columns, problem }
}

export interface CsvPreview {
  header: HeaderCheck
  /** The raw header cells, as in the file. */
  headerCells: string[]
  rows: string[][]
  /** More data rows follow those shown. */
  more: boolean
}

async function readBytes(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === 'function') return blob.arrayBuffer()
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as ArrayBuffer)
    reader.onerror = () => reject(reader.error)
    reader.readAsArrayBuffer(blob)
  })
}

/** Reads the first rows of `file`; throws an Error with a sentence for the user when it is not UTF-8 text. */
export async function previewCsv(file: Blob): Promise<CsvPreview> {
  const truncated = file.size > PREVIEW_BYTES
  const bytes = await readBytes(file.slice(0, PREVIEW_BYTES))
  let text: string
  try {
    // `stream` tolerates a character cut at the end of the slice.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated })
  } catch {
    throw new Error('The file is not UTF-8 text. Save it as "CSV UTF-8" and choose it again.')
  }
  text = text.replace(/^\uFEFF/, '')
  const parsed = parseCsv(text, PREVIEW_ROWS + 2)
  let records = parsed.records
  // The slice may end inside a record: drop the last one read then.
  if (truncated && parsed.ended && records.length > 1) records = records.slice(0, -1)
  const [headerCells = [], ...data] = records
  return {
    header: checkHeader(headerCells),
    headerCells,
    rows: data.slice(0, PREVIEW_ROWS),
    more: data.length > PREVIEW_ROWS || truncated || !parsed.ended,
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** A CSV cell, quoted when needed. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** The rejected rows of a report as CSV (line, email, field, code, message), one line per problem. */
export function rejectedCsv(rows: { line: number; email: string; errors: { field: string; code: string; message: string }[] }[]): string {
  const lines = [['line', 'email', 'field', 'code', 'message']]
  for (const row of rows) for (const e of row.errors) lines.push([String(row.line), row.email, e.field, e.code, e.message])
  return lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
