import { rmSync } from 'node:fs'

/** Removes the temporary data directory made for this run (unless it was given from outside). */
export default function globalTeardown(): void {
  const dir = process.env.E2E_DATA_DIR
  if (dir && process.env.E2E_DATA_DIR_CREATED === '1' && !process.env.E2E_KEEP_DATA) {
    rmSync(dir, { recursive: true, force: true })
  }
}
