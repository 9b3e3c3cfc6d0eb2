import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, authFetch, unwrap, uploadFile, type Schemas } from '../../api/client'
import { ApiError, problemFromResponse } from '../../lib/problem'
import { listQuery, type User, type UserFilters, type UserIdentityList } from './model'

export const userKeys = {
  all: (slug: string) => ['users', slug] as const,
  lists: (slug: string) => [...userKeys.all(slug), 'list'] as const,
  list: (slug: string, filters: UserFilters, cursor: string | null) => [...userKeys.lists(slug), filters, cursor] as const,
  detail: (slug: string, id: string) => [...userKeys.all(slug), 'detail', id] as const,
  activity: (slug: string, id: string) => [...userKeys.all(slug), 'activity', id] as const,
  identities: (slug: string, id: string) => [...userKeys.all(slug), 'identities', id] as const,
}

export const PAGE_SIZE = 50

/** One page of users matching `filters`, starting at `cursor` (the previous page stays shown while the next loads). */
export function useUsers(slug: string, filters: UserFilters, cursor: string | null, timeZone: string) {
  return useQuery({
    queryKey: userKeys.list(slug, filters, cursor),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/users', {
          params: {
            path: { instance: slug },
            query: { ...listQuery(filters, timeZone), limit: String(PAGE_SIZE), cursor: cursor ?? undefined },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  })
}

export function useUser(slug: string, id: string) {
  return useQuery({
    queryKey: userKeys.detail(slug, id),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/users/{id}', { params: { path: { instance: slug, id } } })),
  })
}

type Metadata = Schemas['CreateUserRequest']['metadata']

export interface CreateUserInput {
  email: string
  given_name?: string
  family_name?: string
  name?: string
  password?: string
  /** Email an invitation to choose a password (a link valid 7 days); only without `password`. */
  send_invitation?: boolean
  email_verified?: boolean
  blocked?: boolean
  metadata?: Record<string, unknown>
}

export type UpdateUserInput = Partial<Omit<CreateUserInput, 'blocked' | 'send_invitation'>>

export function useCreateUser(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ metadata, ...rest }: CreateUserInput) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/users', {
          params: { path: { instance: slug } },
          body: { ...rest, metadata: metadata as Metadata },
        }),
      ),
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(slug, user.id), user)
      return queryClient.invalidateQueries({ queryKey: userKeys.lists(slug) })
    },
  })
}

function useSaveUser(slug: string, id: string) {
  const queryClient = useQueryClient()
  return (user: User) => {
    queryClient.setQueryData(userKeys.detail(slug, id), user)
    return queryClient.invalidateQueries({ queryKey: userKeys.lists(slug) })
  }
}

export function useUpdateUser(slug: string, id: string) {
  const onSaved = useSaveUser(slug, id)
  return useMutation({
    mutationFn: ({ metadata, ...rest }: UpdateUserInput) =>
      unwrap(
        api.PATCH('/api/v1/instances/{instance}/users/{id}', {
          params: { path: { instance: slug, id } },
          body: { ...rest, ...(metadata === undefined ? {} : { metadata: metadata as Metadata }) },
        }),
      ),
    onSuccess: onSaved,
  })
}

/** Blocks (`true`) or unblocks (`false`) the user; blocking ends their sessions and tokens. */
export function useSetBlocked(slug: string, id: string) {
  const onSaved = useSaveUser(slug, id)
  return useMutation({
    mutationFn: (blocked: boolean) =>
      unwrap(
        blocked
          ? api.POST('/api/v1/instances/{instance}/users/{id}/block', { params: { path: { instance: slug, id } } })
          : api.POST('/api/v1/instances/{instance}/users/{id}/unblock', { params: { path: { instance: slug, id } } }),
      ),
    onSuccess: onSaved,
  })
}

export function useDeleteUser(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/instances/{instance}/users/{id}', { params: { path: { instance: slug, id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: userKeys.detail(slug, id) })
      return queryClient.invalidateQueries({ queryKey: userKeys.lists(slug) })
    },
  })
}

export function useUserActivity(slug: string, id: string) {
  return useQuery({
    queryKey: userKeys.activity(slug, id),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/users/{id}/activity', { params: { path: { instance: slug, id } } })),
  })
}

