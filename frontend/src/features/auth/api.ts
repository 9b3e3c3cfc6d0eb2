import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { meQueryKey } from '../../lib/account'
import { session } from '../../lib/session'

export interface LoginInput {
  email: string
  password: string
}

export interface SignupInput extends LoginInput {
  name: string
}

/**
 * Signs in with email and password. The access token is kept in memory; the refresh token never
 * reaches JavaScript (the client asks the server to keep it in an HttpOnly cookie).
 */
export function useLogin() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: LoginInput) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (grant) => {
      queryClient.clear()
      session.signIn(grant)
    },
  })
}

/** Creates an account and signs it in, like `useLogin`. */
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
