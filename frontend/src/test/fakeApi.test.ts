import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeApi, driftFromOpenApi, makeCategory, makeContact } from './fakeApi'
import { problemsWith } from './openapi'

// The fake API against the OpenAPI snapshot: every route it serves, success and failure, answers
// only what the description allows (the other tests check their own answers the same way).

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(3, [3])
})

afterEach(() => {
  driftFromOpenApi.splice(0)
})

/** A call as the dashboard makes it, with the session's CSRF token. */
async function call(method: string, path: string, body?: unknown) {
  const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': api.state.session?.csrf_token ?? '' }
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  return fetch(path, init)
}

describe('the fake API', () => {
  it('answers every read as the OpenAPI description says', async () => {
    const reads = [
      '/api/messages/stats',
      '/api/categories',
      '/api/categories/3',
      '/api/categories/999',
      '/api/contacts?page=1&per_page=2',
      '/api/campaigns',
      '/api/messages?per_page=25',
      '/api/monitoring/daily?days=7',
      '/api/cache/stats',
    ]
    const statuses = []
    for (const path of reads) statuses.push((await call('GET', path)).status)
    expect(statuses).toEqual([200, 200, 200, 404, 200, 200, 200, 200, 200])
    expect(driftFromOpenApi.splice(0)).toEqual([])
  })

  it('answers every write, and the failures the tests ask for, as the description says', async () => {
    const statuses = [
      (await call('POST', '/api/contacts', { phone: '+14155550199', name: 'Grace', category_ids: [3] })).status,
      (await call('DELETE', '/api/contacts/100')).status,
      (await call('PATCH', '/api/categories/3', { name: 'VIP' })).status,
      (await call('POST', '/api/categories', { name: 'New' })).status,
    ]
    api.failNextWrite(409, 'conflict', 'A contact with this phone number already exists')
    statuses.push((await call('POST', '/api/contacts', { phone: '+14155550199', name: 'Again' })).status)
    api.failNextWrite(422, 'validation_error', 'Invalid input', { phone: ['Not a valid E.164 number.'] })
    statuses.push((await call('POST', '/api/contacts', { phone: '12', name: 'Bad' })).status)
    api.state.session = null
    statuses.push((await call('GET', '/api/messages/stats')).status)

    expect(statuses).toEqual([201, 204, 200, 201, 409, 422, 401])
    expect(driftFromOpenApi.splice(0)).toEqual([])
  })
})

describe('the check against the description', () => {
  const category = makeCategory(3, 'Customers', 2)

  it('accepts a right answer, null where the description allows null', () => {
    expect(problemsWith('GET', '/api/categories/3', 200, category)).toEqual([])
    expect(problemsWith('GET', '/api/contacts', 200, { items: [makeContact(1, 'Ada', [])], page: 1, per_page: 50, total: 1 })).toEqual([])
  })

  it('names a missing field, a wrong type, an unknown field and a null the description does not allow', () => {
    const latency_ms = { avg: 0.4, p50: 0.3, p95: 0.9, max: 2 }
    const metrics = { backend: 'redis', available: true, hits: 3, misses: 1, hit_ratio: 0.75, errors: 0, latency_ms, since: null }
    expect(problemsWith('GET', '/api/cache/stats', 200, metrics)).toEqual([])
    const { hits: _dropped, ...missing } = metrics
    expect(problemsWith('GET', '/api/cache/stats', 200, missing)).toEqual([
      "GET /api/cache/stats 200: body must have required property 'hits'",
    ])
    expect(problemsWith('GET', '/api/categories/3', 200, { ...category, id: '3' })).toEqual([
      'GET /api/categories/3 200: body/id must be integer',
    ])
    expect(problemsWith('GET', '/api/categories/3', 200, { ...category, colour: 'red' })).toEqual([
      'GET /api/categories/3 200: body must NOT have additional properties',
    ])
    expect(problemsWith('GET', '/api/categories/3', 200, { ...category, name: null })[0]).toContain('body/name must be string')
  })

  it('refuses an answer the description does not have: unknown path, method or status, or a body where it has none', () => {
    expect(problemsWith('GET', '/api/nowhere', 200, {})).toEqual(['GET /api/nowhere: no such path in the OpenAPI description'])
    expect(problemsWith('PUT', '/api/categories/3', 200, category)).toEqual([
      'PUT /api/categories/{category_id}: no such operation in the OpenAPI description',
    ])
    expect(problemsWith('GET', '/api/messages/stats', 404, {})).toEqual([
      'GET /api/messages/stats: no 404 answer in the OpenAPI description',
    ])
    expect(problemsWith('DELETE', '/api/contacts/1', 204, {})).toEqual([
      'DELETE /api/contacts/1 204: the description has no JSON body for it',
    ])
  })
})
