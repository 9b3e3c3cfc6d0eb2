import { useMutation, useQuery } from '@tanstack/react-query'
import { api, unwrap, type Schemas } from '../api/client'

export type Account = Schemas['AccountDto']

/** The signed-in console account; shared by the app frame and the profile area. */
export const meQueryKey = ['me'] as const

export function useMe({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    staleTime: 60_000,
    enabled,
  })
}

/** Sends the verification link again (202; 409 `email_already_verified`; 429 with Retry-After). */
export function useResendVerification() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/verification-email')),
  })
}

/** The email addresses are the same account's (the server compares them case-insensitively). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase()
}

/** Where the console's account security lives (two-factor, sessions, security log). */
export const SECURITY_PATH = '/profile/security'
