import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { isPending, type EmailStatus, type MailboxMessage, type MailboxPage, type OutboxPage } from './model'

export const emailKeys = {
  outbox: (slug: string) => ['outbox', slug] as const,
  outboxList: (slug: string, status: EmailStatus | null, to: string) => [...emailKeys.outbox(slug), 'list', status ?? 'all', to] as const,
  outboxEmail: (slug: string, id: string) => [...emailKeys.outbox(slug), 'email', id] as const,
  transport: (slug: string) => ['email-transport', slug] as const,
  mailbox: (slug: string) => ['mailbox', slug] as const,
  mailboxList: (slug: string, to: string) => [...emailKeys.mailbox(slug), 'list', to] as const,
  message: (slug: string, id: string) => [...emailKeys.mailbox(slug), 'message', id] as const,
}

const PAGE = 50
/** How often the outbox refreshes while an email is queued or being sent. */
export const OUTBOX_POLL_MS = 5_000

/** Refresh every 5 s while any loaded email is still queued or sending; otherwise not at all. */
export function outboxPollInterval(pages: OutboxPage[] | undefined): number | false {
  return pages?.some((p) => p.items.some(isPending)) ? OUTBOX_POLL_MS : false
}

/** The outbox, newest first, one "Load more" page at a time; `to` matches part of the address. */
export function useOutbox(slug: string, status: EmailStatus | null, to: string) {
  return useInfiniteQuery({
    queryKey: emailKeys.outboxList(slug, status, to),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/outbox', {
          params: { path: { instance: slug }, query: { status: status ?? undefined, to: to || undefined, limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => outboxPollInterval(query.state.data?.pages),
    placeholderData: keepPreviousData,
  })
}

/** One email as it was sent, with its attempts; refreshes itself while it is on its way. */
export function useOutboxEmail(slug: string, id: string | null) {
  return useQuery({
    queryKey: emailKeys.outboxEmail(slug, id ?? ''),
    queryFn: () =>
      unwrap(api.GET('/api/v1/instances/{instance}/outbox/{id}', { params: { path: { instance: slug, id: id ?? '' } } })),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data && isPending(query.state.data) ? OUTBOX_POLL_MS : false),
  })
}

/**
 * Sends a failed email again, or a queued one now instead of at its next attempt (developer role
 * and up). The list and the email refresh either way: a refusal means it moved on meanwhile.
 */
export function useRetryEmail(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/instances/{instance}/outbox/{id}/retry', { params: { path: { instance: slug, id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: emailKeys.outbox(slug) }),
  })
}

/** Cancels a queued or failed email: it is never sent (developer role and up; 409 once it is on its way). */
export function useCancelEmail(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/instances/{instance}/outbox/{id}/cancel', { params: { path: { instance: slug, id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: emailKeys.outbox(slug) }),
  })
}

/** The transport the instance's next email really goes through (its SMTP server, the platform's, the mailbox). */
export function useEmailTransport(slug: string) {
  return useQuery({
    queryKey: emailKeys.transport(slug),
    queryFn: () => unwrap(api.GET('/api/v1/instances/{instance}/email-transport', { params: { path: { instance: slug } } })),
  })
}

/** Messages captured by the local mailbox; `to` matches part of the address. */
export function useMailbox(slug: string, to: string) {
  return useInfiniteQuery({
    queryKey: emailKeys.mailboxList(slug, to),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/mailbox', {
          params: { path: { instance: slug }, query: { to: to || undefined, limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: MailboxPage) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
}

/** One captured message; shows the list's copy at once while it loads. */
export function useMailboxMessage(slug: string, id: string | null, fromList?: MailboxMessage) {
  return useQuery({
    queryKey: emailKeys.message(slug, id ?? ''),
    queryFn: () =>
      unwrap(api.GET('/api/v1/instances/{instance}/mailbox/{id}', { params: { path: { instance: slug, id: id ?? '' } } })),
    enabled: id !== null,
    placeholderData: fromList,
    staleTime: Infinity,
  })
}
