import { keepPreviousData } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import {
  cacheStatsQuery,
  campaignsQuery,
  categoriesQuery,
  categoryQuery,
  contactsQuery,
  dailyCountersQuery,
  messagesQuery,
  statsQuery,
} from './index'

const MINUTE = 60_000

describe('query options', () => {
  it('keeps stats fresh for 5 minutes', () => {
    expect(statsQuery().staleTime).toBe(5 * MINUTE)
  })

  it('keeps categories, one category and contacts fresh for 2 minutes', () => {
    expect(categoriesQuery().staleTime).toBe(2 * MINUTE)
    expect(categoryQuery(3).staleTime).toBe(2 * MINUTE)
    expect(contactsQuery({ page: 1, per_page: 20 }).staleTime).toBe(2 * MINUTE)
  })

  it('keeps the previous page while paging contacts, messages and days', () => {
    expect(contactsQuery({ page: 2, per_page: 20 }).placeholderData).toBe(keepPreviousData)
    expect(messagesQuery({ per_page: 25, cursor: 'abc' }).placeholderData).toBe(keepPreviousData)
    expect(dailyCountersQuery(30).placeholderData).toBe(keepPreviousData)
  })

  it('leaves the cache metrics to the live stream: the query itself does not poll (useCacheStats does when not live)', () => {
    expect(cacheStatsQuery().refetchInterval).toBeUndefined()
  })

  it('builds the keys of the contract', () => {
    expect(statsQuery().queryKey).toEqual(['stats'])
    expect(categoriesQuery().queryKey).toEqual(['categories', 'list', {}])
    expect(categoryQuery(3).queryKey).toEqual(['categories', 'detail', 3])
    expect(contactsQuery({ page: 2, per_page: 20, search: 'ada' }).queryKey).toEqual([
      'contacts',
      'list',
      { page: 2, per_page: 20, search: 'ada' },
    ])
    expect(campaignsQuery().queryKey).toEqual(['campaigns', 'list', {}])
    expect(messagesQuery({ per_page: 25 }).queryKey).toEqual(['messages', 'list', { per_page: 25 }])
    expect(dailyCountersQuery(7).queryKey).toEqual(['monitoring', 'daily', 7])
    expect(cacheStatsQuery().queryKey).toEqual(['cache-stats'])
  })
})
