#!/usr/bin/env node
// Fails when a file that `npm run gen:api` writes (src/api/schema.d.ts from ../openapi/console.json,
// src/api/public-schema.d.ts from ../openapi/public.json) is not what it would write now.
//
// Runs each command of the gen:api script from package.json itself (so the options can never
// differ), with its output redirected to a temporary file, and compares the two byte for byte.
//
// Usage: node scripts/check-api-types.mjs   (exit 1 when out of date)

import { execSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** @type {{ scripts: Record<string, string> }} */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const commands = (pkg.scripts['gen:api'] ?? '').split('&&').map((c) => c.trim())
const expected = ['src/api/schema.d.ts', 'src/api/public-schema.d.ts']
const outputs = commands.map((c) => / -o (\S+)$/.exec(c)?.[1])
if (expected.some((path) => !outputs.includes(path))) {
  console.error(`check:api: the gen:api script must write ${expected.join(' and ')} (it is: ${JSON.stringify(pkg.scripts['gen:api'])})`)
  process.exit(1)
}

/** Regenerates one file into a temporary directory; returns why the committed file is wrong, or null. */
function problem(/** @type {string} */ command, /** @type {string} */ committedPath) {
  const dir = mkdtempSync(join(tmpdir(), 'steward-api-types-'))
  try {
    const fresh = join(dir, basename(committedPath))
    const temporary = command.replace(` -o ${committedPath}`, ` -o ${JSON.stringify(fresh)}`)
    try {
      execSync(temporary, {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
      })
    } catch {
      return `check:api: could not regenerate the API types (${temporary})`
    }
    const want = readFileSync(fresh, 'utf8')
    if (!existsSync(join(root, committedPath))) return `${committedPath} is missing: run make openapi`
    const committed = readFileSync(join(root, committedPath), 'utf8')
    if (committed === want) return null
    const a = committed.split('\n')
    const b = want.split('\n')
    let line = 0
    while (line < a.length && line < b.length && a[line] === b[line]) line++
    const show = (/** @type {string | undefined} */ text) => (text === undefined ? '(end of file)' : text.trim())
    return [
      `${committedPath} is out of date: run make openapi`,
      `  first difference at line ${line + 1}:`,
      `    committed: ${show(a[line])}`,
      `    generated: ${show(b[line])}`,
    ].join('\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

let failed = false
for (const [i, command] of commands.entries()) {
  const path = /** @type {string} */ (outputs[i])
  const why = problem(command, path)
  if (why) {
    console.error(why)
    failed = true
  } else {
    console.log(`${path} matches the document it is generated from`)
  }
}
if (failed) process.exitCode = 1
