import { useMutation, useQuery } from '@tanstack/react-query'
import { instanceApi, unwrap, type InstanceSchemas } from '../../api/client'

/** The instance's name and logo, for the page's header. */
export function useBranding(instance: string) {
  return useQuery({
    queryKey: ['public', instance, 'branding'],
    queryFn: () => unwrap(instanceApi(instance).GET('/branding')),
    enabled: instance !== '',
    retry: false,
  })
}

export function useVerifyEmail(instance: string) {
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(instanceApi(instance).POST('/auth/verify-email', { body: { token } })),
  })
}

export function useSetPassword(instance: string) {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(instanceApi(instance).POST('/auth/reset-password', { body })),
  })
}

/**
 * What a link in an end user's email is for: the address, whether it still works, and the
 * application to go back to. Fails with 400 `invalid_token` for a link the server does not know.
 */
export function useLinkInfo(instance: string, token: string) {
  return useQuery({
    queryKey: ['public', instance, 'link-info', token],
    queryFn: () =>
      unwrap(instanceApi(instance).POST('/auth/link-info', { body: { token } })),
    enabled: instance !== '' && token !== '',
    retry: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  })
}

export type LinkInfo = InstanceSchemas['LinkInfo']

/**
 * Sends a fresh link of the same kind to the same address; the old one stops working (202;
 * 409 `already_verified` for an address verified meanwhile; 429 with Retry-After).
 */
export function useRenewLink(instance: string) {
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(instanceApi(instance).POST('/auth/link-renew', { body: { token } })),
  })
}
