import type { QueryClient } from '@tanstack/react-query'
import { eventsOf, targetsOf } from './events'
import type { ApiEvent, PushedChanges } from './events'
import { fetchEventTicket } from './fetchers'
import { cacheStatsKeys } from './keys'
import type { CacheStats } from './types'

// The dashboard's one live stream (GET /api/events, Server-Sent Events; chatbot/live/stream.py):
//
//   event: changes   {"contact.created": {"contact_id": [7], "category_ids": [1]}, ...}: what the events map
//                    (events.ts, the mutations' map too) names is invalidated, nothing else; queries on screen
//                    refetch in the background and keep their data meanwhile.
//   event: cache     the cache metrics, set as the cache-stats query's data (no polling while live).
//   event: live      Redis is there: every write arrives here.
//   event: degraded  Redis is away: nothing arrives, the queries refetch on their staleTimes and on focus as
//                    they always did; the server says `resync` then `live` once Redis is back, on this stream.
//   event: resync    something was missed: every query is invalidated, once.
//
// While a write of this tab is in flight, what is pushed waits until it settles: a refetch would replace the
// write's optimistic update with the server's state before that write (the write then refreshes its own targets).
//
// A ticket opens one stream only (POST /api/events/ticket, with the usual credentials), so EventSource's own
// retry, which reuses the URL, is no use: on an error the stream is closed and opened again here with a fresh
// ticket, after a growing delay, asking the server for a resync (`last_event_id`) since writes may have been
// missed in between.

export type LiveState = 'live' | 'reconnecting' | 'degraded'

/** What the stream needs of an EventSource (tests give a fake). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void
  close(): void
  onerror: ((event: Event) => void) | null
}

export interface LiveStreamOptions {
  /** Opens the stream's URL; by default the browser's EventSource. */
  open?: (url: string) => EventSourceLike
  /** A fresh single-use ticket; by default POST /api/events/ticket. */
  ticket?: () => Promise<{ ticket: string }>
  /** Milliseconds before each reconnection attempt in a row; the last one repeats. */
  retryDelays?: readonly number[]
}

export const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000] as const
export const EVENTS_PATH = '/api/events'

/** One live stream feeding a QueryClient, reconnecting on its own until stopped. */
export class LiveStream {
  private state: LiveState = 'reconnecting'
  private readonly listeners = new Set<() => void>()
  private source: EventSourceLike | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private attempt = 0
  private lastEventId: string | null = null
  private opened = false
  private stopped = false
  /** Pushed while a write of this tab was in flight: the events, or 'all' after a resync. */
  private held: ApiEvent[] | 'all' | null = null
  private unsubscribeMutations: (() => void) | null = null
  private readonly open: (url: string) => EventSourceLike
  private readonly ticket: () => Promise<{ ticket: string }>
  private readonly retryDelays: readonly number[]

  private readonly client: QueryClient

  constructor(client: QueryClient, options: LiveStreamOptions = {}) {
    this.client = client
    this.open = options.open ?? ((url) => new EventSource(url) as unknown as EventSourceLike)
    this.ticket = options.ticket ?? (() => fetchEventTicket())
    this.retryDelays = options.retryDelays ?? RETRY_DELAYS_MS
  }

  /** The stream's state, as the live indicator shows it. */
  getState = (): LiveState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    this.unsubscribeMutations = this.client.getMutationCache().subscribe(() => {
      if (this.held !== null && this.client.isMutating() === 0) this.refresh([])
    })
    void this.connect()
  }

  /** Closes the stream for good (the dashboard unmounts). */
  stop(): void {
    this.stopped = true
    this.unsubscribeMutations?.()
    if (this.timer !== null) clearTimeout(this.timer)
    this.source?.close()
    this.source = null
  }

  private setState(next: LiveState): void {
    if (next === this.state) return
    this.state = next
    this.listeners.forEach((listener) => listener())
  }

  private async connect(): Promise<void> {
    this.timer = null
    let ticket: string
    try {
      ticket = (await this.ticket()).ticket
    } catch {
      // The API is away or wants a token (the 401 has already asked the operator for it): try again later.
      return this.retryLater()
    }
    if (this.stopped) return
    const query = new URLSearchParams({ ticket })
    // After a stream has been open, writes may have gone by unseen: the server answers this with `resync`.
    if (this.opened) query.set('last_event_id', this.lastEventId ?? '0')
    const source = this.open(`${EVENTS_PATH}?${query}`)
    this.source = source
    const on = (type: string, handle: (data: string, event: MessageEvent<string>) => void) =>
      source.addEventListener(type, (event) => {
        if (this.source === source) handle(event.data, event)
      })
    on('live', () => this.settled('live'))
    on('degraded', () => this.settled('degraded'))
    on('resync', () => this.refresh('all'))
    on('changes', (data, event) => {
      if (event.lastEventId) this.lastEventId = event.lastEventId
      this.refresh(eventsOf(JSON.parse(data) as PushedChanges))
    })
    on('cache', (data) => this.client.setQueryData<CacheStats>(cacheStatsKeys.all(), JSON.parse(data) as CacheStats))
    source.onerror = () => {
      if (this.source !== source) return
      source.close() // else EventSource would retry with the used ticket
      this.source = null
      this.setState('reconnecting')
      this.retryLater()
    }
  }

  /** Invalidates what these events name (everything for 'all'), with whatever was held, unless a write is in flight. */
  private refresh(events: ApiEvent[] | 'all'): void {
    let pending: ApiEvent[] | 'all'
    if (events === 'all' || this.held === 'all') pending = 'all'
    else pending = [...(this.held ?? []), ...events]
    if (this.client.isMutating() > 0) {
      this.held = pending
      return
    }
    this.held = null
    if (pending === 'all') void this.client.invalidateQueries()
    else void Promise.all(targetsOf(pending).map((filters) => this.client.invalidateQueries(filters)))
  }

  /** The server spoke: the stream is open, and the next failure starts the delays over. */
  private settled(state: LiveState): void {
    this.opened = true
    this.attempt = 0
    this.setState(state)
  }

  private retryLater(): void {
    if (this.stopped) return
    const delay = this.retryDelays[Math.min(this.attempt, this.retryDelays.length - 1)]
    this.attempt += 1
    this.timer = setTimeout(() => void this.connect(), delay)
  }
}
