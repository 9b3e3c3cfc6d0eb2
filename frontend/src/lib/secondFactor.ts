import { ApiError } from './problem'

export type SecondFactorMethod = 'totp' | 'recovery_code'

/** The request body for a proof of the second factor: `{code}` or `{recovery_code}` (exactly one). */
export function secondFactorBody(method: SecondFactorMethod, value: string): { code: string } | { recovery_code: string } {
  return method === 'totp' ? { code: value.replace(/\s+/g, '') } : { recovery_code: value.trim() }
}

/** Client-side check before sending: six digits, or a non-empty recovery code. */
export function validateSecondFactor(method: SecondFactorMethod, value: string): string | null {
  if (method === 'totp') return /^\d{6}$/.test(value.replace(/\s+/g, '')) ? null : 'Enter the 6-digit code'
  return value.trim() ? null : 'Enter one of your recovery codes'
}

/** The instance refused the caller because it requires two-factor sign-in and they have none. */
export function isTwoFactorRequired(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && error.code === 'two_factor_required'
}
