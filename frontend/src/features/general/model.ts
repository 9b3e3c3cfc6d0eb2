import type { Schemas } from '../../api/client'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type Logo = Schemas['LogoDto']
export type EmailTemplate = Schemas['EmailTemplateDto']
export type TemplateList = Schemas['EmailTemplateList']
export type TemplateKind = Schemas['TemplateKindDto']
export type TemplateVariable = Schemas['VariableDto']
export type EmailStyle = Schemas['EmailStyleDto']
export type Preview = Schemas['PreviewDto']
export type PreviewInput = Schemas['PreviewInput']
export type SmtpSettings = Schemas['SmtpSettingsDto']
export type SmtpInput = Schemas['SmtpInput']
export type SmtpSecurity = Schemas['SmtpSecurityDto']
export type SmtpTestReport = Schemas['SmtpTestReport']
export type SmtpTestStep = Schemas['SmtpTestStep']
export type IdentityProviderInput = Schemas['IdentityProviderInput']
export type IdentityProviderList = Schemas['IdentityProviderList']
export type { IdentityProvider, ProviderKind } from '../../lib/identityProviders'


/** The sub-tabs of the General area, as they appear in the URL (`/i/:slug/general/:tab`). */
export const GENERAL_TABS = ['identity', 'emails', 'smtp', 'providers'] as const
export type GeneralTab = (typeof GENERAL_TABS)[number]

export function isGeneralTab(value: string | undefined): value is GeneralTab {
  return (GENERAL_TABS as readonly string[]).includes(value ?? '')
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  editLogo: (role: Role) => role !== 'viewer',
  editTemplates: (role: Role) => role !== 'viewer',
  /** Save and test the SMTP settings (the test connects wherever it is told: admins only). */
  editSmtp: (role: Role) => role === 'owner' || role === 'admin',
  /** Configure, reset and add identity providers (their secrets and who may sign in: admins only). */
  editProviders: (role: Role) => role === 'owner' || role === 'admin',
}

// --- Logo -------------------------------------------------------------------------------------

export const LOGO_MAX_BYTES = 1024 * 1024
export const LOGO_RULES = 'PNG, at most 1 MB, 100×100 to 1200×1200 pixels, transparent background recommended'

/** "592 B", "14.2 KB", "1.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * The one rule worth checking before sending: a file over the limit would be uploaded only to be
 * refused. Everything else (type, dimensions, integrity) is the server's to judge and explain.
 */
export function precheckLogo(file: Pick<File, 'size'>): string | null {
  if (file.size > LOGO_MAX_BYTES) {
    return `The file is ${formatBytes(file.size)}; a logo may be at most 1 MB (1,048,576 bytes).`
  }
  if (file.size === 0) return 'The file is empty.'
  return null
}

// --- Email messages ---------------------------------------------------------------------------

export interface TemplateDraft {
  subject: string
  body: string
}

export function draftOf(template: EmailTemplate): TemplateDraft {
  return { subject: template.subject ?? '', body: template.body }
}

export function sameDraft(a: TemplateDraft, b: TemplateDraft): boolean {
  return a.subject === b.subject && a.body === b.body
}

/** The text to insert for a variable. */
export function placeholder(name: string): string {
  return `{{ ${name} }}`
}

/** The variable that holds the end user's metadata object (`{{ metadata.plan }}`). */
export const METADATA = 'metadata'

/** A metadata field written so that a user without it gets an empty text, not an error. */
export const METADATA_EXAMPLE = '{{ metadata.plan }}'

/**
 * The fields of the sample metadata as the API states it (`{"plan": "pro", ...}`), as pairs of
 * name and text; null when the sample is not a JSON object.
 */
export function sampleMetadata(sample: string): [string, string][] | null {
  try {
    const value: unknown = JSON.parse(sample)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
    const fields = Object.entries(value).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])
    return fields.length > 0 ? fields : null
  } catch {
    return null
  }
}

/** The names of an end user's metadata fields, for people: "plan, company". */
export function metadataFields(metadata: Record<string, unknown> | null | undefined): string[] {
  return metadata ? Object.keys(metadata) : []
}

/** Inserts `text` into `value` in place of the selection [start, end); returns the new value and caret. */
export function insertAt(value: string, text: string, start: number, end: number): { value: string; caret: number } {
  const from = Math.max(0, Math.min(start, value.length))
  const to = Math.max(from, Math.min(end, value.length))
  return { value: value.slice(0, from) + text + value.slice(to), caret: from + text.length }
}

/** A template error for people, with its line (the server's message usually states it already). */
export function describeFieldError(error: { message: string; line?: number | null }): string {
  if (error.line && !/\bline\s+\d+/i.test(error.message)) return `Line ${error.line}: ${error.message}`
  return error.message
}

// --- SMTP -------------------------------------------------------------------------------------

export const SECURITY_OPTIONS: { value: SmtpSecurity; label: string; description: string }[] = [
  { value: 'none', label: 'None', description: 'Plain SMTP, not encrypted (usually port 25)' },
  { value: 'starttls', label: 'STARTTLS', description: 'Upgrades the connection to TLS (usually port 587)' },
  { value: 'tls', label: 'TLS', description: 'Encrypted from the start, "SMTPS" (usually port 465)' },
]

export const DEFAULT_PORTS: Record<SmtpSecurity, number> = { none: 25, starttls: 587, tls: 465 }

/**
 * The port to use after choosing `security`: its usual port when the current one is still a usual
 * port (or empty), else the port the user typed.
 */
export function suggestPort(security: SmtpSecurity, current: number | string): number | string {
  const n = typeof current === 'number' ? current : Number(current)
  const isDefault = current === '' || Object.values(DEFAULT_PORTS).includes(n)
  return isDefault ? DEFAULT_PORTS[security] : current
}

export const STEP_LABELS: Record<SmtpTestStep['step'], string> = {
  connect: 'Connect',
  tls: 'Secure the connection (TLS)',
  auth: 'Authenticate',
  send: 'Send the test email',
}

export const OUTCOME_LABELS: Record<SmtpTestStep['outcome'], string> = { ok: 'OK', failed: 'Failed', skipped: 'Skipped' }

export { formatDateTime } from '../../lib/datetime'
