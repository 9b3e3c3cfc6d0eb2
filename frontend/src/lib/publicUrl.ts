import { useQuery } from '@tanstack/react-query'
import { api, unwrap } from '../api/client'

/**
 * The management scope catalogue (`GET /api/v1/management-scopes`): the scopes a management client
 * may hold and the console API's token endpoint. Read by the management clients area and, for the
 * server's public URL, by the dashboard: one key, one cache entry.
 */
export const scopeCatalogueQueryKey = ['management-scopes'] as const

export function useScopeCatalogue(enabled = true) {
  return useQuery({
    queryKey: scopeCatalogueQueryKey,
    queryFn: () => unwrap(api.GET('/api/v1/management-scopes')),
    staleTime: Infinity,
    enabled,
  })
}

const TOKEN_PATH = '/api/v1/oauth/token'

/** The server's public URL from its token endpoint (`{public_url}/api/v1/oauth/token`); null when it is not one. */
export function publicUrlFrom(tokenEndpoint: string | null | undefined): string | null {
  if (!tokenEndpoint?.endsWith(TOKEN_PATH)) return null
  return tokenEndpoint.slice(0, -TOKEN_PATH.length)
}

/**
 * The URL the server is reached at (its configured public URL, which serves the instances' public
 * API), for commands to paste: the console's own origin until the server has said.
 */
export function usePublicUrl(): string {
  const catalogue = useScopeCatalogue()
  return publicUrlFrom(catalogue.data?.token_endpoint) ?? globalThis.location?.origin ?? 'http://localhost'
}
