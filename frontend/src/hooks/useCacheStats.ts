import { useQuery } from '@tanstack/react-query'
import { cacheStatsQuery } from '../api'

/** The cache metrics, polled every few seconds by the query options. */
export function useCacheStats() {
  return useQuery(cacheStatsQuery())
}
