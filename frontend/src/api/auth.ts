// The API token lives in sessionStorage (the contract: kept for the browser session only).
// A 401 from any request flips `required`, which makes the app show the token prompt.

export const TOKEN_STORAGE_KEY = 'chatbot.apiToken'

export interface AuthState {
  required: boolean
  /** True when the token we sent was refused, so the prompt can say so. */
  rejected: boolean
}

let state: AuthState = { required: false, rejected: false }
const listeners = new Set<() => void>()

function emit(next: AuthState): void {
  state = next
  listeners.forEach((listener) => listener())
}

/** The stored token, or null (storage can be unavailable in locked-down browsers). */
export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY)
  } catch {
    return null
  }
}

/** Stores the token and clears the prompt. */
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_STORAGE_KEY, token)
  emit({ required: false, rejected: false })
}

/**
 * Called on a 401 with the token that request sent: forgets it and asks for one. A 401 for an older
 * token (the operator typed a new one while the request was in flight) is ignored.
 */
export function requireToken(sentToken: string | null): void {
  if (sentToken !== getToken()) return
  if (sentToken !== null) sessionStorage.removeItem(TOKEN_STORAGE_KEY)
  if (!state.required || sentToken !== null) emit({ required: true, rejected: sentToken !== null })
}

export function getAuthState(): AuthState {
  return state
}

export function subscribeAuth(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Test helper: back to the initial state. */
export function resetAuth(): void {
  sessionStorage.removeItem(TOKEN_STORAGE_KEY)
  emit({ required: false, rejected: false })
}
