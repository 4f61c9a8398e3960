import type { QueryFilters, QueryKey } from '@tanstack/react-query'
import type { ContactListParams, MessageListParams } from './types'

// The only place query keys are written. Each key holds every variable its fetcher uses.
//
// The categories list is ['categories'], which is also the prefix of every ['categories', id]:
// writes therefore match the list with `exact: true` so they never touch unrelated details.

export const statsKeys = {
  all: () => ['stats'] as const,
}

export const categoryKeys = {
  list: () => ['categories'] as const,
  detail: (id: number) => ['categories', id] as const,
}

export const contactKeys = {
  /** Prefix of every contacts list, whatever its page and filters. */
  lists: () => ['contacts'] as const,
  list: (params: ContactListParams) => ['contacts', params] as const,
}

export const campaignKeys = {
  list: () => ['campaigns'] as const,
}

export const messageKeys = {
  list: (params: MessageListParams) => ['messages', params] as const,
}

export const monitoringKeys = {
  daily: (days: number) => ['monitoring', days] as const,
}

export const cacheStatsKeys = {
  all: () => ['cache-stats'] as const,
}

/** Filter matching one query and nothing under it. */
export function exactly(queryKey: QueryKey): QueryFilters {
  return { queryKey, exact: true }
}

/** Filter matching every query whose key starts with this prefix. */
export function under(queryKey: QueryKey): QueryFilters {
  return { queryKey }
}
