import type { Schemas } from '../../api/client'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type OutboxEmail = Schemas['OutboxEmailDto']
export type OutboxPage = Schemas['OutboxList']
export type MailboxMessage = Schemas['MailboxMessageDto']
export type MailboxPage = Schemas['MailboxList']


export type EmailStatus = OutboxEmail['status']
export const STATUSES: EmailStatus[] = ['queued', 'sending', 'sent', 'skipped', 'failed']

export const STATUS_LABELS: Record<EmailStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  skipped: 'Not needed',
  failed: 'Failed',
}

export const STATUS_COLORS: Record<EmailStatus, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'teal',
  skipped: 'gray',
  failed: 'red',
}

function isStatus(value: string): value is EmailStatus {
  return (STATUSES as string[]).includes(value)
}

/** Label and color of a status the server sends (an unknown one is shown as is, in gray). */
export function statusBadge(status: string): { label: string; color: string } {
  return isStatus(status) ? { label: STATUS_LABELS[status], color: STATUS_COLORS[status] } : { label: status, color: 'gray' }
}

/** Emails still on their way: while any is listed, the outbox refreshes itself. */
export function isPending(email: Pick<OutboxEmail, 'status'>): boolean {
  return email.status === 'queued' || email.status === 'sending'
}

/** The transport that took an email (its last attempt): label, color and a sentence for people. */
const VIA: Record<string, { label: string; color: string; description: string }> = {
  custom_smtp: { label: 'Custom SMTP', color: 'violet', description: "Sent through the instance's own SMTP server (General → Email SMTP)" },
  platform_smtp: { label: 'Platform SMTP', color: 'blue', description: "Sent through the platform's SMTP server" },
  local_mailbox: { label: 'Local mailbox', color: 'gray', description: 'Kept in the local mailbox (no SMTP server configured)' },
}

export function deliveredVia(via: string | null | undefined): { label: string; color: string; description: string } | null {
  if (!via) return null
  return VIA[via] ?? { label: via, color: 'gray', description: via }
}

const KIND_LABELS: Record<string, string> = {
  verification: 'Email verification',
  reset_password: 'Password reset',
  update_account: 'Account update',
  invitation: 'Invitation',
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  retryEmail: (role: Role) => role !== 'viewer',
}

export { formatDateTime } from '../../lib/datetime'
