import { useMutation, useQuery } from '@tanstack/react-query'
import { publicApi, unwrap } from '../../api/client'

/** The instance's name and logo, for the page's header. */
export function useBranding(instance: string) {
  return useQuery({
    queryKey: ['public', instance, 'branding'],
    queryFn: () => unwrap(publicApi.GET('/public/v1/{instance}/branding', { params: { path: { instance } } })),
    enabled: instance !== '',
    retry: false,
  })
}

export function useVerifyEmail(instance: string) {
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(publicApi.POST('/public/v1/{instance}/auth/verify-email', { params: { path: { instance } }, body: { token } })),
  })
}

export function useSetPassword(instance: string) {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(publicApi.POST('/public/v1/{instance}/auth/reset-password', { params: { path: { instance } }, body })),
  })
}
