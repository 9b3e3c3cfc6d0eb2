import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, publicApi, unwrap, type Schemas } from '../../api/client'
import { meQueryKey, type Account } from '../../lib/account'
import { session, type TokenGrant } from '../../lib/session'

export interface LoginInput {
  email: string
  password: string
}

export interface SignupInput extends LoginInput {
  name: string
}

export type TwoFactorChallenge = Schemas['TwoFactorChallenge']
export type Invitation = Schemas['InvitationPreview']

/** The login answered 202: the account has two-factor sign-in and a second step is needed. */
export function isChallenge(result: TokenGrant | TwoFactorChallenge): result is TwoFactorChallenge {
  return 'challenge_token' in result
}

/**
 * Signs in with email and password. The access token is kept in memory; the refresh token never
 * reaches JavaScript (the client asks the server to keep it in an HttpOnly cookie). With two-factor
 * sign-in the answer is a challenge instead (nothing is signed in yet): see `useLoginTwoFactor`.
 */
export function useLogin() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (body: LoginInput): Promise<TokenGrant | TwoFactorChallenge> =>
      unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (result) => {
      if (isChallenge(result)) return
      queryClient.clear()
      session.signIn(result)
    },
  })
}

/** The second step: the challenge and a TOTP code or a recovery code; signs in like `useLogin`. */
export function useLoginTwoFactor() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { challenge_token: string } & ({ code: string } | { recovery_code: string })) =>
      unwrap(api.POST('/api/v1/auth/login/two-factor', { body })),
    onSuccess: (grant) => {
      queryClient.clear()
      session.signIn(grant)
    },
  })
}

/** Creates an account and signs it in, like `useLogin` (the server also sends a verification link). */
export function useSignup() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: SignupInput) => unwrap(api.POST('/api/v1/auth/signup', { body })),
    onSuccess: (result) => {
      queryClient.clear()
      session.signIn(result)
      queryClient.setQueryData(meQueryKey, result.account)
    },
  })
}

/**
 * Logs out on the server (best effort: it ends the session and clears the session cookie) and
 * always forgets the session in this tab and the console's other tabs.
 */
export function useLogout() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async () => {
      try {
        await unwrap(api.POST('/api/v1/auth/logout'))
      } catch {
        // The local session ends regardless; an expired or revoked one is already over.
      }
    },
    onSettled: () => {
      session.signOut()
      queryClient.clear()
    },
  })
}

/** Asks for a password-reset link; the answer is the same whether or not the account exists. */
export function useForgotPassword() {
  return useMutation({
    mutationFn: (body: { email: string }) => unwrap(publicApi.POST('/api/v1/auth/forgot-password', { body })),
  })
}

/** Sets a new password with the token of the emailed link (204). */
export function useResetPassword() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { token: string; password: string }) => unwrap(publicApi.POST('/api/v1/auth/reset-password', { body })),
    // Every session of the account ended on the server: end this tab's (and the other tabs') too.
    onSuccess: () => {
      session.signOut()
      queryClient.clear()
    },
  })
}

/** Proves the address with the token of the emailed link; keeps the signed-in account fresh. */
export function useVerifyEmail() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (token: string) => unwrap(publicApi.POST('/api/v1/auth/verify-email', { body: { token } })),
    onSuccess: (account: Account) => {
      const me = queryClient.getQueryData<Account>(meQueryKey)
      if (me?.id === account.id) queryClient.setQueryData(meQueryKey, account)
      else void queryClient.invalidateQueries({ queryKey: meQueryKey })
    },
  })
}

/** What an invitation link is for (no sign-in needed). */
export function useInvitationLookup(token: string) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: () => unwrap(publicApi.POST('/api/v1/invitations/lookup', { body: { token } })),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  })
}

/** Joins the instance as the signed-in account. */
export function useAcceptInvitation() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['instances'] }),
  })
}
