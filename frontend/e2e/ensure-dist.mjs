// `npm run e2e` serves the built SPA: build it first when dist/ is missing (never builds Rust).
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'dist', 'index.html'))) {
  console.log('dist/ is missing: running vite build')
  execSync('npx vite build', { cwd: root, stdio: 'inherit' })
}
const binary = process.env.STEWARD_BIN ?? join(root, '..', 'target', 'debug', 'steward')
if (!existsSync(binary)) {
  console.error(`The steward binary is missing at ${binary}: build it first (make build / cargo build).`)
  process.exit(1)
}
