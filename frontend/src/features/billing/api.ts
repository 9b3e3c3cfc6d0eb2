import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { downloadFile } from '../../lib/download'
import type { SeriesQuery } from '../../lib/timeWindow'
import type { Invoice } from './model'

export const billingKeys = {
  all: (slug: string) => ['billing', slug] as const,
  usage: (slug: string, window: SeriesQuery) => [...billingKeys.all(slug), 'usage', window] as const,
  overview: (slug: string) => [...billingKeys.all(slug), 'overview'] as const,
  invoices: (slug: string) => [...billingKeys.all(slug), 'invoices'] as const,
  /** The catalogue is the same for every instance. */
  plans: ['billing-plans'] as const,
}

/** API calls (billable) and registrations through time over the window. */
export function useUsage(slug: string, window: SeriesQuery, enabled = true) {
  return useQuery({
    queryKey: billingKeys.usage(slug, window),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/usage', { params: { path: { instance: slug }, query: window } })),
    placeholderData: keepPreviousData,
    enabled,
  })
}

/** The plan, this period's usage against it, its alerts, the bill to date and the projected bill. */
export function useBillingOverview(slug: string) {
  return useQuery({
    queryKey: billingKeys.overview(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/billing', { params: { path: { instance: slug } } })),
  })
}

/** The plans an instance can be on. */
export function usePlans() {
  return useQuery({
    queryKey: billingKeys.plans,
    queryFn: () => unwrap(api.GET('/api/v1/billing/plans')),
    staleTime: 5 * 60_000,
  })
}

const INVOICE_PAGE = 12

/** Past invoices, newest first, a year at a time. */
export function useInvoices(slug: string) {
  return useInfiniteQuery({
    queryKey: billingKeys.invoices(slug),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/billing/invoices', {
          params: { path: { instance: slug }, query: { limit: INVOICE_PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
}

/** Moves the instance to `plan` now (owner only); the answer is the new overview. */
export function useChangePlan(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (plan: string) =>
      unwrap(api.PUT('/api/v1/instances/{instance}/billing/plan', { params: { path: { instance: slug } }, body: { plan } })),
    onSuccess: (overview) => {
      queryClient.setQueryData(billingKeys.overview(slug), overview)
      return queryClient.invalidateQueries({ queryKey: billingKeys.all(slug) })
    },
  })
}

export type InvoiceFormat = 'pdf' | 'csv'

const ACCEPT: Record<InvoiceFormat, string> = { pdf: 'application/pdf', csv: 'text/csv' }

/** Saves an invoice as PDF or CSV (fetched with the session's token). */
export function useDownloadInvoice(slug: string) {
  return useMutation({
    mutationFn: ({ invoice, format }: { invoice: Invoice; format: InvoiceFormat }) =>
      downloadFile(
        `/api/v1/instances/${encodeURIComponent(slug)}/billing/invoices/${encodeURIComponent(invoice.id)}/${format}`,
        ACCEPT[format],
        `${invoice.number}.${format}`,
      ),
  })
}
