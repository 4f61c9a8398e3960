import { QueryClient } from '@tanstack/react-query'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EVENT_NAMES, eventsOf, targetsOf } from './events'
import type { ApiEvent } from './events'
import { cacheStatsKeys, campaignKeys, categoryKeys, contactKeys, messageKeys, monitoringKeys, statsKeys } from './keys'
import { interactionKeys } from './keys'
import type { Interaction, MessageRow } from './types'

/** The event names of the backend's one list (`EVENTS` in chatbot/events.py). */
function backendEventNames(): string[] {
  const source = readFileSync(resolve(__dirname, '../../../chatbot/events.py'), 'utf8')
  const block = source.match(/^EVENTS = frozenset\(\{([\s\S]*?)\}\)/m)
  if (!block) throw new Error('EVENTS = frozenset({...}) not found in chatbot/events.py')
  return [...block[1].matchAll(/"([a-z.]+)"/g)].map((match) => match[1])
}

/** A message row of a campaign, as the list shows it. */
const row = (id: number, campaign_id: number): MessageRow => ({
  id, campaign_id, contact_id: 1, contact_name: 'Ada', step: 1, status: 'sent', sent_at: null, created_at: '2024-05-01T10:00:00Z',
})

/** An answer of a contact to a campaign, as the answers list shows it. */
const answer = (id: number, contact_id: number, campaign_id: number): Interaction => ({
  id, contact_id, contact_name: 'Ada', campaign_id, kind: 'text', body: 'Yes', occurred_at: '2024-05-01T10:00:00Z',
})

/** The cached data of an answers list (an infinite query: its pages). */
const answerPages = (...rows: Interaction[]) => ({ pages: [{ items: rows, next_cursor: null }], pageParams: [undefined] })

