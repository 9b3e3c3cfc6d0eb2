import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
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
      // Member lists show names and emails.
      return queryClient.invalidateQueries({ queryKey: ['instances'] })
    },
  })
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST('/api/v1/me/password', { body })),
  })
}
