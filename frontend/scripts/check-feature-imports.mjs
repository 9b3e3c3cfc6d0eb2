#!/usr/bin/env node
// Features do not import each other (see README.md, "Layout").
//
// A file under src/features/<area>/ may import its own area, src/components, src/lib, src/api and
// src/test, and packages; nothing else inside src/ (another feature, src/app, src/main.tsx) and
// nothing outside src/. Relative specifiers are resolved against the importing file; aliased ones
// ('@/…', '~/…', '#/…', 'src/…', '@src/…', '/src/…', 'features/…') are read as paths under src/.
//
// oxlint's no-restricted-imports matches the text of a specifier, not the file it resolves to, so
// the same rule there would need one hand-kept pattern list per area that is only right for files
// at one depth; this script resolves every specifier instead. No dependencies: it skips comments,
// strings and template literals with a small scanner and reads import declarations, `export … from`,
// `import()`, `require()` and vi.mock()-style calls.
//
// Usage: node scripts/check-feature-imports.mjs [frontend root]   (exit 1 on any violation)

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** What a feature may use besides its own area (folders directly under src/). */
export const SHARED = ['components', 'lib', 'api', 'test']

const SOURCE = /\.(?:[cm]?[jt]sx?)$/
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else',
  'yield', 'await',
])

/**
 * Blanks comments, template-literal text and regular-expression literals (newlines kept, so
 * offsets and lines stay), and the insides of string literals; returns that text and each string
 * literal's value by the offset of its opening quote.
 * @param {string} source
 * @returns {{ code: string, strings: Map<number, string> }}
 */
export function scan(source) {
  const out = source.split('')
  /** @type {Map<number, string>} */
  const strings = new Map()
  const n = source.length
  /** Brace depth at each open `${` of the templates we are inside. */
  /** @type {number[]} */
  const templates = []
  let depth = 0
  // What came last: '' (start), 'value' (identifier, number, string, `)`, `]`, `}`), a keyword that
  // an expression may follow (`return`…) or a punctuator. A `/` after a value is a division.
  let last = ''
  const blank = (/** @type {number} */ from, /** @type {number} */ to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' '
  }
  /** Blanks template text from `i` (just after '`' or '}'); returns where the code resumes. */
  const template = (/** @type {number} */ i) => {
    let j = i
    while (j < n) {
      if (source[j] === '\\') j += 2
      else if (source[j] === '`') {
        blank(i, j)
        return j + 1
      } else if (source[j] === '$' && source[j + 1] === '{') {
        blank(i, j)
        templates.push(depth)
        depth++
        return j + 2
      } else j++
    }
    blank(i, n)
    return n
  }
  let i = 0
  while (i < n) {
    const c = source[i]
    const next = source[i + 1]
    if (c === '/' && next === '/') {
      let j = i
      while (j < n && source[j] !== '\n') j++
      blank(i, j)
      i = j
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const j = end === -1 ? n : end + 2
      blank(i, j)
      i = j
    } else if (c === "'" || c === '"') {
      // A string ends at its quote or, unterminated (JSX text such as "don't"), at the line's end.
      let j = i + 1
      let value = ''
      while (j < n && source[j] !== c && source[j] !== '\n') {
        if (source[j] === '\\' && j + 1 < n) {
          value += source[j + 1]
          j += 2
        } else value += source[j++]
      }
      strings.set(i, value)
      blank(i + 1, j)
      i = j < n && source[j] === c ? j + 1 : j
      last = 'value'
    } else if (c === '`') {
      i = template(i + 1)
      last = 'value'
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === depth - 1) {
      templates.pop()
      depth--
      i = template(i + 1)
      last = 'value'
    } else if (c === '/' && last !== 'value' && last !== '<') {
      // A regular expression literal (a division follows a value, a JSX closing tag '<'); one line at most.
      let j = i + 1
      let inClass = false
      while (j < n && source[j] !== '\n') {
        if (source[j] === '\\') j++
        else if (source[j] === '[') inClass = true
        else if (source[j] === ']') inClass = false
        else if (source[j] === '/' && !inClass) break
        j++
      }
      blank(i + 1, Math.min(j, n))
      i = j + 1
      last = 'value'
    } else if (/[\p{ID_Start}$_\d]/u.test(c)) {
      let j = i + 1
      while (j < n && /[\p{ID_Continue}$\u200c\u200d]/u.test(source[j])) j++
      const word = source.slice(i, j)
      last = KEYWORDS_BEFORE_EXPRESSION.has(word) ? word : 'value'
      i = j
    } else {
      if (c === '{') depth++
      else if (c === '}') depth--
      if (!/\s/.test(c)) last = c === ')' || c === ']' || c === '}' ? 'value' : c
      i++
    }
  }
  return { code: out.join(''), strings }
}

