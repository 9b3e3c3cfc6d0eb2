// `npm run e2e` serves the built SPA: (re)build dist/ with Vite when it is missing or older than
// the sources. Never builds Rust: the steward binary must already exist.
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The newest modification time under `path`. @param {string} path @returns {number} */
function newest(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs)
}

const built = join(root, 'dist', 'index.html')
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'].map((p) => join(root, p))
const stale = !existsSync(built) || Math.max(...sources.filter(existsSync).map(newest)) > statSync(built).mtimeMs
if (stale) {
  console.log('dist/ is missing or stale: running vite build')
  execSync('npx vite build', { cwd: root, stdio: 'inherit' })
}

const binary = process.env.E2E_STEWARD_BIN ?? resolve(root, process.env.CARGO_TARGET_DIR ?? join('..', 'target'), 'debug', 'steward')
if (!process.env.E2E_BASE_URL && !existsSync(binary)) {
  console.error(`The steward binary is missing at ${binary}: build it first (cargo build -p steward).`)
  process.exit(1)
}
