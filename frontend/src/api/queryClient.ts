import { QueryClient } from '@tanstack/react-query'
import { ApiError } from './http'

/** Server errors and network failures are worth a retry; a 4xx answer will not change by asking again. */
function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status < 500) return false
  return failureCount < 2
}

/** The app's QueryClient settings; main.tsx makes the one instance, tests make their own. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry },
      // A write is never repeated behind the operator's back: a retried POST could create twice.
      mutations: { retry: false },
    },
  })
}
