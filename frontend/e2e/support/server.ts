/**
 * A steward process of a spec's own (the same binary the shared web server runs), for specs that
 * need a different configuration, e.g. a platform SMTP server. A fresh data directory and port;
 * stopped and removed by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The server binary, found as playwright.config.ts finds it. */
export function stewardBinary(): string {
  return resolve(root, process.env.E2E_STEWARD_BIN ?? join(process.env.CARGO_TARGET_DIR ?? '../target', 'debug', 'steward'))
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

export interface RunningServer {
  baseURL: string
  /** What the process printed (for the failure message). */
  output: () => string
  stop: () => Promise<void>
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const binary = stewardBinary()
  if (!existsSync(binary)) throw new Error(`The steward binary is missing at ${binary}: build it first (cargo build -p steward).`)
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-own-'))
  const baseURL = `http://127.0.0.1:${port}`
  let output = ''
  const child: ChildProcess = spawn(binary, ['serve'], {
    env: {
      ...process.env,
      STEWARD_BIND: `127.0.0.1:${port}`,
      STEWARD_DATA_DIR: dataDir,
      STEWARD_CONSOLE_DIR: resolve(root, 'dist'),
      STEWARD_ARGON2_MEMORY_KIB: '1024',
      STEWARD_ARGON2_ITERATIONS: '1',
      STEWARD_LOG: process.env.STEWARD_LOG ?? 'warn',
      // Metered calls reach the dashboard and usage within half a second (default: a few seconds).
      STEWARD_USAGE_FLUSH_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => (output += d.toString()))
  child.stderr?.on('data', (d) => (output += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(forced)
    }
    rmSync(dataDir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    try {
      if ((await fetch(`${baseURL}/readyz`)).ok) return { baseURL, output: () => output, stop }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  await stop()
  throw new Error(`steward did not become ready on ${baseURL}:\n${output}`)
}