/** A client holding one of every kind of query, each with data, none stale. */
function filledClient(): QueryClient {
  const client = new QueryClient()
  // Message lists: one showing campaign 1, one showing only campaign 2, filtered by each, and by a status.
  client.setQueryData(messageKeys.list({ per_page: 25, cursor: 'p2' }), { items: [row(5, 2), row(4, 1)], next_cursor: null })
  client.setQueryData(messageKeys.list({ per_page: 25, cursor: 'p3' }), { items: [row(3, 2)], next_cursor: null })
  client.setQueryData(messageKeys.list({ per_page: 25, campaign_id: 1 }), { items: [], next_cursor: null })
  client.setQueryData(messageKeys.list({ per_page: 25, campaign_id: 2 }), { items: [], next_cursor: null })
  client.setQueryData(messageKeys.list({ per_page: 25, status: 'read' }), { items: [], next_cursor: null })
  client.setQueryData(cacheStatsKeys.all(), { hits: 1 })
  // Answer lists: all answers (showing contact 1 in campaign 1), one campaign's, one contact's, both filters.
  client.setQueryData(interactionKeys.list({ per_page: 25 }), answerPages(answer(1, 1, 1)))
  client.setQueryData(interactionKeys.list({ per_page: 25, campaign_id: 2 }), answerPages(answer(2, 8, 2)))
  client.setQueryData(interactionKeys.list({ per_page: 25, contact_id: 8 }), answerPages(answer(2, 8, 2)))
  client.setQueryData(interactionKeys.list({ per_page: 25, campaign_id: 1, contact_id: 8 }), answerPages())
  const keys = [
    statsKeys.all(),
    categoryKeys.list(),
    categoryKeys.detail(3),
    categoryKeys.detail(7),
    contactKeys.list({ page: 1, per_page: 20 }),
    contactKeys.list({ page: 2, per_page: 20, search: 'ada' }),
    campaignKeys.list(),
    campaignKeys.detail(1),
    campaignKeys.detail(2),
    campaignKeys.timeline(1, 'hour'),
    campaignKeys.timeline(2, 'day'),
    campaignKeys.audience([7, 3]),
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

/** Only the answer lists among invalidated keys. */
const answerLists = (keys: string[]) => keys.filter((key) => key.startsWith('["interactions"'))

describe('the events map', () => {
  it("names every event of the backend's list, and no other", () => {
    expect([...EVENT_NAMES].sort()).toEqual(backendEventNames().sort())
  })

  it('refreshes the category lists without touching any category detail on category.created', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'category.created', params: { category_id: [9] } }]))).toEqual([
      '["categories","list",{}]',
    ])
  })

  it('refreshes the lists and only that detail on category.updated', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'category.updated', params: { category_id: [3] } }]))).toEqual([
      '["categories","detail",3]',
      '["categories","list",{}]',
    ])
  })

  it("refreshes the stats, the categories it names and every contacts page on contact.created, and nothing else", async () => {
    const targets = targetsOf([{ name: 'contact.created', params: { category_ids: [7] } }])
    expect(await invalidatedBy(targets)).toEqual([
      '["campaigns","audience",[3,7]]',
      '["categories","detail",7]',
      '["categories","list",{}]',
      '["contacts","list",{"page":1,"per_page":20}]',
      '["contacts","list",{"page":2,"per_page":20,"search":"ada"}]',
      '["stats"]',
    ])
  })

  it("refreshes the stats, that campaign's row and detail, and only the message lists showing it on message.status", async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'message.status', params: { campaign_ids: [1] } }]))).toEqual([
      '["campaigns","detail",1]',
      '["campaigns","list",{}]',
      '["campaigns","timeline",1,"hour"]',
      '["messages","list",{"per_page":25,"campaign_id":1}]',
      '["messages","list",{"per_page":25,"cursor":"p2"}]',
      '["messages","list",{"per_page":25,"status":"read"}]',
      '["stats"]',
    ])
  })

  it('refreshes every message list when a status change names no campaign, and the daily view on monitoring.counted', async () => {
    expect(await invalidatedBy(targetsOf([{ name: 'message.status', params: { campaign_ids: [] } }]))).toEqual([
      '["campaigns","list",{}]',
      '["campaigns","timeline",1,"hour"]',
      '["campaigns","timeline",2,"day"]',
      '["messages","list",{"per_page":25,"campaign_id":1}]',
      '["messages","list",{"per_page":25,"campaign_id":2}]',
      '["messages","list",{"per_page":25,"cursor":"p2"}]',
      '["messages","list",{"per_page":25,"cursor":"p3"}]',
      '["messages","list",{"per_page":25,"status":"read"}]',
      '["messages","list",{"per_page":25}]',
      '["stats"]',
    ])
    expect(await invalidatedBy(targetsOf([{ name: 'monitoring.counted', params: { counts: { sent: 1 } } }]))).toEqual([
      '["monitoring","daily",7]',
    ])
  })

  it("refreshes for a pushed contact.created exactly what the contact form's own write refreshes, and nothing else", async () => {
    const pushed = eventsOf({ 'contact.created': { contact_id: [12], category_ids: [7] } })
    const written = targetsOf([{ name: 'contact.created', params: { category_ids: [7] } }])
    expect(targetsOf(pushed)).toEqual(written)
    expect(await invalidatedBy(targetsOf(pushed))).toEqual([
      '["campaigns","audience",[3,7]]',
      '["categories","detail",7]',
      '["categories","list",{}]',
      '["contacts","list",{"page":1,"per_page":20}]',
      '["contacts","list",{"page":2,"per_page":20,"search":"ada"}]',
      '["stats"]',
    ])
  })

  it('merges a pushed set of several events, a key named whole winning over the same key through a predicate', async () => {
    const pushed = eventsOf({
      'message.status': { campaign_ids: [1] },
      'campaign.launched': { campaign_id: [2] },
      'monitoring.counted': {},
    })
    expect(await invalidatedBy(targetsOf(pushed))).toEqual([
      '["campaigns","detail",1]',
      '["campaigns","detail",2]',
      '["campaigns","list",{}]',
      '["campaigns","timeline",1,"hour"]',
      '["campaigns","timeline",2,"day"]',
      '["messages","list",{"per_page":25,"campaign_id":1}]',
      '["messages","list",{"per_page":25,"campaign_id":2}]',
      '["messages","list",{"per_page":25,"cursor":"p2"}]',
      '["messages","list",{"per_page":25,"cursor":"p3"}]',
      '["messages","list",{"per_page":25,"status":"read"}]',
      '["messages","list",{"per_page":25}]',
      '["monitoring","daily",7]',
      '["stats"]',
    ])
  })

  it('refreshes on interaction.recorded the answer lists that may show it, and no other', async () => {
    const targets = targetsOf([{ name: 'interaction.recorded', params: { campaign_ids: [2], contact_ids: [8] } }])
    expect(answerLists(await invalidatedBy(targets))).toEqual([
      '["interactions","list",{"per_page":25,"campaign_id":2}]',
      '["interactions","list",{"per_page":25,"contact_id":8}]',
      '["interactions","list",{"per_page":25}]',
    ])
    const other = targetsOf([{ name: 'interaction.recorded', params: { campaign_ids: [1], contact_ids: [1] } }])
    expect(answerLists(await invalidatedBy(other))).toEqual(['["interactions","list",{"per_page":25}]'])
    const unknown = targetsOf(eventsOf({ 'interaction.recorded': {} }))
    expect(answerLists(await invalidatedBy(unknown))).toHaveLength(4)
  })

  it("refreshes on contact.updated and contact.deleted the answer lists showing that contact (its name), no other", async () => {
    for (const name of ['contact.updated', 'contact.deleted'] as const) {
      const targets = targetsOf([{ name, params: { contact_id: [8], category_ids: [] } }])
      expect(answerLists(await invalidatedBy(targets))).toEqual([
        '["interactions","list",{"per_page":25,"campaign_id":1,"contact_id":8}]',
        '["interactions","list",{"per_page":25,"campaign_id":2}]',
        '["interactions","list",{"per_page":25,"contact_id":8}]',
      ])
    }
  })

  it('refreshes every answer list on contacts.imported and data.seeded, only those filtered on it on campaign.deleted', async () => {
    const everything: ApiEvent[] = [
      { name: 'contacts.imported', params: { category_ids: [] } },
      { name: 'data.seeded', params: {} },
    ]
    for (const event of everything) {
      expect(answerLists(await invalidatedBy(targetsOf([event])))).toHaveLength(4)
    }
    const deleted = targetsOf([{ name: 'campaign.deleted', params: { campaign_id: [2] } }])
    expect(answerLists(await invalidatedBy(deleted))).toEqual(['["interactions","list",{"per_page":25,"campaign_id":2}]'])
    const messages = targetsOf([{ name: 'message.status', params: { campaign_ids: [2] } }])
    expect(answerLists(await invalidatedBy(messages))).toEqual([])
  })

  it('reads a pushed event without its params (an older server) as naming no ids', async () => {
    expect(await invalidatedBy(targetsOf(eventsOf({ 'category.updated': {} })))).toEqual(['["categories","list",{}]'])
  })

  it('names each key once across several events, in the order first named', () => {
    const targets = targetsOf([
      { name: 'contact.created', params: { category_ids: [3, 3] } },
      { name: 'category.updated', params: { category_id: [3] } },
    ])
    expect(targets).toEqual([
      { queryKey: ['stats'] },
      { queryKey: ['categories', 'list'] },
      { queryKey: ['categories', 'detail', 3] },
      { queryKey: ['contacts', 'list'] },
      { queryKey: ['campaigns', 'audience'] },
    ])
  })

  it("refreshes that campaign's detail and timelines, and no other campaign's, on sweep.completed and interaction.recorded", async () => {
    for (const name of ['sweep.completed', 'message.sent'] as const) {
      const stale = await invalidatedBy(targetsOf([{ name, params: { campaign_ids: [2] } }]))
      expect(stale.filter((key) => key.startsWith('["campaigns"'))).toEqual([
        '["campaigns","detail",2]',
        '["campaigns","list",{}]',
        '["campaigns","timeline",2,"day"]',
      ])
    }
    const answered = await invalidatedBy(
      targetsOf([{ name: 'interaction.recorded', params: { campaign_ids: [1], contact_ids: [5] } }]),
    )
    // An answer may be an opt-out: the composer's audience is counted again too.
    expect(answered.filter((key) => key.startsWith('["campaigns"'))).toEqual([
      '["campaigns","audience",[3,7]]',
      '["campaigns","detail",1]',
      '["campaigns","list",{}]',
      '["campaigns","timeline",1,"hour"]',
    ])
  })

  it.each(['campaign.updated', 'campaign.paused', 'campaign.resumed'] as const)(
    "refreshes that campaign's row and detail, not its timeline nor the audiences, on %s",
    async (name) => {
      const stale = await invalidatedBy(targetsOf([{ name, params: { campaign_id: [1] } }]))
      expect(stale.filter((key) => key.startsWith('["campaigns"'))).toEqual([
        '["campaigns","detail",1]',
        '["campaigns","list",{}]',
      ])
    },
  )

  it('counts the audience again when contacts come and go, are imported, or a category is deleted', async () => {
    const events: ApiEvent[] = [
      { name: 'contact.updated', params: { contact_id: [4], category_ids: [] } },
      { name: 'contacts.imported', params: { category_ids: [] } },
      { name: 'category.deleted', params: { category_id: [9] } },
    ]
    for (const event of events) {
      expect(await invalidatedBy(targetsOf([event]))).toContain('["campaigns","audience",[3,7]]')
    }
    expect(await invalidatedBy(targetsOf([{ name: 'campaign.created', params: { campaign_id: [3] } }]))).not.toContain(
      '["campaigns","audience",[3,7]]',
    )
  })

  it('keys the audience by the sorted ids, so the order they were ticked in shares one entry', () => {
    expect(campaignKeys.audience([7, 3, 12])).toEqual(['campaigns', 'audience', [3, 7, 12]])
    expect(campaignKeys.audience([12, 3, 7])).toEqual(campaignKeys.audience([3, 7, 12]))
  })

  it('refreshes nothing for an event it does not know (a newer server)', () => {
    expect(targetsOf([{ name: 'contact.merged', params: {} } as never])).toEqual([])
  })
})
