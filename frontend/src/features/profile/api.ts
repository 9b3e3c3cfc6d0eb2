import { keepPreviousData, type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap, type Schemas } from '../../api/client'
import { meQueryKey } from '../../lib/account'

export interface UpdateProfileInput {
  name?: string
  email?: string
  current_password?: string
}

export function useUpdateProfile() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: UpdateProfileInput) => unwrap(api.PATCH('/api/v1/me', { body })),
    onSuccess: (account) => {
      queryClient.setQueryData(meQueryKey, account)
      // Member lists show names and emails; an email change is in the security log.
      return Promise.all([queryClient.invalidateQueries({ queryKey: ['instances'] }), invalidateSecurity(queryClient)])
    },
  })
}

export function useChangePassword() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST('/api/v1/me/password', { body })),
    // The other sessions ended, and the log has a new entry.
    onSuccess: () => invalidateSecurity(queryClient),
  })
}

export const securityKeys = {
  all: ['account-security'] as const,
  sessions: () => [...securityKeys.all, 'sessions'] as const,
  events: (kind: SecurityEventKind | null) => [...securityKeys.all, 'events', kind ?? 'all'] as const,
  twoFactor: () => [...securityKeys.all, 'two-factor'] as const,
}

export type SessionInfo = Schemas['SessionDto']
export type SecurityEvent = Schemas['SecurityEventDto']
export type SecurityEventKind = Schemas['SecurityEventKind']
export type SecondFactorProof = { code: string } | { recovery_code: string }

export function useSessions() {
  return useQuery({
    queryKey: securityKeys.sessions(),
    queryFn: () => unwrap(api.GET('/api/v1/me/sessions')),
  })
}

/** What changes the security log: refreshed after every action of this area. */
function invalidateSecurity(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: securityKeys.all })
}

export function useRevokeSession() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/me/sessions/{id}', { params: { path: { id } } })),
    onSettled: () => invalidateSecurity(queryClient),
  })
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/sessions/revoke-others')),
    onSettled: () => invalidateSecurity(queryClient),
  })
}

const EVENT_PAGE = 25

/** The account's security log, newest first, one "Load more" page at a time. */
export function useSecurityEvents(kind: SecurityEventKind | null) {
  return useInfiniteQuery({
    queryKey: securityKeys.events(kind),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/me/security-events', { params: { query: { kind: kind ?? undefined, limit: EVENT_PAGE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
}

export function useTwoFactorStatus() {
  return useQuery({
    queryKey: securityKeys.twoFactor(),
    queryFn: () => unwrap(api.GET('/api/v1/me/two-factor')),
  })
}

/** Turning two-factor on or off changes the account, the log and which instances open. */
function afterTwoFactorChange(queryClient: QueryClient) {
  return Promise.all([
    invalidateSecurity(queryClient),
    queryClient.invalidateQueries({ queryKey: meQueryKey, exact: true }),
    queryClient.invalidateQueries({ queryKey: ['instances'] }),
  ])
}

/** Step 1 of enrolment: a new secret (shown once), after the password. */
export function useTwoFactorSetup() {
  return useMutation({
    mutationFn: (body: { current_password: string }) => unwrap(api.POST('/api/v1/me/two-factor/setup', { body })),
    // The secret is shown once: not kept in the mutation cache after the dialog closes.
    gcTime: 0,
  })
}

/** Step 2: a code from the app proves the secret was taken; answers the recovery codes (shown once). */
export function useEnableTwoFactor() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { code: string }) => unwrap(api.POST('/api/v1/me/two-factor/enable', { body })),
    gcTime: 0,
    onSuccess: () => afterTwoFactorChange(queryClient),
  })
}

export function useDisableTwoFactor() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: SecondFactorProof) => unwrap(api.POST('/api/v1/me/two-factor/disable', { body })),
    onSuccess: () => afterTwoFactorChange(queryClient),
  })
}

/** New recovery codes; the old ones stop working. */
export function useRegenerateRecoveryCodes() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: SecondFactorProof) => unwrap(api.POST('/api/v1/me/two-factor/recovery-codes', { body })),
    gcTime: 0,
    onSuccess: () => invalidateSecurity(queryClient),
  })
}
