/** The identity-provider forms: their values, the request bodies they send, and what the list says of each provider. */
import type { UseFormReturnType } from '@mantine/form'
import { BUILT_IN_PROVIDERS, isExternal, PROVIDER_KIND_LABELS } from '../../lib/identityProviders'
import type { IdentityProvider, IdentityProviderInput } from './model'

export const HOUR_SECS = 3600
export const DAY_SECS = 86_400
/** The guest session's bounds, as the server checks them (an hour to a year). */
export const GUEST_LIFETIME_MIN = HOUR_SECS
export const GUEST_LIFETIME_MAX = 365 * DAY_SECS

export type LifetimeUnit = 'hours' | 'days'
export const LIFETIME_UNITS: { value: LifetimeUnit; label: string }[] = [
  { value: 'hours', label: 'hours' },
  { value: 'days', label: 'days' },
]
const UNIT_SECS: Record<LifetimeUnit, number> = { hours: HOUR_SECS, days: DAY_SECS }

/** Seconds as an amount of whole days when they divide evenly, else of hours. */
export function splitLifetime(secs: number): { amount: number; unit: LifetimeUnit } {
  if (secs % DAY_SECS === 0) return { amount: secs / DAY_SECS, unit: 'days' }
  return { amount: Math.round((secs / HOUR_SECS) * 100) / 100, unit: 'hours' }
}

export function lifetimeSecs(amount: number | string, unit: LifetimeUnit): number {
  const n = typeof amount === 'number' ? amount : Number(amount)
  return Math.round(n * UNIT_SECS[unit])
}

/** "30 days", "1 day", "12 hours". */
export function formatLifetime(secs: number): string {
  const { amount, unit } = splitLifetime(secs)
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit}`
}

// A type alias (not an interface) so that it fits applyApiError's Record<string, unknown>.
export type ProviderFormValues = {
  enabled: boolean
  display_name: string
  button_label: string
  position: number | string
  client_id: string
  /** A new secret; empty keeps the stored one. */
  client_secret: string
  /** "Replace" was chosen: the secret's input shows although one is stored. */
  replace_secret: boolean
  /** "Remove" was chosen: the stored secret is removed on save. */
  remove_secret: boolean
  scopes: string[]
  discovery_url: string
  application_ids: string[]
  allow_registration: boolean
  guest_lifetime: number | string
  guest_lifetime_unit: LifetimeUnit
}

export type ProviderForm = UseFormReturnType<ProviderFormValues>

/** Server fields shown beside an input of another name. */
export const PROVIDER_ERROR_FIELDS: Record<string, string> = { guest_lifetime_secs: 'guest_lifetime' }

export function valuesOf(p: IdentityProvider): ProviderFormValues {
  const lifetime = splitLifetime(p.guest_lifetime_secs ?? 30 * DAY_SECS)
  return {
    enabled: p.enabled,
    display_name: p.display_name,
    button_label: p.button_label,
    position: p.position,
    client_id: p.client_id,
    client_secret: '',
    replace_secret: false,
    remove_secret: false,
    scopes: p.scopes,
    discovery_url: p.discovery_url ?? '',
    application_ids: p.application_ids,
    allow_registration: p.allow_registration,
    guest_lifetime: lifetime.amount,
    guest_lifetime_unit: lifetime.unit,
  }
}

/** The discovery URL was changed: the stored secret is not sent to another issuer, so it is asked again. */
export function discoveryChanged(p: IdentityProvider, values: ProviderFormValues): boolean {
  return p.kind === 'oidc' && values.discovery_url.trim() !== (p.discovery_url ?? '')
}

/** The secret's input is shown: none is stored, "Replace" was chosen, or the issuer changed. */
export function secretInputShown(p: IdentityProvider, values: ProviderFormValues): boolean {
  if (values.remove_secret) return false
  return !p.client_secret_set || values.replace_secret || discoveryChanged(p, values)
}

/**
 * The request body for the form's values. Only the fields of the provider's kind are sent (the
 * server refuses the others): `client_secret` is omitted to keep the stored one, `null` to remove
 * it, a string to replace it; an empty client id is left out (enabling then says it is required).
 */
export function toProviderInput(p: IdentityProvider, values: ProviderFormValues): IdentityProviderInput {
  const body: IdentityProviderInput = {
    enabled: values.enabled,
    display_name: values.display_name.trim(),
    button_label: values.button_label.trim(),
    position: Number(values.position),
    application_ids: values.application_ids,
  }
  if (p.kind === 'password') body.allow_registration = values.allow_registration
  if (p.kind === 'guest') body.guest_lifetime_secs = lifetimeSecs(values.guest_lifetime, values.guest_lifetime_unit)
  if (isExternal(p.kind)) {
    const clientId = values.client_id.trim()
    if (clientId) body.client_id = clientId
    if (values.remove_secret) body.client_secret = null
    else if (values.client_secret && secretInputShown(p, values)) body.client_secret = values.client_secret
    body.scopes = values.scopes
  }
  if (p.kind === 'oidc' && discoveryChanged(p, values)) body.discovery_url = values.discovery_url.trim()
  return body
}

/** Client-side checks (the server stays the authority and answers beside the same fields). */
export function providerValidation(p: IdentityProvider) {
  const label = (what: string) => (value: string) => {
    if (!value.trim()) return `${what} is required.`
    if (value.trim().length > 60) return `${what} must be at most 60 characters.`
    return null
  }
  return {
    display_name: label('Display name'),
    button_label: label('Button label'),
    position: (value: number | string) => {
      const n = Number(value)
      return value === '' || !Number.isInteger(n) || n < 0 || n > 1000 ? 'Position is a whole number from 0 to 1000.' : null
    },
    guest_lifetime: (value: number | string, values: ProviderFormValues) => {
      if (p.kind !== 'guest') return null
      const secs = value === '' ? NaN : lifetimeSecs(value, values.guest_lifetime_unit)
      return Number.isNaN(secs) || secs < GUEST_LIFETIME_MIN || secs > GUEST_LIFETIME_MAX ? 'A guest session lasts from 1 hour to 365 days.' : null
    },
    discovery_url: (value: string) => (p.kind === 'oidc' ? checkDiscoveryUrl(value) : null),
  }
}

export function checkDiscoveryUrl(value: string): string | null {
  const v = value.trim()
  if (!v) return 'Enter the discovery URL (…/.well-known/openid-configuration).'
  return /^https?:\/\/[^\s/]+/i.test(v) ? null : 'The discovery URL must be an http(s) URL.'
}

/** The rule of an OpenID Connect provider's key, as the server checks it. */
const KEY_PATTERN = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/

export function checkProviderKey(value: string, existing: readonly string[]): string | null {
  const key = value.trim()
  if (!KEY_PATTERN.test(key) || key.length < 2) {
    return 'A key is 2 to 40 lowercase letters, digits and hyphens, starting with a letter (e.g. okta or azure-ad).'
  }
  if ((BUILT_IN_PROVIDERS as readonly string[]).includes(key) || key === 'oidc') return `“${key}” is a built-in provider's name; choose another key.`
  if (existing.includes(key)) return `A provider with the key “${key}” exists already.`
  return null
}

