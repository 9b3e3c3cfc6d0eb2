import { defineConfig, devices } from '@playwright/test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * End-to-end tests against the real server: the already-built `steward` binary (the Makefile
 * builds it; this never runs cargo) serving the built SPA from `dist/`, on a fresh data dir.
 */
const here = dirname(fileURLToPath(import.meta.url))
const port = Number(process.env.E2E_PORT ?? 18080)
// E2E_BASE_URL points the tests at a server that is already running (no webServer).
const external = process.env.E2E_BASE_URL
const baseURL = external ?? `http://127.0.0.1:${port}`
// The server binary: E2E_STEWARD_BIN, else Cargo's target directory (CARGO_TARGET_DIR when set).
const binary = resolve(here, process.env.E2E_STEWARD_BIN ?? join(process.env.CARGO_TARGET_DIR ?? '../target', 'debug', 'steward'))

// Workers inherit the environment, so the temp dir is created once, by the main process.
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'steward-e2e-'))
  process.env.E2E_DATA_DIR_CREATED = '1'
}

export default defineConfig({
  testDir: './e2e',
  globalTeardown: './e2e/global-teardown.ts',
  outputDir: './test-results/artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } }],
  webServer: external
    ? undefined
    : {
    command: `"${binary}" serve`,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      STEWARD_BIND: `127.0.0.1:${port}`,
      STEWARD_DATA_DIR: process.env.E2E_DATA_DIR,
      STEWARD_CONSOLE_DIR: resolve(here, 'dist'),
      STEWARD_ARGON2_MEMORY_KIB: '1024',
      STEWARD_ARGON2_ITERATIONS: '1',
      STEWARD_LOG: process.env.STEWARD_LOG ?? 'warn',
      // Metered calls reach the dashboard and usage within half a second (default: a few seconds).
      STEWARD_USAGE_FLUSH_MS: '500',
    },
  },
})
