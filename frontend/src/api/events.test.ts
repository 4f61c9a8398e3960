import { QueryClient } from '@tanstack/react-query'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EVENT_NAMES, targetsOf } from './events'
import { campaignKeys, categoryKeys, contactKeys, messageKeys, monitoringKeys, statsKeys } from './keys'

/** The event names of the backend's one list (`EVENTS` in chatbot/events.py). */
function backendEventNames(): string[] {
  const source = readFileSync(resolve(__dirname, '../../../chatbot/events.py'), 'utf8')
  const block = source.match(/^EVENTS = frozenset\(\{([\s\S]*?)\}\)/m)
  if (!block) throw new Error('EVENTS = frozenset({...}) not found in chatbot/events.py')
  return [...block[1].matchAll(/"([a-z.]+)"/g)].map((match) => match[1])
}

/** A client holding one of every kind of query, each with data, none stale. */
function filledClient(): QueryClient {
  const client = new QueryClient()
  const keys = [
    statsKeys.all(),
    categoryKeys.list(),
    categoryKeys.detail(3),
    categoryKeys.detail(7),
    contactKeys.list({ page: 1, per_page: 20 }),
    contactKeys.list({ page: 2, per_page: 20, search: 'ada' }),
    campaignKeys.list(),
    messageKeys.list({ per_page: 25 }),
    monitoringKeys.daily(7),
  ]
  keys.forEach((key) => client.setQueryData(key, { items: [] }))
  return client
}

/** The keys that these filters would mark stale, as JSON for easy comparison. */
async function invalidatedBy(filters: ReturnType<typeof targetsOf>): Promise<string[]> {
  const client = filledClient()
  await Promise.all(filters.map((f) => client.invalidateQueries(f)))
  return client
    .getQueryCache()
    .getAll()
    .filter((query) => query.state.isInvalidated)
    .map((query) => JSON.stringify(query.queryKey))
    .sort()
}

describe('the events map', () => {
  it("names every event of the backend's list, and no other", () => {
    expect([...EVENT_NAMES].sort()).toEqual(backendEventNames().sort())
  })

  it('refreshes the category lists without touching any category detail on category.created', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'category.created', params: { category_id: 9 } }]))).toEqual([
      '["categories","list",{}]',
    ])
  })

  it('refreshes the lists and only that detail on category.updated', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'category.updated', params: { category_id: 3 } }]))).toEqual([
      '["categories","detail",3]',
      '["categories","list",{}]',
    ])
  })

  it("refreshes the stats, the categories it names and every contacts page on contact.created, and nothing else", async () => {
    const targets = targetsOf([{ name: 'contact.created', params: { category_ids: [7] } }])
    expect(await invalidatedBy(targets)).toEqual([
      '["categories","detail",7]',
      '["categories","list",{}]',
      '["contacts","list",{"page":1,"per_page":20}]',
      '["contacts","list",{"page":2,"per_page":20,"search":"ada"}]',
      '["stats"]',
    ])
  })

  it('refreshes the counters, campaigns and messages on message events, and the daily view on monitoring.counted', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'message.status', params: { campaign_ids: [1] } }]))).toEqual([
      '["campaigns","list",{}]',
      '["messages","list",{"per_page":25}]',
      '["stats"]',
    ])
    expect(await invalidatedBy(targetsOf([{ name: 'monitoring.counted', params: { counts: { sent: 1 } } }]))).toEqual([
      '["monitoring","daily",7]',
    ])
  })

  it('names each key once across several events, in the order first named', () => {
    const targets = targetsOf([
      { name: 'contact.created', params: { category_ids: [3, 3] } },
      { name: 'category.updated', params: { category_id: 3 } },
    ])
    expect(targets).toEqual([
      { queryKey: ['stats'] },
      { queryKey: ['categories', 'list'] },
      { queryKey: ['categories', 'detail', 3] },
      { queryKey: ['contacts', 'list'] },
    ])
  })

  it('refreshes nothing for an event it does not know (a newer server)', () => {
    expect(targetsOf([{ name: 'contact.merged', params: {} } as never])).toEqual([])
  })
})
