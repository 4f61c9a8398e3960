import { getToken, requireToken } from './auth'

/** Field name to messages, as the API's 422 `details` carries them. */
export type ErrorDetails = Record<string, unknown>

/** An error answer of the API, from its envelope {"error": {"code", "message", "details"}}. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: ErrorDetails

  constructor(status: number, code: string, message: string, details: ErrorDetails = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
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
  )
}

/** The headers every call sends: what it accepts, and the bearer token if one is stored. */
export function authHeaders(accept = 'application/json'): { token: string | null; headers: Record<string, string> } {
  const headers: Record<string, string> = { Accept: accept }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  return { token, headers }
}

/** Fetches with the stored token; an answer that is not OK throws its ApiError (a 401 asks for a token). */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const { token, headers } = authHeaders(accept)
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'

  const response = await fetch(buildUrl(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  })
  if (!response.ok) {
    if (response.status === 401) requireToken(token)
    throw await toApiError(response)
  }
  return response
}

/** Calls the API with JSON in and out, the bearer token if one is stored, and the caller's abort signal. */
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