// Each pattern ends at the opening quote of the module specifier.
const IMPORT_PATTERNS = [
  /(?<![\w$.])from\s*(?=['"])/g, // import … from '…', export … from '…'
  /(?<![\w$.])import\s*(?=['"])/g, // import '…'
  /(?<![\w$.])import\s*\(\s*(?=['"])/g, // import('…'), typeof import('…')
  /(?<![\w$.])require\s*\(\s*(?=['"])/g, // require('…'), import x = require('…')
  /(?<![\w$.])vi\s*\.\s*(?:mock|doMock|unmock|doUnmock|importActual|importMock)\s*\(\s*(?=['"])/g,
]

/**
 * The module specifiers a source file names, with their 1-based line and column.
 * @param {string} source
 * @returns {{ specifier: string, line: number, column: number }[]}
 */
export function findImports(source) {
  const { code, strings } = scan(source)
  /** @type {Map<number, string>} */
  const found = new Map()
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const quote = (match.index ?? 0) + match[0].length
      const specifier = strings.get(quote)
      if (specifier !== undefined) found.set(quote, specifier)
    }
  }
  return [...found]
    .toSorted(([a], [b]) => a - b)
    .map(([offset, specifier]) => {
      const before = source.slice(0, offset)
      const line = before.split('\n').length
      return { specifier, line, column: offset - before.lastIndexOf('\n') }
    })
}

/**
 * Where a specifier points inside src/, as a POSIX path relative to src/ ('../x' when outside);
 * null for a package.
 * @param {string} specifier
 * @param {string} fromDir the importing file's folder, relative to src/ (POSIX)
 * @returns {string | null}
 */
export function targetInSrc(specifier, fromDir) {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    return posix.normalize(posix.join(fromDir, specifier))
  }
  const aliased = specifier.match(/^(?:[@~#]\/|@?src\/|\/src\/)(.*)$/)
  if (aliased) return posix.normalize(aliased[1].replace(/^src\//, ''))
  if (/^features(?:\/|$)/.test(specifier)) return posix.normalize(specifier)
  return null
}

/**
 * Why a feature's import is not allowed, or null when it is.
 * @param {string} area the importing file's area
 * @param {string} target see targetInSrc
 * @returns {string | null}
 */
export function violation(area, target) {
  const [top, second] = target.split('/')
  if (top === '..') return 'it reaches outside src/'
  if (top === '.') return 'it imports src/ itself'
  if (top === 'features') {
    if (second === area) return null
    if (!second || second === '.') return 'it imports src/features itself, not an area'
    return `it imports another feature (src/features/${second})`
  }
  if (SHARED.includes(top)) return null
  return `src/${top} is not a shared folder`
}

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return walk(path)
    return entry.isFile() && SOURCE.test(entry.name) ? [path] : []
  })
}

/**
 * Every disallowed import in `root`/src/features/<area>/**.
 * @param {string} root the frontend folder
 */
export function check(root) {
  const src = join(root, 'src')
  const problems = []
  let files = 0
  let imports = 0
  for (const file of walk(join(src, 'features'))) {
    const inSrc = relative(src, file).split(sep).join('/')
    const area = inSrc.split('/')[1]
    if (inSrc.split('/').length < 3) continue // a file directly in src/features belongs to no area
    files++
    for (const { specifier, line, column } of findImports(readFileSync(file, 'utf8'))) {
      imports++
      const target = targetInSrc(specifier, posix.dirname(inSrc))
      const why = target === null ? null : violation(area, target)
      if (why) problems.push({ file: relative(root, file).split(sep).join('/'), line, column, specifier, why })
    }
  }
  return { problems, files, imports }
}

function main() {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
  const { problems, files, imports } = check(root)
  if (problems.length === 0) {
    console.log(`feature imports: OK (${imports} imports in ${files} files under src/features)`)
    return
  }
  for (const p of problems) {
    console.error(`${p.file}:${p.line}:${p.column}: import '${p.specifier}' is not allowed: ${p.why}`)
  }
  console.error(
    `\n${problems.length} disallowed import${problems.length === 1 ? '' : 's'} in src/features. A feature may import ` +
      `its own area, src/components, src/lib, src/api and src/test; move a piece several features need to ` +
      `src/components or src/lib, and let src/app compose the features.`,
  )
  process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
