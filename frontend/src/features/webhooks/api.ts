import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { allPages, PAGE_SIZE } from '../../lib/pages'
import { deliveriesPollInterval, DELIVERY_POLL_MS, type DeliveryStatus, type EventType, type Webhook } from './model'

export const webhookKeys = {
  eventTypes: ['webhook-event-types'] as const,
  all: (slug: string) => ['webhooks', slug] as const,
  list: (slug: string) => [...webhookKeys.all(slug), 'list'] as const,
  detail: (slug: string, id: string) => [...webhookKeys.all(slug), 'detail', id] as const,
  deliveries: (slug: string, id: string) => [...webhookKeys.all(slug), 'deliveries', id] as const,
  deliveryList: (slug: string, id: string, status: DeliveryStatus | null) => [...webhookKeys.deliveries(slug, id), 'list', status ?? 'all'] as const,
  delivery: (slug: string, id: string, deliveryId: string) => [...webhookKeys.deliveries(slug, id), 'one', deliveryId] as const,
}

const DELIVERY_PAGE = 25

/** The event types endpoints may receive, with what each means (the same for every instance). */
export function useEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: () => unwrap(api.GET('/api/v1/webhook-event-types')),
    staleTime: Infinity,
  })
}

/** The instance's endpoints, newest first (walks the cursor; an instance holds a handful). */
export function useWebhooks(slug: string) {
  return useQuery({
    queryKey: webhookKeys.list(slug),
    queryFn: () =>
      allPages<Webhook>((cursor) =>
        unwrap(api.GET('/api/v1/instances/{instance}/webhooks', { params: { path: { instance: slug }, query: { limit: PAGE_SIZE, cursor } } })),
      ),
  })
}

export function useWebhook(slug: string, id: string) {
  return useQuery({
    queryKey: webhookKeys.detail(slug, id),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/webhooks/{id}', { params: { path: { instance: slug, id } } })),
  })
}

export interface CreateWebhookInput {
  url: string
  description?: string
  /** None: every type. */
  event_types?: EventType[]
  enabled?: boolean
}

/** Adds an endpoint; the answer carries its one-time signing secret, which stays out of the query cache. */
export function useCreateWebhook(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateWebhookInput) =>
      unwrap(api.POST('/api/v1/instances/{instance}/webhooks', { params: { path: { instance: slug } }, body })),
    onSuccess: (created) => {
      queryClient.setQueryData(webhookKeys.detail(slug, created.endpoint.id), created.endpoint)
      return queryClient.invalidateQueries({ queryKey: webhookKeys.list(slug) })
    },
  })
}

export interface UpdateWebhookInput {
  url?: string
  description?: string
  event_types?: EventType[]
  /** Turning an endpoint on again forgets its failures. */
  enabled?: boolean
}

export function useUpdateWebhook(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: UpdateWebhookInput) =>
      unwrap(api.PATCH('/api/v1/instances/{instance}/webhooks/{id}', { params: { path: { instance: slug, id } }, body })),
    onSuccess: (endpoint) => {
      queryClient.setQueryData(webhookKeys.detail(slug, id), endpoint)
      return queryClient.invalidateQueries({ queryKey: webhookKeys.list(slug) })
    },
  })
}

export function useDeleteWebhook(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/instances/{instance}/webhooks/{id}', { params: { path: { instance: slug, id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: webhookKeys.detail(slug, id) })
      queryClient.removeQueries({ queryKey: webhookKeys.deliveries(slug, id) })
      return queryClient.invalidateQueries({ queryKey: webhookKeys.list(slug) })
    },
  })
}

/** Rotates the signing secret; the new one is in the result only (never cached). */
export function useRotateWebhookSecret(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (gracePeriodSecs: number) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/webhooks/{id}/secret', {
          params: { path: { instance: slug, id } },
          body: { grace_period_secs: gracePeriodSecs },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.detail(slug, id) }),
  })
}

/** Queues a `webhook.test` event for the endpoint (409 `endpoint_disabled` when it is off). */
export function useSendTestEvent(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/instances/{instance}/webhooks/{id}/test', { params: { path: { instance: slug, id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(slug, id) }),
  })
}

/** Sends a delivery's event again: a new delivery, with the same message id. */
export function useResendDelivery(slug: string, id: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/v1/instances/{instance}/webhooks/{id}/deliveries/{delivery_id}/resend', {
          params: { path: { instance: slug, id, delivery_id: deliveryId } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(slug, id) }),
  })
}

/**
 * The endpoint's deliveries, newest first, one "Load more" page at a time; refreshes itself every
 * few seconds while any of them is pending, and stops when none is.
 */
export function useDeliveries(slug: string, id: string, status: DeliveryStatus | null) {
  return useInfiniteQuery({
    queryKey: webhookKeys.deliveryList(slug, id, status),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/webhooks/{id}/deliveries', {
          params: { path: { instance: slug, id }, query: { status: status ?? undefined, limit: DELIVERY_PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => deliveriesPollInterval(query.state.data?.pages),
    placeholderData: keepPreviousData,
  })
}

/** One delivery with the body sent and every attempt; refreshes itself while it is pending. */
export function useDelivery(slug: string, id: string, deliveryId: string | null) {
  return useQuery({
    queryKey: webhookKeys.delivery(slug, id, deliveryId ?? ''),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/webhooks/{id}/deliveries/{delivery_id}', {
          params: { path: { instance: slug, id, delivery_id: deliveryId ?? '' } },
        }),
      ),
    enabled: deliveryId !== null,
    refetchInterval: (query) => (query.state.data?.delivery.status === 'pending' ? DELIVERY_POLL_MS : false),
  })
}
