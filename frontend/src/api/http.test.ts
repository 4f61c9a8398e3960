import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, fetchContacts, getCsrfToken, getSessionState, request, resetSession, retryAfterSeconds, startSession } from './index'

function answer(status: number, body?: unknown) {
  const fetchMock = vi.fn(async () =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
  )
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

// The client sends headers as a plain object; jsdom's Headers class is not the one fetch would use.
const sentHeaders = (fetchMock: ReturnType<typeof answer>) =>
  ((fetchMock.mock.calls[0] as unknown[])[1] as { headers: Record<string, string> }).headers

describe('request', () => {
  afterEach(resetSession)

  it("sends the session's CSRF token on every unsafe method, and on no read", async () => {
    startSession('csrf-7')
    const fetchMock = answer(200, { items: [] })
    await request('/api/campaigns')
    for (const method of ['POST', 'PATCH', 'DELETE'] as const) await request('/api/contacts/1', { method, body: {} })
    const csrf = fetchMock.mock.calls.map((call) => ((call as unknown[])[1] as { headers: Record<string, string> }).headers['X-CSRF-Token'])
    expect(csrf).toEqual([undefined, 'csrf-7', 'csrf-7', 'csrf-7'])
  })

  it('sends no bearer token and no CSRF header without a session, and the cookie to our origin only', async () => {
    const fetchMock = answer(200, { items: [] })
    await request('/api/contacts', { method: 'POST', body: {} })
    expect(sentHeaders(fetchMock).Authorization).toBeUndefined()
    expect(sentHeaders(fetchMock)['X-CSRF-Token']).toBeUndefined()
    expect(((fetchMock.mock.calls[0] as unknown[])[1] as RequestInit).credentials).toBe('same-origin')
  })

  it('forwards the abort signal and leaves empty filters out of the query string', async () => {
    const fetchMock = answer(200, { items: [], page: 1, per_page: 20, total: 0 })
    const controller = new AbortController()
    await fetchContacts({ page: 2, per_page: 20, search: '' }, controller.signal)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/contacts?page=2&per_page=20')
    expect(init.signal).toBe(controller.signal)
  })

  it("raises the server's message, code and details from the error envelope", async () => {
    answer(422, { error: { code: 'validation_error', message: 'Invalid input', details: { phone: ['Not E.164'] } } })
    const error = await request('/api/contacts', { method: 'POST', body: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 422, code: 'validation_error', message: 'Invalid input', details: { phone: ['Not E.164'] } })
  })

  it('ends the session on a 401, forgetting its CSRF token', async () => {
    startSession('csrf-7')
    answer(401, { error: { code: 'unauthorized', message: 'Log in first', details: {} } })
    await expect(request('/api/campaigns')).rejects.toThrow('Log in first')
    expect(getSessionState()).toEqual({ ended: true })
    expect(getCsrfToken()).toBeNull()
  })

  it("does not end the session for the login's own 401 (a wrong password)", async () => {
    answer(401, { error: { code: 'unauthorized', message: 'Wrong email or password', details: {} } })
    await expect(request('/api/auth/login', { method: 'POST', body: {} })).rejects.toThrow('Wrong email or password')
    expect(getSessionState()).toEqual({ ended: false })
  })

  it("reads a 429's Retry-After, in seconds or as a date", async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 429, headers: { 'Retry-After': '42' } })))
    await expect(request('/api/auth/login', { method: 'POST', body: {} })).rejects.toMatchObject({ status: 429, retryAfter: 42 })
    expect(retryAfterSeconds(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThanOrEqual(9)
    expect(retryAfterSeconds(null)).toBeNull()
  })

  it('returns nothing for 204', async () => {
    answer(204)
    await expect(request('/api/contacts/1', { method: 'DELETE' })).resolves.toBeUndefined()
  })
})
