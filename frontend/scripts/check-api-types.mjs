#!/usr/bin/env node
// Fails when src/api/schema.d.ts is not what `npm run gen:api` would write from ../openapi/openapi.json.
//
// Runs the gen:api script from package.json itself (so the options can never differ), with its
// output redirected to a temporary file, and compares the two byte for byte.
//
// Usage: node scripts/check-api-types.mjs   (exit 1 when out of date)

import { execSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const committedPath = 'src/api/schema.d.ts'
const OUT_OF_DATE = `${committedPath} is out of date: run make openapi`

/** @type {{ scripts: Record<string, string> }} */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const genApi = pkg.scripts['gen:api'] ?? ''
const output = ` -o ${committedPath}`
if (!genApi.includes(output)) {
  console.error(`check:api: the gen:api script must write with '${output.trim()}' (it is: ${JSON.stringify(genApi)})`)
  process.exit(1)
}

/** Regenerates the types into a temporary file; returns why the committed file is wrong, or null. */
function problem() {
  const dir = mkdtempSync(join(tmpdir(), 'steward-api-types-'))
  try {
    const fresh = join(dir, 'schema.d.ts')
    const command = genApi.replace(output, ` -o ${JSON.stringify(fresh)}`)
    try {
      execSync(command, {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
      })
    } catch {
      return `check:api: could not regenerate the API types (${command})`
    }
    const expected = readFileSync(fresh, 'utf8')
    if (!existsSync(join(root, committedPath))) return `${committedPath} is missing: run make openapi`
    const committed = readFileSync(join(root, committedPath), 'utf8')
    if (committed === expected) return null
    const a = committed.split('\n')
    const b = expected.split('\n')
    let line = 0
    while (line < a.length && line < b.length && a[line] === b[line]) line++
    const show = (/** @type {string | undefined} */ text) => (text === undefined ? '(end of file)' : text.trim())
    return [
      OUT_OF_DATE,
      `  first difference at line ${line + 1}:`,
      `    committed: ${show(a[line])}`,
      `    generated: ${show(b[line])}`,
    ].join('\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const why = problem()
if (why) {
  console.error(why)
  process.exitCode = 1
} else {
  console.log(`${committedPath} matches ../openapi/openapi.json`)
}
