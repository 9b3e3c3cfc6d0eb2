import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap, uploadFile } from '../../api/client'
import { ApiError } from '../../lib/problem'
import { identityProviderKeys } from '../../lib/identityProviders'
import type { EmailStyle, IdentityProvider, IdentityProviderInput, IdentityProviderList, Logo, PreviewInput, SmtpInput, TemplateKind, TemplateList } from './model'

export const generalKeys = {
  logo: (slug: string) => ['branding', slug, 'logo'] as const,
  templates: (slug: string) => ['email-templates', slug] as const,
  preview: (slug: string, kind: TemplateKind, input: PreviewInput) => ['email-templates', slug, 'preview', kind, input] as const,
  smtp: (slug: string) => ['smtp', slug] as const,
  previewUsers: (slug: string, q: string) => ['email-templates', slug, 'preview-users', q] as const,
}

/** End users to preview a message as: the ten newest, or those matching `q` (email or name). */
export function usePreviewUserSearch(slug: string, q: string, enabled: boolean) {
  return useQuery({
    queryKey: generalKeys.previewUsers(slug, q),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/users', {
          params: { path: { instance: slug }, query: { q: q || undefined, limit: '10' } },
          signal,
        }),
      ),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  })
}

// --- Logo -------------------------------------------------------------------------------------

/** The instance's logo, or null when none is uploaded (`404 logo_not_set`). */
export function useLogo(slug: string) {
  return useQuery({
    queryKey: generalKeys.logo(slug),
    queryFn: async (): Promise<Logo | null> => {
      try {
        return await unwrap(api.GET('/api/v1/instances/{instance}/branding/logo', { params: { path: { instance: slug } } }))
      } catch (error) {
        if (error instanceof ApiError && error.code === 'logo_not_set') return null
        throw error
      }
    },
  })
}

export interface LogoUpload {
  file: Blob
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/**
 * Uploads a logo as the raw body. Always labelled `image/png`: the server looks at the content, so
 * a JPEG named .png (or a PNG named .jpg) is judged by what it is, and its refusal says so.
 */
export function useUploadLogo(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ file, onProgress, signal }: LogoUpload) =>
      uploadFile<Logo>(`/api/v1/instances/${encodeURIComponent(slug)}/branding/logo`, file, 'image/png', { onProgress, signal }),
    onSuccess: (logo) => queryClient.setQueryData(generalKeys.logo(slug), logo),
  })
}

export function useDeleteLogo(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    // Already gone (removed from another tab): `404 logo_not_set` is the outcome wanted.
    mutationFn: async () => {
      try {
        await unwrap(api.DELETE('/api/v1/instances/{instance}/branding/logo', { params: { path: { instance: slug } } }))
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'logo_not_set')) throw error
      }
    },
    onSuccess: () => queryClient.setQueryData(generalKeys.logo(slug), null),
  })
}

// --- Email messages ---------------------------------------------------------------------------

export function useEmailTemplates(slug: string) {
  return useQuery({
    queryKey: generalKeys.templates(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/email-templates', { params: { path: { instance: slug } } })),
  })
}

export interface SaveTemplateInput {
  kind: TemplateKind
  subject: string | null
  body: string
}

export function useSaveTemplate(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ kind, subject, body }: SaveTemplateInput) =>
      unwrap(
        api.PUT('/api/v1/instances/{instance}/email-templates/{kind}', {
          params: { path: { instance: slug, kind } },
          body: { subject, body },
        }),
      ),
    onSuccess: (saved) =>
      queryClient.setQueryData<TemplateList>(generalKeys.templates(slug), (list) =>
        list ? { ...list, items: list.items.map((t) => (t.kind === saved.kind ? saved : t)) } : list,
      ),
  })
}

/** Back to the built-in template; the list is read again to get the default's text. */
export function useResetTemplate(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (kind: TemplateKind) =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/email-templates/{kind}', { params: { path: { instance: slug, kind } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: generalKeys.templates(slug), exact: true }),
  })
}

/**
 * A message rendered as it would be sent, from a draft (`input`: the unsaved subject, body and
 * font). Keeps showing the previous rendering while the next one loads.
 */
export function useTemplatePreview(slug: string, kind: TemplateKind, input: PreviewInput, enabled = true) {
  return useQuery({
    queryKey: generalKeys.preview(slug, kind, input),
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/email-templates/{kind}/preview', {
          params: { path: { instance: slug, kind } },
          body: input,
          signal,
        }),
      ),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  })
}

export function useSaveEmailStyle(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (style: EmailStyle) =>
      unwrap(api.PUT('/api/v1/instances/{instance}/email-style', { params: { path: { instance: slug } }, body: style })),
    onSuccess: (style) =>
      queryClient.setQueryData<TemplateList>(generalKeys.templates(slug), (list) => (list ? { ...list, style } : list)),
  })
}

// --- SMTP -------------------------------------------------------------------------------------

export function useSmtp(slug: string) {
  return useQuery({
    queryKey: generalKeys.smtp(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/smtp', { params: { path: { instance: slug } } })),
  })
}

export function useSaveSmtp(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: SmtpInput) =>
      unwrap(api.PUT('/api/v1/instances/{instance}/smtp', { params: { path: { instance: slug } }, body })),
    onSuccess: (saved) => queryClient.setQueryData(generalKeys.smtp(slug), saved),
  })
}

export interface SmtpTest {
  to: string
  settings?: SmtpInput
}

/** Connects for real, step by step (up to 10 s a step): a failed test is a report, not an error. */
export function useTestSmtp(slug: string) {
  return useMutation({
    mutationFn: ({ to, settings }: SmtpTest) =>
      unwrap(api.POST('/api/v1/instances/{instance}/smtp/test', { params: { path: { instance: slug } }, body: { to, settings } })),
  })
}

// --- Identity providers -----------------------------------------------------------------------

export { useIdentityProviders } from '../../lib/identityProviders'

/** Puts `saved` in the cached list in place of its key (or adds it), in the server's order. */
function withProvider(list: IdentityProviderList | undefined, saved: IdentityProvider): IdentityProviderList | undefined {
  if (!list) return list
  const others = list.items.filter((p) => p.key !== saved.key)
  const items = [...others, saved].toSorted((a, b) => a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return { ...list, items }
}

export interface SaveProvider {
  key: string
  body: IdentityProviderInput
}

/**
 * Saves provider `key` (`201` when it creates an OpenID Connect provider). An OpenID Connect
 * provider's discovery document is fetched and checked on every save: it may take a few seconds.
 */
export function useSaveProvider(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: ({ key, body }: SaveProvider) =>
      unwrap(api.PUT('/api/v1/instances/{instance}/identity-providers/{key}', { params: { path: { instance: slug, key } }, body })),
    onSuccess: (saved) => {
      queryClient.setQueryData<IdentityProviderList>(identityProviderKeys.list(slug), (list) => withProvider(list, saved))
      return queryClient.invalidateQueries({ queryKey: identityProviderKeys.list(slug) })
    },
  })
}

/** A built-in provider back to its defaults; an OpenID Connect provider removed. */
export function useResetProvider(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (key: string) =>
      unwrap(api.DELETE('/api/v1/instances/{instance}/identity-providers/{key}', { params: { path: { instance: slug, key } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: identityProviderKeys.list(slug) }),
  })
}
