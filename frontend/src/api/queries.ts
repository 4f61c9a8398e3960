import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query'
import {
  fetchAudience,
  fetchCacheStats,
  fetchCampaign,
  fetchCampaignHistory,
  fetchCampaignTimeline,
  fetchCampaigns,
  fetchCategories,
  fetchCategory,
  fetchContacts,
  fetchDailyCounters,
  fetchInteractions,
  fetchMessages,
  fetchAudit,
  fetchMe,
  fetchStats,
  fetchUsers,
} from './fetchers'
import {
  auditKeys,
  cacheStatsKeys,
  campaignKeys,
  categoryKeys,
  contactKeys,
  interactionKeys,
  meKeys,
  messageKeys,
  monitoringKeys,
  statsKeys,
  userKeys,
} from './keys'
import type { AuditParams, ContactListParams, InteractionListParams, MessageListParams, TimelineBucket } from './types'

const MINUTE = 60_000

/** How long each resource counts as fresh: totals move slowly, lists a little faster. */
export const STALE_TIME = {
  stats: 5 * MINUTE,
  categories: 2 * MINUTE,
  contacts: 2 * MINUTE,
} as const

/**
 * The cache metrics are a live view: the live stream pushes them every 2 s (api/live.ts); while it is not
 * live (Redis away, reconnecting, no EventSource) they are polled instead (hooks/useCacheStats.ts).
 */
export const CACHE_STATS_POLL_MS = 5_000

export const statsQuery = () =>
  queryOptions({
    queryKey: statsKeys.all(),
    queryFn: ({ signal }) => fetchStats(signal),
    staleTime: STALE_TIME.stats,
  })

export const categoriesQuery = () =>
  queryOptions({
    queryKey: categoryKeys.list(),
    queryFn: ({ signal }) => fetchCategories(signal),
    staleTime: STALE_TIME.categories,
  })

export const categoryQuery = (id: number) =>
  queryOptions({
    queryKey: categoryKeys.detail(id),
    queryFn: ({ signal }) => fetchCategory(id, signal),
    staleTime: STALE_TIME.categories,
  })

// Paged lists keep showing the previous page while the next one loads, instead of a spinner.
export const contactsQuery = (params: ContactListParams) =>
  queryOptions({
    queryKey: contactKeys.list(params),
    queryFn: ({ signal }) => fetchContacts(params, signal),
    staleTime: STALE_TIME.contacts,
    placeholderData: keepPreviousData,
  })

export const campaignsQuery = () =>
  queryOptions({
    queryKey: campaignKeys.list(),
    queryFn: ({ signal }) => fetchCampaigns(signal),
  })

export const campaignQuery = (id: number) =>
  queryOptions({
    queryKey: campaignKeys.detail(id),
    queryFn: ({ signal }) => fetchCampaign(id, signal),
  })

export const campaignHistoryQuery = (id: number) =>
  queryOptions({
    queryKey: campaignKeys.history(id),
    queryFn: ({ signal }) => fetchCampaignHistory(id, signal),
  })

export const campaignTimelineQuery = (id: number, bucket: TimelineBucket) =>
  queryOptions({
    queryKey: campaignKeys.timeline(id, bucket),
    queryFn: ({ signal }) => fetchCampaignTimeline(id, bucket, signal),
    placeholderData: keepPreviousData,
  })

// The previous number stays on screen while the next set of categories is counted; none is asked for no category.
export const audienceQuery = (categoryIds: number[]) => {
  const queryKey = campaignKeys.audience(categoryIds)
  return queryOptions({
    queryKey,
    queryFn: ({ signal }) => fetchAudience(queryKey[2], signal),
    enabled: categoryIds.length > 0,
    placeholderData: keepPreviousData,
  })
}

export const messagesQuery = (params: MessageListParams) =>
  queryOptions({
    queryKey: messageKeys.list(params),
    queryFn: ({ signal }) => fetchMessages(params, signal),
    placeholderData: keepPreviousData,
  })

/** The answers, newest first, a keyset page at a time: "load more" fetches the page after the last one's cursor. */
export const interactionsQuery = (params: InteractionListParams) =>
  infiniteQueryOptions({
    queryKey: interactionKeys.list(params),
    queryFn: ({ signal, pageParam }) => fetchInteractions(params, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })

export const dailyCountersQuery = (days: number) =>
  queryOptions({
    queryKey: monitoringKeys.daily(days),
    queryFn: ({ signal }) => fetchDailyCounters(days, signal),
    placeholderData: keepPreviousData,
  })

export const cacheStatsQuery = () =>
  queryOptions({
    queryKey: cacheStatsKeys.all(),
    queryFn: ({ signal }) => fetchCacheStats(signal),
  })

/**
 * The session's user. A 401 is not retried (no 4xx is: queryClient.ts), it means "log in", at once. Fresh for a
 * minute, and asked again when the tab comes back to the front, so a role an admin changed shows without a reload.
 */
export const meQuery = () =>
  queryOptions({
    queryKey: meKeys.all(),
    queryFn: ({ signal }) => fetchMe(signal),
    staleTime: MINUTE,
  })

export const usersQuery = () =>
  queryOptions({
    queryKey: userKeys.list(),
    queryFn: ({ signal }) => fetchUsers(signal),
  })

/** The audit log, newest first, a keyset page at a time, as the answers are. */
export const auditQuery = (params: AuditParams) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(params),
    queryFn: ({ signal, pageParam }) => fetchAudit(params, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
