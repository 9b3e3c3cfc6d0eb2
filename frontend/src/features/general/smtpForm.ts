import type { UseFormReturnType } from '@mantine/form'
import type { SmtpInput, SmtpSecurity, SmtpSettings } from './model'

// A type alias (not an interface) so that it fits applyApiError's Record<string, unknown>.
export type SmtpFormValues = {
  enabled: boolean
  host: string
  port: number | string
  security: SmtpSecurity
  username: string
  /** A new password; empty keeps the stored one. */
  password: string
  remove_password: boolean
  from_address: string
  from_name: string
  reply_to: string
  /** Send the password even without encryption (security: none). */
  allow_insecure_auth: boolean
}

export type SmtpForm = UseFormReturnType<SmtpFormValues>

export function valuesOf(s: SmtpSettings): SmtpFormValues {
  return {
    enabled: s.enabled,
    host: s.host,
    port: s.port,
    security: s.security,
    username: s.username ?? '',
    password: '',
    remove_password: false,
    from_address: s.from_address,
    from_name: s.from_name ?? '',
    reply_to: s.reply_to ?? '',
    allow_insecure_auth: s.allow_insecure_auth,
  }
}

/**
 * The request body for the form's values: `password` omitted to keep the stored one, `null` to
 * remove it, a string to replace it; empty optional fields as `null`.
 */
export function toSmtpInput(v: SmtpFormValues): SmtpInput {
  const input: SmtpInput = {
    enabled: v.enabled,
    host: v.host.trim(),
    port: typeof v.port === 'number' ? v.port : Number(v.port || 0),
    security: v.security,
    username: v.username.trim() || null,
    from_address: v.from_address.trim(),
    from_name: v.from_name.trim() || null,
    reply_to: v.reply_to.trim() || null,
    allow_insecure_auth: v.allow_insecure_auth,
  }
  if (v.remove_password) input.password = null
  else if (v.password) input.password = v.password
  return input
}
