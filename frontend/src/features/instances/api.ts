import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { allPages, PAGE_SIZE } from '../../lib/pages'
import { ApiError } from '../../lib/problem'
import type { Instance, Role } from './roles'

export const instanceKeys = {
  all: ['instances'] as const,
  list: () => [...instanceKeys.all, 'list'] as const,
  detail: (slug: string) => [...instanceKeys.all, 'detail', slug] as const,
  members: (slug: string) => [...instanceKeys.all, 'members', slug] as const,
  invitations: (slug: string) => [...instanceKeys.all, 'invitations', slug] as const,
  securityPolicy: (slug: string) => [...instanceKeys.all, 'security-policy', slug] as const,
}

const PAGE = PAGE_SIZE

/** All of the caller's instances (walks the cursor; an account holds a handful). */
export function useInstances() {
  return useQuery({
    queryKey: instanceKeys.list(),
    queryFn: () => allPages<Instance>((cursor) => unwrap(api.GET('/api/v1/instances', { params: { query: { limit: PAGE_SIZE, cursor } } }))),
    staleTime: 30_000,
  })
}

export function useInstance(slug: string) {
  return useQuery({
    queryKey: instanceKeys.detail(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}', { params: { path: { instance: slug } } })),
    // A refusal (404, 403 two_factor_required...) will not change by asking again.
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  })
}

export interface CreateInstanceInput {
  slug: string
  name: string
  time_zone: string
}

export function useCreateInstance() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateInstanceInput) => unwrap(api.POST('/api/v1/instances', { body })),
    onSuccess: (instance) => {
      queryClient.setQueryData(instanceKeys.detail(instance.slug), instance)
      return queryClient.invalidateQueries({ queryKey: instanceKeys.list() })
    },
  })
}

export function useUpdateInstance(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { name?: string; time_zone?: string }) =>
      unwrap(api.PATCH('/api/v1/instances/{instance}', { params: { path: { instance: slug } }, body })),
    onSuccess: (instance) => {
      queryClient.setQueryData(instanceKeys.detail(slug), instance)
      return queryClient.invalidateQueries({ queryKey: instanceKeys.list() })
    },
  })
}

export function useDeleteInstance(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/instances/{instance}', { params: { path: { instance: slug } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: instanceKeys.detail(slug) })
      queryClient.removeQueries({ queryKey: instanceKeys.members(slug) })
      queryClient.removeQueries({ queryKey: instanceKeys.invitations(slug) })
      return queryClient.invalidateQueries({ queryKey: instanceKeys.list() })
    },
  })
}

/** The members, one "Load more" page (the API's maximum, 100) at a time. */
export function useMembers(slug: string) {
  return useInfiniteQuery({
    queryKey: instanceKeys.members(slug),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/members', {
          params: { path: { instance: slug }, query: { limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
}

const INVITATION_PAGE = 50

/** Open invitations (pending or expired), one "Load more" page at a time. */
export function useInvitations(slug: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: instanceKeys.invitations(slug),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/invitations', {
          params: { path: { instance: slug }, query: { limit: INVITATION_PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  })
}

/** Invites an address (409 already_member / invitation_pending; only owners invite owners). */
export function useInviteMember(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(api.POST('/api/v1/instances/{instance}/invitations', { params: { path: { instance: slug } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: instanceKeys.invitations(slug) }),
  })
}

/** Sends the invitation again with a new 7-day link (the previous link stops working). */
export function useResendInvitation(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/instances/{instance}/invitations/{id}/resend', { params: { path: { instance: slug, id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: instanceKeys.invitations(slug) }),
  })
}

export function useRevokeInvitation(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/invitations/{id}', { params: { path: { instance: slug, id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: instanceKeys.invitations(slug) }),
  })
}

export function useSecurityPolicy(slug: string) {
  return useQuery({
    queryKey: instanceKeys.securityPolicy(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/security-policy', { params: { path: { instance: slug } } })),
  })
}

/** Owner only; 409 `two_factor_required_for_you` when the owner has no two-factor sign-in. */
export function useUpdateSecurityPolicy(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { require_two_factor: boolean }) =>
      unwrap(api.PUT('/api/v1/instances/{instance}/security-policy', { params: { path: { instance: slug } }, body })),
    onSuccess: (policy) => {
      queryClient.setQueryData(instanceKeys.securityPolicy(slug), policy)
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: instanceKeys.detail(slug) }),
        queryClient.invalidateQueries({ queryKey: instanceKeys.list() }),
      ])
    },
  })
}

export function useUpdateMember(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ accountId, role }: { accountId: string; role: Role }) =>
      unwrap(
        api.PATCH('/api/v1/instances/{instance}/members/{account_id}', {
          params: { path: { instance: slug, account_id: accountId } },
          body: { role },
        }),
      ),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: instanceKeys.members(slug) }),
        // The caller may have changed their own role.
        queryClient.invalidateQueries({ queryKey: instanceKeys.detail(slug) }),
        queryClient.invalidateQueries({ queryKey: instanceKeys.list() }),
      ]),
  })
}

export function useRemoveMember(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (accountId: string) =>
      unwrap(
        api.DELETE('/api/v1/instances/{instance}/members/{account_id}', {
          params: { path: { instance: slug, account_id: accountId } },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: instanceKeys.members(slug) }),
        queryClient.invalidateQueries({ queryKey: instanceKeys.list() }),
      ]),
  })
}
