import { endSession, getCsrfToken } from './session'

/** Field name to messages, as the API's 422 `details` carries them. */
export type ErrorDetails = Record<string, unknown>

/** An error answer of the API, from its envelope {"error": {"code", "message", "details"}}. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: ErrorDetails
  /** Seconds the server asks to wait before trying again (a 429's `Retry-After`), when it says. */
  readonly retryAfter: number | null

  constructor(status: number, code: string, message: string, details: ErrorDetails = {}, retryAfter: number | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }
}

type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  query?: Record<string, QueryValue>
  body?: unknown
  signal?: AbortSignal
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    // Empty filters are left out so the server applies its defaults.
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value))
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** The error an answer that is not OK stands for, read from its envelope when it has one. */
export async function toApiError(response: Response): Promise<ApiError> {
  let payload: unknown = null
  try {
    payload = await response.json()
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status text below.
  }
  const error = (payload as { error?: { code?: string; message?: string; details?: ErrorDetails } } | null)?.error
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? (`${response.status} ${response.statusText}`.trim() || 'Request failed'),
    error?.details ?? {},
    retryAfterSeconds(response.headers.get('Retry-After')),
  )
}

/** `Retry-After` in seconds: the header is either a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const at = Date.parse(header)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The login answers 401 for a wrong password: that is the form's message, not the end of a session. */
export const LOGIN_PATH = '/api/auth/login'

/** The headers a call sends: what it accepts, and for an unsafe method the session's CSRF token if one is known. */
export function sessionHeaders(method: string, accept = 'application/json'): Record<string, string> {
  const headers: Record<string, string> = { Accept: accept }
  const csrf = getCsrfToken()
  if (csrf && !SAFE_METHODS.has(method)) headers['X-CSRF-Token'] = csrf
  return headers
}

/** What a refused answer means beyond its error: a 401 (but the login's own) ends the session. */
export function noteRefusal(status: number, path: string): void {
  if (status === 401 && path !== LOGIN_PATH) endSession()
}

/** Fetches with the session cookie and CSRF header; an answer that is not OK throws its ApiError. */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const method = options.method ?? 'GET'
  const headers = sessionHeaders(method, accept)
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'

  const response = await fetch(buildUrl(path, options.query), {
    method,
    headers,
    // The session cookie goes to our own origin only (the default, said so the reader need not know it).
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  })
  if (!response.ok) {
    noteRefusal(response.status, path)
    throw await toApiError(response)
  }
  return response
}

/** Calls the API with JSON in and out, the session's credentials, and the caller's abort signal. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json')
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

/** A file the API answers (a CSV export), as a Blob with the name the server gave it, if any. */
export async function download(path: string, options: RequestOptions & { accept: string }): Promise<{ blob: Blob; filename: string | null }> {
  const response = await send(path, options, options.accept)
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const filename = disposition.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)?.[1] ?? null
  return { blob: await response.blob(), filename: filename && decodeURIComponent(filename) }
}
