import type { Schemas } from '../../api/client'

export type Role = Schemas['RoleDto']
export type OutboxEmail = Schemas['OutboxEmailDto']
export type OutboxPage = Schemas['OutboxList']
export type MailboxMessage = Schemas['MailboxMessageDto']
export type MailboxPage = Schemas['MailboxList']

/** What the emails pages need to know about the instance they are under. */
export interface InstanceRef {
  slug: string
  role: Role
  timeZone: string
}

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed'
export const STATUSES: EmailStatus[] = ['queued', 'sending', 'sent', 'failed']

export const STATUS_LABELS: Record<EmailStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
}

export const STATUS_COLORS: Record<EmailStatus, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'teal',
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

export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(d)
  }
}
