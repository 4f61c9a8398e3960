import { useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { getAuthState, setToken, subscribeAuth } from '../api'

/** Whether the API wants a token, and a way to give it one. */
export function useAuth() {
  const client = useQueryClient()
  const state = useSyncExternalStore(subscribeAuth, getAuthState)
  return {
    ...state,
    /** Stores the token and refetches what failed without it (every failed query, not only 401s, is retried). */
    submitToken: async (token: string) => {
      setToken(token.trim())
      await client.refetchQueries({ predicate: (query) => query.state.status === 'error' })
    },
  }
}
