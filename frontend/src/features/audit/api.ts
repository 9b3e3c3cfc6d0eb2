import { keepPreviousData, useInfiniteQuery, useMutation } from '@tanstack/react-query'
import { api, authFetch, unwrap } from '../../api/client'
import { problemFromResponse } from '../../lib/problem'
import { auditQuery, type AuditFilters } from './model'

export const auditKeys = {
  all: (slug: string) => ['audit-log', slug] as const,
  list: (slug: string, filters: AuditFilters) => [...auditKeys.all(slug), 'list', filters] as const,
}

const PAGE = 50

/** The audit log, newest first, one "Load more" page at a time. */
export function useAuditLog(slug: string, filters: AuditFilters, timeZone: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(slug, filters),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/audit-log', {
          params: { path: { instance: slug }, query: { ...auditQuery(filters, timeZone), limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled,
  })
}

/** Downloads the entries matching `filters` as CSV. */
export function useExportAuditLog(slug: string, timeZone: string) {
  return useMutation({
    mutationFn: async (filters: AuditFilters) => {
      const url = new URL(`/api/v1/instances/${encodeURIComponent(slug)}/audit-log.csv`, globalThis.location?.origin ?? 'http://localhost')
      for (const [key, value] of Object.entries(auditQuery(filters, timeZone))) if (value !== undefined) url.searchParams.set(key, value)
      const response = await authFetch(new Request(url, { headers: { Accept: 'text/csv' } }))
      if (!response.ok) throw await problemFromResponse(response)
      const blob = await response.blob()
      const href = URL.createObjectURL(blob)
      const link = document.createElement('a')
      link.href = href
      link.download = `audit-log-${slug}.csv`
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(href), 0)
    },
  })
}
