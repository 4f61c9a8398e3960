import { act, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { cacheStatsKeys, CACHE_STATS_POLL_MS } from '../api'
import { statContacts, categoryCount, waitForDashboard } from '../test/dashboard'
import { createFakeApi, makeContact } from '../test/fakeApi'
import { fakeEventSources } from '../test/fakeEventSource'
import { renderWithClient } from '../test/render'

// The dashboard on its live stream, with the fake API and a fake EventSource playing the server's frames.

let api: ReturnType<typeof createFakeApi>
let sources: ReturnType<typeof fakeEventSources>

beforeEach(() => {
  api = createFakeApi()
  sources = fakeEventSources()
})

const indicator = () => screen.getByTestId('live-indicator')
const metrics = { backend: 'redis', available: true, hits: 42, misses: 8, hit_ratio: 0.84, errors: 0,
  latency_ms: { avg: 0.5, p50: 0.4, p95: 1.1, max: 3 }, since: '2024-05-01T10:00:00Z' }

/** The dashboard, loaded, with its stream open and live, every first fetch done. */
async function liveDashboard() {
  const rendered = renderWithClient(<App live={{ open: sources.open }} />)
  await waitForDashboard('9', [7, '0'])
  await waitFor(() => expect(sources.opened).toHaveLength(1))
  act(() => sources.latest().emit('live'))
  await waitFor(() => expect(rendered.client.isFetching()).toBe(0))
  return rendered
}

describe('the dashboard on the live stream', () => {
  it("opens one stream with a ticket asked with the session (its cookie and CSRF token), and shows its state", async () => {
    await liveDashboard()
    const tickets = api.callsTo('/api/events/ticket', 'POST')
    expect(tickets.map((call) => [call.csrf, call.credentials])).toEqual([[api.state.session!.csrf_token, 'same-origin']])
    expect(sources.latest().query.get('ticket')).toMatch(/^ticket-/)
    expect(indicator().dataset.state).toBe('live')
    act(() => sources.latest().emit('degraded'))
    expect(indicator().dataset.state).toBe('degraded')
    act(() => sources.latest().fail())
    expect(indicator().dataset.state).toBe('reconnecting')
  })

  it('refreshes the stats, that category and the contacts list for a contact created elsewhere, and nothing else', async () => {
    await liveDashboard()
    const before = api.calls.length
    api.state.contacts.unshift(makeContact(500, 'Written Elsewhere', [7])) // another tab's write
    const reads = api.holdReads()

    act(() => sources.latest().emit('changes', { 'contact.created': { contact_id: [500], category_ids: [7] } }, '5'))

    // Refetching in the background: what was on screen stays, no panel goes back to "Loading…".
    await waitFor(() => expect(api.calls.length).toBe(before + 3))
    expect(statContacts()).toBe('9')
    expect(categoryCount(7)).toBe('0')
    expect(screen.queryAllByText('Loading…')).toEqual([])

    reads.release()
    await waitFor(() => expect(statContacts()).toBe('10'))
    await waitFor(() => expect(categoryCount(7)).toBe('1'))
    await screen.findByText('Written Elsewhere')
    const refetched = api.calls.slice(before).map((call) => `${call.method} ${call.path}`).sort()
    expect(refetched).toEqual(['GET /api/categories', 'GET /api/contacts', 'GET /api/messages/stats'])
  })

  it('shows the pushed cache metrics and polls them only while the stream is not live', async () => {
    const { client } = await liveDashboard()
    const interval = () => client.getQueryCache().find({ queryKey: cacheStatsKeys.all() })?.observers[0].options.refetchInterval
    expect(interval()).toBe(false)

    act(() => sources.latest().emit('cache', metrics))
    await waitFor(() => expect(screen.getByTestId('cache-hits').textContent).toBe('42'))
    expect(screen.getByTestId('cache-hit-ratio').textContent).toBe('0.84')

    act(() => sources.latest().emit('degraded'))
    await waitFor(() => expect(interval()).toBe(CACHE_STATS_POLL_MS))
  })

  it('refetches everything on screen, once each, on resync', async () => {
    const { client } = await liveDashboard()
    const before = api.calls.length
    const onScreen = client.getQueryCache().getAll().filter((query) => query.getObserversCount() > 0).length
    act(() => sources.latest().emit('resync'))
    await waitFor(() => expect(client.isFetching()).toBe(0))
    await waitFor(() => expect(api.calls.length - before).toBe(onScreen))
    const paths = api.calls.slice(before).map((call) => call.path)
    expect(paths).toHaveLength(onScreen)
    expect(new Set(paths).size).toBe(paths.length) // each once
    expect(paths).toEqual(expect.arrayContaining(['/api/messages/stats', '/api/cache/stats', '/api/campaigns']))
  })

  it('stays off the stream where there is no EventSource: not live, no ticket asked', async () => {
    renderWithClient(<App />)
    await waitForDashboard('9', [7, '0'])
    expect(indicator().dataset.state).toBe('degraded')
    expect(api.callsTo('/api/events/ticket', 'POST')).toEqual([])
  })
})
