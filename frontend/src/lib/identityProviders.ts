import { useQuery } from '@tanstack/react-query'
import { api, unwrap, type Schemas } from '../api/client'

export type IdentityProvider = Schemas['IdentityProviderDto']
export type ProviderKind = Schemas['ProviderKindDto']

/** The providers every instance has (configured or at their defaults), in their default order. */
export const BUILT_IN_PROVIDERS = ['password', 'guest', 'google', 'facebook', 'twitter', 'linkedin'] as const
export type BuiltInProvider = (typeof BUILT_IN_PROVIDERS)[number]

export function isBuiltInProvider(key: string): key is BuiltInProvider {
  return (BUILT_IN_PROVIDERS as readonly string[]).includes(key)
}

/** How the console names each kind (the server's default display names, shortened for lists). */
export const PROVIDER_KIND_LABELS: Record<ProviderKind, string> = {
  password: 'Password',
  guest: 'Guest',
  google: 'Google',
  facebook: 'Facebook',
  twitter: 'X (Twitter)',
  linkedin: 'LinkedIn',
  oidc: 'OpenID Connect',
}

/**
 * A user's or identity's provider for people: the built-in kind's name, an OpenID Connect
 * provider's display name when the providers are known, else its key.
 */
export function providerLabel(key: string, providers?: readonly Pick<IdentityProvider, 'key' | 'display_name'>[]): string {
  if (isBuiltInProvider(key)) return PROVIDER_KIND_LABELS[key]
  return providers?.find((p) => p.key === key)?.display_name || key
}

/** Social and OpenID Connect providers: sign-in happens at another party, with a client id and secret. */
export function isExternal(kind: ProviderKind): boolean {
  return kind !== 'password' && kind !== 'guest'
}

/**
 * The query key of the instance's identity providers: read by General → Identity providers and
 * by the Users area (its provider filter names OpenID Connect providers).
 */
export const identityProviderKeys = {
  list: (slug: string) => ['identity-providers', slug] as const,
}

export function useIdentityProviders(slug: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: identityProviderKeys.list(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/identity-providers', { params: { path: { instance: slug } } })),
    enabled,
  })
}
