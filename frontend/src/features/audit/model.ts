import type { Schemas } from '../../api/client'
import { startOfDay } from '../../lib/datetime'
import type { Role } from '../../lib/instanceRef'

export type AuditEntry = Schemas['AuditEntryDto']
export type AuditAction = Schemas['AuditAction']
export type AuditTargetKind = Schemas['AuditTargetKind']
export type AuditLogPage = Schemas['AuditLogList']
export type { Role }

/** Every action, with how the log names it (a `Record`, so a new action in the API is a type error until it is named here). */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'instance.update': 'Instance changed',
  'instance.two_factor_require': 'Two-factor requirement changed',
  'application.create': 'Application created',
  'application.update': 'Application changed',
  'application.delete': 'Application deleted',
  'application.secret_rotate': 'Application secret rotated',
  'branding.logo_set': 'Logo uploaded',
  'branding.logo_delete': 'Logo removed',
  'email_style.update': 'Email font changed',
  'email_template.update': 'Email message saved',
  'email_template.reset': 'Email message reset',
  'member.role_change': 'Member role changed',
  'member.remove': 'Member removed',
  'invitation.create': 'Invitation sent',
  'invitation.resend': 'Invitation resent',
  'invitation.revoke': 'Invitation revoked',
  'invitation.accept': 'Invitation accepted',
  'email.retry': 'Email retried',
  'email.cancel': 'Email cancelled',
  'signing_key.rotate': 'Signing key rotated',
  'smtp.update': 'SMTP settings saved',
  'smtp.test': 'SMTP test run',
  'user.create': 'User created',
  'user.import': 'Users imported',
  'user.update': 'User changed',
  'user.delete': 'User deleted',
  'user.block': 'User blocked',
  'user.unblock': 'User unblocked',
  'user.password_reset_send': 'Password reset sent',
  'user.invitation_send': 'Invitation email sent',
  'user.verification_send': 'Verification sent',
  'user.sign_out': 'User signed out',
  'user.identity_unlink': 'Identity unlinked from user',
  'management_client.create': 'Management client created',
  'management_client.update': 'Management client changed',
  'management_client.delete': 'Management client deleted',
  'management_client.secret_rotate': 'Management client secret rotated',
  'webhook.create': 'Webhook endpoint added',
  'webhook.update': 'Webhook endpoint changed',
  'webhook.delete': 'Webhook endpoint deleted',
  'webhook.secret_rotate': 'Webhook secret rotated',
  'webhook.test': 'Webhook test event sent',
  'webhook.resend': 'Webhook delivery resent',
  'identity_provider.update': 'Identity provider saved',
  'identity_provider.reset': 'Identity provider reset or removed',
  'plan.change': 'Plan changed',
  'config.change': 'Configuration changed',
  'config.backup_create': 'Configuration backed up',
  'config.backup_delete': 'Configuration backup deleted',
}

export const ACTIONS = Object.keys(ACTION_LABELS) as AuditAction[]

export const TARGET_LABELS: Record<AuditTargetKind, string> = {
  instance: 'Instance',
  application: 'Application',
  branding: 'Branding',
  email_style: 'Email font',
  email_template: 'Email message',
  member: 'Member',
  invitation: 'Invitation',
  email: 'Email',
  signing_key: 'Signing key',
  smtp: 'SMTP',
  user: 'User',
  management_client: 'Management client',
  webhook: 'Webhook endpoint',
  identity_provider: 'Identity provider',
  plan: 'Plan',
  config: 'Configuration',
}

export const TARGET_KINDS = Object.keys(TARGET_LABELS) as AuditTargetKind[]

export interface AuditFilters {
  /** An account's or application's id. */
  actor: string
  action: AuditAction | null
  targetKind: AuditTargetKind | null
  targetId: string
  /** Calendar days (`YYYY-MM-DD`) in the instance's time zone; `to` is inclusive. */
  from: string
  to: string
}

export const NO_FILTERS: AuditFilters = { actor: '', action: null, targetKind: null, targetId: '', from: '', to: '' }

/** The query the list and the export take for these filters (days turned into instants). */
export function auditQuery(f: AuditFilters, timeZone: string) {
  return {
    actor: f.actor.trim() || undefined,
    action: f.action ?? undefined,
    target_kind: f.targetKind ?? undefined,
    target_id: f.targetId.trim() || undefined,
    from: f.from ? startOfDay(f.from, timeZone) : undefined,
    to: f.to ? startOfDay(f.to, timeZone, 1) : undefined,
  }
}

/** The audit log is for admins and owners. */
export function mayReadAuditLog(role: Role): boolean {
  return role === 'owner' || role === 'admin'
}

/** A changed value as one short line: strings bare, nothing as an em dash, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

export interface Change {
  field: string
  before: unknown
  after: unknown
}

/** The changed fields of an entry, in the order the server sent them. */
export function changesOf(entry: AuditEntry): Change[] {
  return Object.entries(entry.changes ?? {}).map(([field, c]) => ({ field, before: c?.before, after: c?.after }))
}
