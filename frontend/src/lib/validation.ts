/** Client-side checks mirroring the server's rules (the server stays the authority). */

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

export function validatePassword(value: string): string | null {
  if (value.length < PASSWORD_MIN) return `At least ${PASSWORD_MIN} characters`
  if (value.length > PASSWORD_MAX) return `At most ${PASSWORD_MAX} characters`
  return null
}

export function validateEmail(value: string): string | null {
  return /^[^\s@]+@[^\s@]+$/.test(value.trim()) ? null : 'Enter a valid email address'
}

export function validateRequired(label: string) {
  return (value: string): string | null => (value.trim() ? null : `${label} is required`)
}
