/** RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), as an authenticator app computes it. */
import { createHmac } from 'node:crypto'

const STEP_SECONDS = 30

function base32(secret: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c)
    if (v < 0) throw new Error(`Not base32: ${c}`)
    bits += v.toString(2).padStart(5, '0')
  }
  const bytes = []
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2))
  return Buffer.from(bytes)
}

/** RFC 4226 HOTP of `counter`. */
export function hotp(secret: string, counter: number): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac('sha1', base32(secret)).update(message).digest()
  const offset = mac[mac.length - 1] & 0x0f
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000
  return value.toString().padStart(6, '0')
}

export function currentStep(now = Date.now()): number {
  return Math.floor(now / 1000 / STEP_SECONDS)
}

/**
 * A code no earlier sign-in used: each code works once, so after `usedStep` this waits for the next
 * 30-second step (and, so the code does not expire in flight, for a step with 5 s or more left).
 */
export async function freshCode(secret: string, usedStep = -1): Promise<{ code: string; step: number }> {
  for (;;) {
    const now = Date.now()
    const step = currentStep(now)
    const left = STEP_SECONDS * 1000 - (now % (STEP_SECONDS * 1000))
    if (step > usedStep && left >= 5_000) return { code: hotp(secret, step), step }
    await new Promise((r) => setTimeout(r, Math.min(left + 50, 1_000)))
  }
}
