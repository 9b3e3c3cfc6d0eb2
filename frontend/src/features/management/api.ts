import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { allPages, PAGE_SIZE } from '../../lib/pages'
import { scopeCatalogueQueryKey, useScopeCatalogue } from '../../lib/publicUrl'
import type { ManagementClient, ManagementScope } from './model'

export const managementKeys = {
  scopes: scopeCatalogueQueryKey,
  all: (slug: string) => ['management-clients', slug] as const,
  list: (slug: string) => [...managementKeys.all(slug), 'list'] as const,
  detail: (slug: string, id: string) => [...managementKeys.all(slug), 'detail', id] as const,
}


/** The scopes a client may hold, with what each allows, and the token endpoint (the same for every instance). */
export const useManagementScopes = useScopeCatalogue

/** The instance's management clients, newest first (walks the cursor; an instance holds a handful). */
export function useManagementClients(slug: string, enabled = true) {
  return useQuery({
    queryKey: managementKeys.list(slug),
    queryFn: () =>
      allPages<ManagementClient>((cursor) =>
        unwrap(api.GET('/api/v1/instances/{instance}/management-clients', { params: { path: { instance: slug }, query: { limit: PAGE_SIZE, cursor } } })),
      ),
    enabled,
  })
}

export function useManagementClient(slug: string, id: string, enabled = true) {
  return useQuery({
    queryKey: managementKeys.detail(slug, id),
    queryFn: () =>
      unwrap(api.GET('/api/v1/instances/{instance}/management-clients/{id}', { params: { path: { instance: slug, id } } })),
    enabled,
  })
}

export interface CreateManagementClientInput {
  name: string
  description?: string
  scopes: ManagementScope[]
  expires_at?: string
}

/** Creates a client; the answer carries its one-time secret, which stays out of the query cache. */
export function useCreateManagementClient(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateManagementClientInput) =>
      unwrap(api.POST('/api/v1/instances/{instance}/management-clients', { params: { path: { instance: slug } }, body })),
    onSuccess: (created) => {
      queryClient.setQueryData(managementKeys.detail(slug, created.client.id), created.client)
      return queryClient.invalidateQueries({ queryKey: managementKeys.list(slug) })
    },
  })
}

export interface UpdateManagementClientInput {
  name?: string
  description?: string
  scopes?: ManagementScope[]
  /** `null` removes the expiry. */
  expires_at?: string | null
}

export function useUpdateManagementClient(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: UpdateManagementClientInput) =>
      unwrap(
        api.PATCH('/api/v1/instances/{instance}/management-clients/{id}', { params: { path: { instance: slug, id } }, body }),
      ),
    onSuccess: (client) => {
      queryClient.setQueryData(managementKeys.detail(slug, id), client)
      return queryClient.invalidateQueries({ queryKey: managementKeys.list(slug) })
    },
  })
}

export function useDeleteManagementClient(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/management-clients/{id}', { params: { path: { instance: slug, id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: managementKeys.detail(slug, id) })
      return queryClient.invalidateQueries({ queryKey: managementKeys.list(slug) })
    },
  })
}

/** Rotates the client's secret; the new one is in the result only (never cached). */
export function useRotateManagementSecret(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (gracePeriodSecs: number) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/management-clients/{id}/secret', {
          params: { path: { instance: slug, id } },
          body: { grace_period_secs: gracePeriodSecs },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: managementKeys.detail(slug, id) }),
        queryClient.invalidateQueries({ queryKey: managementKeys.list(slug) }),
      ]),
  })
}
