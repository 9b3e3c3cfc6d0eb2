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

export { formatDateTime, formatRelative } from '../../lib/datetime'
