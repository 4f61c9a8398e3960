// The dashboard's session lives in an HttpOnly cookie the script never sees; what the script keeps is the
// session's CSRF token (from POST /api/auth/login or GET /api/auth/me), in memory only: a reload asks /me
// again. Every unsafe request sends it as `X-CSRF-Token` (http.ts). A 401 from any request but the login
// itself means the session is gone (expired, logged out in another tab, the user deactivated): `ended`
// flips, and the shell sends the operator to the login page with the way back.

export interface SessionState {
  /** True once a request was refused for want of a session, until the next login. */
  ended: boolean
}

let csrfToken: string | null = null
let state: SessionState = { ended: false }
const listeners = new Set<() => void>()

function emit(next: SessionState): void {
  state = next
  listeners.forEach((listener) => listener())
}

export const getCsrfToken = (): string | null => csrfToken

/**
 * A request was let in (the login, GET /api/auth/me): keeps its CSRF token, which is null when the API let us
 * in without a session (the open development API), and the session counts as alive again.
 */
export function startSession(token: string | null): void {
  csrfToken = token
  if (state.ended) emit({ ended: false })
}

/** Logged out on purpose: the token goes; no redirect is due (the logout goes to the login page itself). */
export function forgetSession(): void {
  csrfToken = null
}

/** Called on a 401: the session is over; the token goes with it. */
export function endSession(): void {
  csrfToken = null
  if (!state.ended) emit({ ended: true })
}

export const getSessionState = (): SessionState => state

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Test helper: back to the initial state. */
export function resetSession(): void {
  csrfToken = null
  emit({ ended: false })
}
