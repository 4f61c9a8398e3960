import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, fetchContacts, getAuthState, request, resetAuth, TOKEN_STORAGE_KEY } from './index'

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
  afterEach(resetAuth)

  it('sends no Authorization header without a stored token', async () => {
    const fetchMock = answer(200, { items: [] })
    await request('/api/campaigns')
    expect(sentHeaders(fetchMock).Authorization).toBeUndefined()
  })

  it('sends the stored token as a bearer token', async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 's3cret')
    const fetchMock = answer(200, { items: [] })
    await request('/api/campaigns')
    expect(sentHeaders(fetchMock).Authorization).toBe('Bearer s3cret')
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

  it('asks for a token on 401 and forgets a refused one', async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'wrong')
    answer(401, { error: { code: 'unauthorized', message: 'Bad token', details: {} } })
    await expect(request('/api/campaigns')).rejects.toThrow('Bad token')
    expect(getAuthState()).toEqual({ required: true, rejected: true })
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull()
  })

  it('returns nothing for 204', async () => {
    answer(204)
    await expect(request('/api/contacts/1', { method: 'DELETE' })).resolves.toBeUndefined()
  })
})
