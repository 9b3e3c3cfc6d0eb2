import { useQuery } from '@tanstack/react-query'
import { api, unwrap } from '../api/client'

/** The signed-in console account; shared by the app frame and the profile area. */
export const meQueryKey = ['me'] as const

export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    staleTime: 60_000,
  })
}
