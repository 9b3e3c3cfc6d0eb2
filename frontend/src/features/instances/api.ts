import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import type { Instance, Role } from './roles'

export const instanceKeys = {
  all: ['instances'] as const,
  list: () => [...instanceKeys.all, 'list'] as const,
  detail: (slug: string) => [...instanceKeys.all, 'detail', slug] as const,
  members: (slug: string) => [...instanceKeys.all, 'members', slug] as const,
}

const PAGE = 100

/** All of the caller's instances (walks the cursor; an account holds a handful). */
export function useInstances() {
  return useQuery({
    queryKey: instanceKeys.list(),
    queryFn: async () => {
      const items: Instance[] = []
      let cursor: string | undefined
      for (let page = 0; page < 20; page++) {
        const res = await unwrap(api.GET('/api/v1/instances', { params: { query: { limit: PAGE, cursor } } }))
        items.push(...res.items)
        if (!res.next_cursor) break
        cursor = res.next_cursor
      }
      return items
    },
    staleTime: 30_000,
  })
}

export function useInstance(slug: string) {
  return useQuery({
    queryKey: instanceKeys.detail(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}', { params: { path: { instance: slug } } })),
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
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
      return queryClient.invalidateQueries({ queryKey: instanceKeys.list() })
    },
  })
}

export function useMembers(slug: string) {
  return useQuery({
    queryKey: instanceKeys.members(slug),
    queryFn: () =>
      unwrap(api.GET('/api/v1/instances/{instance}/members', { params: { path: { instance: slug }, query: { limit: PAGE } } })),
    placeholderData: keepPreviousData,
  })
}

export function useAddMember(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(api.POST('/api/v1/instances/{instance}/members', { params: { path: { instance: slug } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: instanceKeys.members(slug) }),
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
