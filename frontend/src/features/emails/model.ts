import type { Schemas } from '../../api/client'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type OutboxEmail = Schemas['OutboxEmailDto']
export type OutboxPage = Schemas['OutboxList']
export type MailboxMessage = Schemas['MailboxMessageDto']
export type MailboxPage = Schemas['MailboxList']
/** An email as it was sent (one-time links redacted), with its delivery attempts. */
export type OutboxEmailDetail = Schemas['OutboxEmailDetail']
export type OutboxAttempt = Schemas['OutboxAttemptDto']
/** What the instance's next email goes through. */
export type EmailTransport = Schemas['EmailTransportDto']

export type EmailStatus = OutboxEmail['status']
export const STATUSES: EmailStatus[] = ['queued', 'sending', 'sent', 'skipped', 'failed', 'cancelled']

export const STATUS_LABELS: Record<EmailStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  skipped: 'Not needed',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

export const STATUS_COLORS: Record<EmailStatus, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'teal',
  skipped: 'gray',
  failed: 'red',
  cancelled: 'orange',
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

/** A stuck email (waiting for a later attempt, or given up on) can be sent now, or cancelled. */
export function isStuck(email: Pick<OutboxEmail, 'status'>): boolean {
  return email.status === 'queued' || email.status === 'failed'
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

/** How a delivery attempt ended. */
const OUTCOMES: Record<string, { label: string; color: string }> = {
  sent: { label: 'Sent', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  skipped: { label: 'Not needed', color: 'gray' },
}

export function attemptOutcome(outcome: string): { label: string; color: string } {
  return OUTCOMES[outcome] ?? { label: outcome, color: 'gray' }
}

/** How long an attempt took: "850 ms", "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** The server shows viewers one-time links as `…token=[redacted]`; the stored copy of a sent email always. */
export function hasRedactedLinks(m: { text: string; html: string }): boolean {
  return m.text.includes('[redacted]') || m.html.includes('[redacted]')
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  retryEmail: (role: Role) => role !== 'viewer',
  cancelEmail: (role: Role) => role !== 'viewer',
  /** Captured messages' one-time links are live for a role that could send them itself. */
  seeLiveLinks: (role: Role) => role !== 'viewer',
}

export { formatDateTime } from '../../lib/datetime'