export const DEFAULT_OIDC_SCOPES = ['openid', 'email', 'profile']

// --- Adding an OpenID Connect provider -----------------------------------------------------------

// A type alias (not an interface) so that it fits applyApiError's Record<string, unknown>.
export type AddOidcValues = {
  key: string
  display_name: string
  discovery_url: string
  client_id: string
  client_secret: string
  scopes: string[]
  enabled: boolean
}

export const INITIAL_OIDC_VALUES: AddOidcValues = {
  key: '',
  display_name: '',
  discovery_url: '',
  client_id: '',
  client_secret: '',
  scopes: DEFAULT_OIDC_SCOPES,
  enabled: true,
}

/** The body that creates the provider: empty optional fields are left out (the server's defaults apply). */
export function addOidcInput(values: AddOidcValues): IdentityProviderInput {
  const body: IdentityProviderInput = { enabled: values.enabled, discovery_url: values.discovery_url.trim(), scopes: values.scopes }
  if (values.display_name.trim()) body.display_name = values.display_name.trim()
  if (values.client_id.trim()) body.client_id = values.client_id.trim()
  if (values.client_secret) body.client_secret = values.client_secret
  return body
}

// --- What the list says of a provider ------------------------------------------------------------

/** An external provider without the client id or secret it needs to be enabled. */
export function missingCredentials(p: IdentityProvider): string | null {
  if (!isExternal(p.kind)) return null
  const id = p.client_id.trim() !== ''
  if (!id && !p.client_secret_set) return 'Needs client id and secret'
  if (!id) return 'Needs client id'
  if (!p.client_secret_set) return 'Needs client secret'
  return null
}

export interface ProviderStatus {
  text: string
  tone: 'on' | 'off' | 'needs'
}

export function providerStatus(p: IdentityProvider): ProviderStatus {
  const missing = missingCredentials(p)
  const apps = p.application_ids.length
  const limited = apps > 0 ? ` · ${apps === 1 ? '1 application' : `${apps} applications`} only` : ''
  if (missing) return { text: missing, tone: 'needs' }
  if (!p.enabled) return { text: isExternal(p.kind) ? 'Configured, off' : 'Off', tone: 'off' }
  switch (p.kind) {
    case 'password':
      return { text: `On — ${p.allow_registration ? 'sign-up open' : 'sign-in only, no sign-up'}${limited}`, tone: 'on' }
    case 'guest':
      return { text: `On — guests last ${formatLifetime(p.guest_lifetime_secs ?? 30 * DAY_SECS)}${limited}`, tone: 'on' }
    default:
      return { text: `On${limited}`, tone: 'on' }
  }
}

/** What the provider is, under its name: "Google", "OpenID Connect · okta". */
export function kindLine(p: IdentityProvider): string {
  return p.kind === 'oidc' ? `${PROVIDER_KIND_LABELS.oidc} · ${p.key}` : PROVIDER_KIND_LABELS[p.kind]
}
