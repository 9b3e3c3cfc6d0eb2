import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { isPending, type EmailStatus, type MailboxMessage, type MailboxPage, type OutboxPage } from './model'

export const emailKeys = {
  outbox: (slug: string) => ['outbox', slug] as const,
  outboxList: (slug: string, status: EmailStatus | null) => [...emailKeys.outbox(slug), 'list', status ?? 'all'] as const,
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

/** The outbox, newest first, one "Load more" page at a time. */
export function useOutbox(slug: string, status: EmailStatus | null) {
  return useInfiniteQuery({
    queryKey: emailKeys.outboxList(slug, status),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/instances/{instance}/outbox', {
          params: { path: { instance: slug }, query: { status: status ?? undefined, limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => outboxPollInterval(query.state.data?.pages),
    placeholderData: keepPreviousData,
  })
}

/** Queues a failed email again (developer role and up). */
export function useRetryEmail(slug: string) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/instances/{instance}/outbox/{id}/retry', { params: { path: { instance: slug, id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: emailKeys.outbox(slug) }),
  })
}

/** Messages captured by the local mailbox, optionally only those to one address. */
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
