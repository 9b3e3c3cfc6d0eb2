/** Links in emails shown in the console: they open in a new tab, never inside the console. */

const NEW_TAB_REL = ['noopener', 'noreferrer']

function withRel(current: string | null): string {
  const parts = (current ?? '').split(/\s+/).filter(Boolean)
  for (const rel of NEW_TAB_REL) if (!parts.includes(rel)) parts.push(rel)
  return parts.join(' ')
}

/**
 * An email's HTML made safe to show in a sandboxed frame whose links open new tabs: a
 * `<base target="_blank">` first in the head, every link targeting `_blank` with
 * `rel="noopener noreferrer"` (a link's own `target="_self"` would navigate the frame itself), no
 * referrer, and nothing that runs or navigates the frame (scripts, `<meta http-equiv="refresh">`).
 */
export function htmlWithNewTabLinks(html: string): string {
  // Parsing does not run scripts or load anything.
  const doc = new DOMParser().parseFromString(html, 'text/html')
  doc.querySelectorAll('script').forEach((el) => el.remove())
  doc.querySelectorAll('meta[http-equiv]').forEach((el) => {
    if (el.getAttribute('http-equiv')?.trim().toLowerCase() === 'refresh') el.remove()
  })
  // The first <base> with a target decides: the email's own lose theirs (their href stays).
  doc.querySelectorAll('base[target]').forEach((el) => el.removeAttribute('target'))
  // Any other target (an SVG link's, a form's) could name the frame itself too.
  doc.querySelectorAll('[target]:not(base)').forEach((el) => el.setAttribute('target', '_blank'))
  doc.querySelectorAll('a[href], area[href]').forEach((el) => {
    el.setAttribute('target', '_blank')
    el.setAttribute('rel', withRel(el.getAttribute('rel')))
  })
  const referrer = doc.createElement('meta')
  referrer.setAttribute('name', 'referrer')
  referrer.setAttribute('content', 'no-referrer')
  const base = doc.createElement('base')
  base.setAttribute('target', '_blank')
  doc.head.prepend(base, referrer)
  const doctype = doc.doctype ? new XMLSerializer().serializeToString(doc.doctype) : ''
  return doctype + doc.documentElement.outerHTML
}

/** A piece of plain text: text as is, or a URL to show as a link. */
export interface TextPart {
  text: string
  href?: string
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi
const TRAILING_PUNCTUATION = '.,;:!?'
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }

function count(s: string, c: string): number {
  return s.split(c).length - 1
}

/** Drops what ends a sentence rather than the URL: `(see https://x.test/a).` → `https://x.test/a`. */
function trimUrl(url: string): string {
  let end = url.length
  while (end > 0) {
    const last = url[end - 1]
    const kept = url.slice(0, end)
    if (TRAILING_PUNCTUATION.includes(last)) end--
    else if (last in CLOSERS && count(kept, CLOSERS[last]) < count(kept, last)) end--
    else break
  }
  return url.slice(0, end)
}

/** Splits plain text into text and http(s) URLs (a text email's links). */
export function linkifyText(text: string): TextPart[] {
  const parts: TextPart[] = []
  let at = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0])
    const start = match.index
    if (!url || url.endsWith('://')) continue
    if (start > at) parts.push({ text: text.slice(at, start) })
    parts.push({ text: url, href: url })
    at = start + url.length
  }
  if (at < text.length) parts.push({ text: text.slice(at) })
  return parts
}
