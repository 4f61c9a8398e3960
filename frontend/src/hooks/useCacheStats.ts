import { useQuery } from '@tanstack/react-query'
import { CACHE_STATS_POLL_MS, cacheStatsQuery } from '../api'
import { useLiveState } from './useLiveStream'

/** The cache metrics: pushed by the live stream while it is live, polled every few seconds otherwise. */
export function useCacheStats() {
  const live = useLiveState() === 'live'
  return useQuery({ ...cacheStatsQuery(), refetchInterval: live ? false : CACHE_STATS_POLL_MS })
}