/** The provider identities linked to the user (Google, an OpenID Connect provider...), oldest first. */
export function useUserIdentities(slug: string, id: string) {
  return useQuery({
    queryKey: userKeys.identities(slug, id),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/users/{id}/identities', { params: { path: { instance: slug, id } } })),
  })
}

/**
 * Unlinks one identity: that provider account no longer signs in to the user. 409
 * `last_sign_in_method` when it is their only way to sign in (no password, no other identity).
 */
export function useUnlinkIdentity(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (identity: string) =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/users/{id}/identities/{identity}', { params: { path: { instance: slug, id, identity } } })),
    onSuccess: (_, identity) => {
      queryClient.setQueryData<UserIdentityList>(userKeys.identities(slug, id), (list) => (list ? { ...list, items: list.items.filter((i) => i.id !== identity) } : list))
      return queryClient.invalidateQueries({ queryKey: userKeys.identities(slug, id) })
    },
  })
}

/** Queues a verification email (409 `already_verified` / `user_blocked` when there is nothing to send). */
export function useSendVerification(slug: string, id: string) {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/instances/{instance}/users/{id}/send-verification', { params: { path: { instance: slug, id } } })),
  })
}

export function useSendPasswordReset(slug: string, id: string) {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/instances/{instance}/users/{id}/send-password-reset', { params: { path: { instance: slug, id } } })),
  })
}

/** Ends every session and token of the user; the activity is fetched again. */
export function useSignOutUser(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/instances/{instance}/users/{id}/sign-out', { params: { path: { instance: slug, id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.activity(slug, id) }),
  })
}

/** An export: the users matching the filters, or the chosen users by id (at most `EXPORT_IDS_MAX`). */
export type ExportScope = { filters: UserFilters } | { ids: string[] }

/** The most ids one export by id takes; bigger selections export the filter instead. */
export const EXPORT_IDS_MAX = 200

/** Downloads users as CSV: those matching the filters (same query as the list, without paging) or the given ids. */
export function useExportUsers(slug: string, timeZone: string) {
  return useMutation({
    mutationFn: async (scope: ExportScope) => {
      const url = new URL(`/api/v1/instances/${encodeURIComponent(slug)}/users/export`, globalThis.location?.origin ?? 'http://localhost')
      if ('ids' in scope) url.searchParams.set('ids', scope.ids.join(','))
      else for (const [key, value] of Object.entries(listQuery(scope.filters, timeZone))) if (value !== undefined) url.searchParams.set(key, value)
      const response = await authFetch(new Request(url, { headers: { Accept: 'text/csv' } }))
      if (!response.ok) throw await problemFromResponse(response)
      const blob = await response.blob()
      const href = URL.createObjectURL(blob)
      const link = document.createElement('a')
      link.href = href
      link.download = 'ids' in scope ? `users-${slug}-selection.csv` : `users-${slug}.csv`
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(href), 0)
    },
  })
}

/**
 * Emails the user (who has no password yet) a new invitation link, valid 7 days; the previous link
 * stops working. 409 `user_has_password` when they have one by now: their page is fetched again.
 */
export function useSendInvitation(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/instances/{instance}/users/{id}/send-invitation', { params: { path: { instance: slug, id } } })),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'user_has_password') return queryClient.invalidateQueries({ queryKey: userKeys.detail(slug, id) })
    },
  })
}

export type ImportReport = Schemas['ImportReport']
export type RejectedRow = Schemas['RejectedRow']

export interface ImportUpload {
  file: Blob
  /** Validate and report only (`?dry_run=true`): nobody is created. */
  dryRun: boolean
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/**
 * Sends a CSV file to the import (with upload progress). A real import (not a dry run) that
 * created anyone refreshes the users lists.
 */
export function useImportUsers(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ file, dryRun, onProgress, signal }: ImportUpload) =>
      uploadFile<ImportReport>(`/api/v1/instances/${encodeURIComponent(slug)}/users/import${dryRun ? '?dry_run=true' : ''}`, file, 'text/csv', {
        method: 'POST',
        onProgress,
        signal,
      }),
    onSuccess: (report) => {
      if (!report.dry_run && report.accepted > 0) return queryClient.invalidateQueries({ queryKey: userKeys.lists(slug) })
    },
  })
}
