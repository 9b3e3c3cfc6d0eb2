import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { applicationQueryKeys, useApplicationList } from '../../lib/applications'
import type { Application, AppKind, CreatedApplication, SigningAlgorithm } from './model'

export const applicationKeys = {
  ...applicationQueryKeys,
  detail: (slug: string, id: string) => [...applicationQueryKeys.all(slug), 'detail', id] as const,
  quickstart: (slug: string, id: string) => [...applicationQueryKeys.all(slug), 'quickstart', id] as const,
  signingKeys: (slug: string) => ['signing-keys', slug] as const,
}

/** The instance's applications (the list is shared with other areas: see lib/applications). */
export function useApplications(slug: string) {
  return useApplicationList(slug)
}

export function useApplication(slug: string, id: string) {
  return useQuery({
    queryKey: applicationKeys.detail(slug, id),
    queryFn: () =>
      unwrap(api.GET('/api/v1/instances/{instance}/applications/{id}', { params: { path: { instance: slug, id } } })),
  })
}

/** The application without the one-time secret (which must never sit in the query cache). */
function withoutSecret(created: CreatedApplication): Application {
  const { client_secret: _secret, ...app } = created
  return app
}

export interface CreateApplicationInput {
  kind: AppKind
  name: string
  description?: string
  allowed_origins?: string[]
  redirect_uris?: string[]
}

export function useCreateApplication(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateApplicationInput) =>
      unwrap(api.POST('/api/v1/instances/{instance}/applications', { params: { path: { instance: slug } }, body })),
    onSuccess: (created) => {
      queryClient.setQueryData(applicationKeys.detail(slug, created.id), withoutSecret(created))
      return queryClient.invalidateQueries({ queryKey: applicationKeys.list(slug) })
    },
  })
}

export interface UpdateApplicationInput {
  name?: string
  description?: string
  enabled?: boolean
  allowed_origins?: string[]
  redirect_uris?: string[]
}

export function useUpdateApplication(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: UpdateApplicationInput) =>
      unwrap(
        api.PATCH('/api/v1/instances/{instance}/applications/{id}', { params: { path: { instance: slug, id } }, body }),
      ),
    onSuccess: (app) => {
      queryClient.setQueryData(applicationKeys.detail(slug, id), app)
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: applicationKeys.list(slug) }),
        queryClient.invalidateQueries({ queryKey: applicationKeys.quickstart(slug, id) }),
      ])
    },
  })
}

export function useDeleteApplication(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/applications/{id}', { params: { path: { instance: slug, id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: applicationKeys.detail(slug, id) })
      queryClient.removeQueries({ queryKey: applicationKeys.quickstart(slug, id) })
      return queryClient.invalidateQueries({ queryKey: applicationKeys.list(slug) })
    },
  })
}

/** Rotates a back-end app's secret; the new one is in the result only (never cached). */
export function useRotateSecret(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (gracePeriodSecs: number) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/applications/{id}/secret', {
          params: { path: { instance: slug, id } },
          body: { grace_period_secs: gracePeriodSecs },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: applicationKeys.detail(slug, id) }),
        queryClient.invalidateQueries({ queryKey: applicationKeys.list(slug) }),
      ]),
  })
}

export function useQuickstart(slug: string, id: string) {
  return useQuery({
    queryKey: applicationKeys.quickstart(slug, id),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/applications/{id}/quickstart', { params: { path: { instance: slug, id } } }),
      ),
    staleTime: 5 * 60_000,
  })
}

export function useSigningKeys(slug: string) {
  return useQuery({
    queryKey: applicationKeys.signingKeys(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/signing-keys', { params: { path: { instance: slug } } })),
  })
}

/**
 * Rotates the signing key: to a new key of the same algorithm, or of `algorithm` (which becomes the
 * instance's). Tokens already issued stay valid: the old key stays published until they expire.
 */
export function useRotateSigningKey(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (algorithm?: SigningAlgorithm) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/signing-keys/rotate', {
          params: { path: { instance: slug } },
          ...(algorithm ? { body: { algorithm } } : {}),
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: applicationKeys.signingKeys(slug) }),
        // The verification snippets name the algorithm.
        queryClient.invalidateQueries({ queryKey: [...applicationKeys.all(slug), 'quickstart'] }),
      ]),
  })
}
