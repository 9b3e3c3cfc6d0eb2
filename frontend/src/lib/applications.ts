import { useQuery } from '@tanstack/react-query'
import { api, unwrap, type Schemas } from '../api/client'
import { allPages, PAGE_SIZE } from './pages'

export type ApplicationSummary = Schemas['ApplicationDto']

/**
 * The query keys of the instance's applications. The list is read by the Applications area and
 * wherever an application is chosen (identity providers limited to some applications), so its key
 * and its shape live here, once.
 */
export const applicationQueryKeys = {
  all: (slug: string) => ['applications', slug] as const,
  list: (slug: string) => [...applicationQueryKeys.all(slug), 'list'] as const,
}

/** The instance's applications (walks the cursor; an instance holds a handful). */
export function useApplicationList(slug: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: applicationQueryKeys.list(slug),
    queryFn: () =>
      allPages<ApplicationSummary>((cursor) =>
        unwrap(api.GET('/api/v1/instances/{instance}/applications', { params: { path: { instance: slug }, query: { limit: PAGE_SIZE, cursor } } })),
      ),
    enabled,
  })
}
