import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import type { SeriesQuery, WindowQuery } from '../../lib/timeWindow'
import type { GroupBy } from './model'

/** Every key holds the instance and the window, so one window's answers never show for another. */
export const dashboardKeys = {
  all: (slug: string) => ['dashboard', slug] as const,
  summary: (slug: string, window: WindowQuery) => [...dashboardKeys.all(slug), 'summary', window] as const,
  series: (slug: string, window: SeriesQuery) => [...dashboardKeys.all(slug), 'timeseries', window] as const,
  breakdown: (slug: string, groupBy: GroupBy, window: WindowQuery, limit: number) =>
    [...dashboardKeys.all(slug), 'breakdown', groupBy, window, limit] as const,
}

export interface DashboardQueryOptions {
  enabled?: boolean
  /** Milliseconds between refetches (auto-refresh), or false. */
  refetchInterval?: number | false
}

/** Calls, errors, latency, registrations and active users over the window. */
export function useAnalyticsSummary(slug: string, window: WindowQuery, { enabled = true, refetchInterval = false }: DashboardQueryOptions = {}) {
  return useQuery({
    queryKey: dashboardKeys.summary(slug, window),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/analytics/summary', { params: { path: { instance: slug }, query: window } })),
    placeholderData: keepPreviousData,
    enabled,
    refetchInterval,
  })
}

/** The same through time, one point per granularity step. */
export function useAnalyticsSeries(slug: string, window: SeriesQuery, { enabled = true, refetchInterval = false }: DashboardQueryOptions = {}) {
  return useQuery({
    queryKey: dashboardKeys.series(slug, window),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/analytics/timeseries', { params: { path: { instance: slug }, query: window } })),
    placeholderData: keepPreviousData,
    enabled,
    refetchInterval,
  })
}

/** The top routes, applications or statuses of the window, by calls. */
export function useAnalyticsBreakdown(
  slug: string,
  groupBy: GroupBy,
  window: WindowQuery,
  { enabled = true, refetchInterval = false, limit = 10 }: DashboardQueryOptions & { limit?: number } = {},
) {
  return useQuery({
    queryKey: dashboardKeys.breakdown(slug, groupBy, window, limit),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/analytics/breakdown', {
          params: { path: { instance: slug }, query: { ...window, group_by: groupBy, limit } },
        }),
      ),
    placeholderData: keepPreviousData,
    enabled,
    refetchInterval,
  })
}
