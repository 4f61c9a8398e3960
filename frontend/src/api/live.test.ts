import { MutationObserver, QueryClient } from '@tanstack/react-query'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeEventSources } from '../test/fakeEventSource'
import { cacheStatsKeys, campaignKeys, categoryKeys, contactKeys, messageKeys, monitoringKeys, statsKeys } from './keys'
import { LiveStream } from './live'

const DELAYS = [1_000, 2_000, 5_000]

/** A client holding one query of each kind, with data, none stale. */
function filledClient(): QueryClient {
  const client = new QueryClient()
  const keys = [
    statsKeys.all(),
    categoryKeys.list(),
    categoryKeys.detail(3),
    categoryKeys.detail(7),
    contactKeys.list({ page: 1, per_page: 20 }),
    campaignKeys.list(),
    messageKeys.list({ per_page: 25 }),
    monitoringKeys.daily(7),
    cacheStatsKeys.all(),
  ]
  keys.forEach((key) => client.setQueryData(key, { items: [] }))
  return client
}

const invalidated = (client: QueryClient) =>
  client
    .getQueryCache()
    .getAll()
    .filter((query) => query.state.isInvalidated)
    .map((query) => JSON.stringify(query.queryKey))
    .sort()

describe('the live stream', () => {
  let client: QueryClient
  let sources: ReturnType<typeof fakeEventSources>
  let tickets: number
  let ticketFails: boolean
  let stream: LiveStream
  const states: string[] = []

  beforeEach(async () => {
    vi.useFakeTimers()
    client = filledClient()
    sources = fakeEventSources()
    tickets = 0
    ticketFails = false
    states.length = 0
    const ticket = async () => {
      if (ticketFails) throw new Error('network down')
      tickets += 1
      return { ticket: `t${tickets}` }
    }
    stream = new LiveStream(client, { open: sources.open, ticket, retryDelays: DELAYS })
    stream.subscribe(() => states.push(stream.getState()))
    stream.start()
    await vi.advanceTimersByTimeAsync(0)
  })

  afterEach(() => {
    stream.stop()
    vi.useRealTimers()
  })

  it('opens one stream with a ticket and says live when the server does', () => {
    expect(stream.getState()).toBe('reconnecting')
    expect(sources.opened).toHaveLength(1)
    expect(sources.latest().url).toBe('/api/events?ticket=t1')
    sources.latest().emit('live')
    expect(stream.getState()).toBe('live')
  })

  it('reconnects after a drop with a fresh ticket, asking for a resync from the last id, and is live again', async () => {
    const first = sources.latest()
    first.emit('live')
    first.emit('changes', { 'category.created': { category_id: [9] } }, '41')
    first.emit('changes', { 'category.created': { category_id: [10] } }, '42')
    first.fail()
    expect(first.closed).toBe(true) // EventSource's own retry would reuse the spent ticket
    expect(stream.getState()).toBe('reconnecting')

    await vi.advanceTimersByTimeAsync(DELAYS[0] - 1)
    expect(sources.opened).toHaveLength(1) // waits out the delay
    await vi.advanceTimersByTimeAsync(1)
    expect(sources.opened).toHaveLength(2)
    const second = sources.latest()
    expect(second.query.get('ticket')).toBe('t2')
    expect(second.query.get('last_event_id')).toBe('42')
    second.emit('live')
    expect(states).toEqual(['live', 'reconnecting', 'live'])
  })

  it('asks for a resync on reconnection even before any change arrived', async () => {
    sources.latest().emit('live')
    sources.latest().fail()
    await vi.advanceTimersByTimeAsync(DELAYS[0])
    expect(sources.latest().query.get('last_event_id')).toBe('0')
  })

  it('waits longer after each failure in a row, and starts over once the server has spoken', async () => {
    sources.latest().fail()
    await vi.advanceTimersByTimeAsync(DELAYS[0])
    expect(sources.opened).toHaveLength(2)
    sources.latest().fail()
    await vi.advanceTimersByTimeAsync(DELAYS[1] - 1)
    expect(sources.opened).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sources.opened).toHaveLength(3)
    sources.latest().emit('degraded')
    sources.latest().fail()
    await vi.advanceTimersByTimeAsync(DELAYS[0])
    expect(sources.opened).toHaveLength(4)
  })

  it('keeps trying when the ticket cannot be had (API away), then connects', async () => {
    sources.latest().fail()
    ticketFails = true
    await vi.advanceTimersByTimeAsync(DELAYS[0] + DELAYS[1])
    expect(sources.opened).toHaveLength(1)
    ticketFails = false
    await vi.advanceTimersByTimeAsync(DELAYS[2])
    expect(sources.opened).toHaveLength(2)
    expect(sources.latest().query.get('ticket')).toBe('t2')
  })

  it('says degraded while Redis is away, and live again after the resync when it is back, on the same stream', () => {
    const source = sources.latest()
    source.emit('live')
    source.emit('degraded')
    expect(stream.getState()).toBe('degraded')
    expect(invalidated(client)).toEqual([])
    source.emit('resync')
    source.emit('live')
    expect(stream.getState()).toBe('live')
    expect(sources.opened).toHaveLength(1)
  })

  it('invalidates every query, once, on resync', () => {
    const invalidate = vi.spyOn(client, 'invalidateQueries')
    sources.latest().emit('resync')
    expect(invalidate).toHaveBeenCalledTimes(1)
    expect(invalidate).toHaveBeenCalledWith()
    expect(invalidated(client)).toHaveLength(client.getQueryCache().getAll().length)
  })

  it("invalidates only what the events map names for a pushed changes set", async () => {
    sources.latest().emit('changes', { 'contact.created': { contact_id: [12], category_ids: [7] } }, '1')
    await vi.advanceTimersByTimeAsync(0)
    expect(invalidated(client)).toEqual([
      '["categories","detail",7]',
      '["categories","list",{}]',
      '["contacts","list",{"page":1,"per_page":20}]',
      '["stats"]',
    ])
  })

  it("holds what is pushed while this tab's write is in flight, and refreshes it once the write settles", async () => {
    let answer!: () => void
    const write = new MutationObserver(client, { mutationFn: () => new Promise<void>((resolve) => (answer = resolve)) })
    void write.mutate()
    await vi.advanceTimersByTimeAsync(0)
    sources.latest().emit('changes', { 'category.created': { category_id: [9] } }, '1')
    sources.latest().emit('resync')
    sources.latest().emit('changes', { 'monitoring.counted': {} }, '2')
    expect(invalidated(client)).toEqual([]) // a refetch now would undo the write's optimistic update
    const invalidate = vi.spyOn(client, 'invalidateQueries')

    answer()
    await vi.advanceTimersByTimeAsync(0)
    expect(invalidate).toHaveBeenCalledTimes(1) // the resync covers the rest: everything, once
    expect(invalidated(client)).toHaveLength(client.getQueryCache().getAll().length)
  })

  it('puts the pushed cache metrics in the cache-stats query', () => {
    const metrics = { backend: 'redis', available: true, hits: 8, misses: 2, hit_ratio: 0.8 }
    sources.latest().emit('cache', metrics)
    expect(client.getQueryData(cacheStatsKeys.all())).toEqual(metrics)
  })

  it('ignores a stream it has left, and stops for good when stopped', async () => {
    const first = sources.latest()
    first.fail()
    await vi.advanceTimersByTimeAsync(DELAYS[0])
    first.emit('resync')
    first.emit('live')
    expect(invalidated(client)).toEqual([])
    expect(stream.getState()).toBe('reconnecting')

    stream.stop()
    expect(sources.latest().closed).toBe(true)
    sources.latest().fail()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sources.opened).toHaveLength(2)
  })
})
