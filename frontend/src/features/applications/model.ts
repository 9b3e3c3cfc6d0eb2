import type { Schemas } from '../../api/client'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type AppKind = Schemas['AppKindDto']
export type Application = Schemas['ApplicationDto']
export type CreatedApplication = Schemas['CreatedApplication']
export type SecretInfo = Schemas['SecretInfo']
export type SigningKey = Schemas['SigningKeyDto']
export type Quickstart = Schemas['Quickstart']


export const KIND_LABELS: Record<AppKind, string> = { frontend: 'Front-end', backend: 'Back-end' }
export const KIND_COLORS: Record<AppKind, string> = { frontend: 'cyan', backend: 'violet' }
export const KIND_DESCRIPTIONS: Record<AppKind, string> = {
  frontend:
    'A browser or mobile app (public client). It identifies with its client id only; calls are allowed from its origins, and sign-ins return to its redirect URIs.',
  backend:
    'A server (confidential client). It gets a secret and exchanges it for access tokens with the client-credentials grant.',
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  manageApps: (role: Role) => role !== 'viewer',
  rotateSigningKey: (role: Role) => role === 'owner' || role === 'admin',
}

/** Grace periods offered when rotating a secret (seconds). */
export const GRACE_PERIODS = [
  { value: '0', label: 'None', sentence: 'The current secret stops working immediately.' },
  { value: '3600', label: '1 hour', sentence: 'The current secret keeps working for 1 hour.' },
  { value: '86400', label: '24 hours', sentence: 'The current secret keeps working for 24 hours.' },
  { value: '604800', label: '7 days', sentence: 'The current secret keeps working for 7 days.' },
] as const

export { formatDateTime } from '../../lib/datetime'

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** "3 minutes ago", "just now", or "Never". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'Never'
  const at = new Date(iso).getTime()
  if (Number.isNaN(at)) return iso
  const seconds = Math.round((at - now) / 1000)
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit)
  }
  return 'just now'
}
