import type { Schemas } from '../../api/client'

import type { Role } from '../../lib/instanceRef'
export type { InstanceRef, Role } from '../../lib/instanceRef'
export type AppKind = Schemas['AppKindDto']
export type Application = Schemas['ApplicationDto']
export type CreatedApplication = Schemas['CreatedApplication']
export type SecretInfo = Schemas['SecretInfo']
export type SigningKey = Schemas['SigningKeyDto']
export type SigningAlgorithm = Schemas['SigningAlgorithmDto']
export type Quickstart = Schemas['Quickstart']


export const KIND_LABELS: Record<AppKind, string> = { frontend: 'Front-end', backend: 'Back-end' }
export const KIND_COLORS: Record<AppKind, string> = { frontend: 'cyan', backend: 'violet' }
export const KIND_DESCRIPTIONS: Record<AppKind, string> = {
  frontend:
    'A browser or mobile app (public client). It identifies with its client id only; calls are allowed from its origins, and sign-ins return to its redirect URIs.',
  backend:
    'A server (confidential client). It gets a secret and exchanges it for access tokens with the client-credentials grant.',
}

/** The algorithms an instance may sign its tokens with, and what each means for the apps that verify them. */
export const SIGNING_ALGORITHMS: { value: SigningAlgorithm; label: string; description: string }[] = [
  {
    value: 'EdDSA',
    label: 'EdDSA (Ed25519)',
    description: 'The smallest and fastest signatures. Node’s jsonwebtoken and .NET cannot verify them (jose and PyJWT can).',
  },
  {
    value: 'ES256',
    label: 'ES256 (ECDSA P-256)',
    description: 'Small signatures, supported by most JWT libraries, .NET and jsonwebtoken included.',
  },
  {
    value: 'RS256',
    label: 'RS256 (RSA, SHA-256)',
    description: 'Larger tokens, but verifiable everywhere: the safest choice when you do not control every verifier.',
  },
]

/** The algorithm the instance signs with now: its active key's (EdDSA until one exists). */
export function currentAlgorithm(keys: SigningKey[] | undefined): SigningAlgorithm | null {
  if (!keys) return null
  return keys.find((k) => k.status === 'active')?.algorithm ?? keys[0]?.algorithm ?? null
}

/** What a caller with `role` may do — mirrors the server's policy to hide what would be refused. */
export const can = {
  manageApps: (role: Role) => role !== 'viewer',
  rotateSigningKey: (role: Role) => role === 'owner' || role === 'admin',
}

export { formatDateTime, formatRelative } from '../../lib/datetime'
