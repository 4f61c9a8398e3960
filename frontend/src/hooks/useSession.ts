import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { useNavigate } from 'react-router'
import { forgetSession, getSessionState, login, logout, meQuery, subscribeSession } from '../api'
import type { Credentials } from '../api'
import { can } from '../auth/can'
import type { Action } from '../auth/can'

/** The session's user (GET /api/auth/me). */
export function useCurrentUser() {
  return useQuery(meQuery())
}

/** Whether the session's user may do an action (src/auth/can.ts); nothing until the user is known. */
export function useCan(): (action: Action) => boolean {
  const role = useCurrentUser().data?.role
  return (action) => can(role, action)
}

/** Whether a request was refused for want of a session (api/session.ts). */
export function useSessionEnded(): boolean {
  return useSyncExternalStore(subscribeSession, getSessionState).ended
}

/** The login page's address that comes back to `path` once logged in. */
export const loginPath = (path: string) => (path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`)

/** Where to go after the login: the page that asked for it, if it is one of ours (never another site). */
export function returnPath(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}

/**
 * Logs in; on success the cache is emptied (what a previous user saw must not show to this one) and the
 * page that sent the operator here opens again.
 */
export function useLogin(next: string | null) {
  const client = useQueryClient()
  const navigate = useNavigate()
  return useMutation({
    mutationFn: (credentials: Credentials) => login(credentials),
    onSuccess: async () => {
      client.clear()
      await navigate(returnPath(next), { replace: true })
    },
  })
}

/**
 * Logs out: the server ends the session, the CSRF token and every cached answer are forgotten, and the login
 * page opens. The local part happens even if the server's answer is an error (the session may be over already).
 */
export function useLogout() {
  const client = useQueryClient()
  const navigate = useNavigate()
  return useMutation({
    mutationFn: logout,
    onSettled: async () => {
      forgetSession()
      client.clear()
      await navigate('/login', { replace: true })
    },
  })
}
