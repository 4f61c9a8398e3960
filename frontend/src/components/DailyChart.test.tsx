import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { monitoringKeys, type DailyCounter } from '../api'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'
import { toColumns, totals } from '../charts/series'
import { DAILY_SERIES, DailyChart } from './DailyChart'
import { MonitoringPanel } from './MonitoringPanel'

const SERIES = ['sent', 'delivered', 'read', 'interactions', 'no_interaction', 'failed'] as const

/** `count` consecutive days ending on 2024-05-01, oldest first as the API sends them, with distinct counters. */
function makeDays(count: number, values: (index: number) => Omit<DailyCounter, 'date'> = counters): DailyCounter[] {
  const last = Date.UTC(2024, 4, 1)
  return Array.from({ length: count }, (_, index) => ({
    date: new Date(last - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
    ...values(index),
  }))
}

function counters(index: number): Omit<DailyCounter, 'date'> {
  return { sent: 10 + index, delivered: 8 + index, read: 5 + index, failed: index % 3, interactions: 2 + index, no_interaction: 3 }
}

const zeros = () => ({ sent: 0, delivered: 0, read: 0, failed: 0, interactions: 0, no_interaction: 0 })

const chart = () => screen.getByTestId('daily-chart')

/** The chart's table cells of one series, oldest day first (jsdom draws no canvas: the table is what it shows). */
const points = (series: string) => Array.from(chart().querySelectorAll<HTMLElement>(`td[data-series=${series}]`))

const values = (series: string) => points(series).map((cell) => Number(cell.textContent))

/** The days the table lists, as UTC dates. */
const datesShown = () =>
  Array.from(chart().querySelectorAll<HTMLElement>('tbody tr')).map((row) =>
    new Date(Number(row.dataset.x) * 1000).toISOString().slice(0, 10),
  )

describe('the daily counters as chart columns', () => {
  it('turns the API rows (oldest first) into uPlot columns: UTC midnights, then one column per series', () => {
    const items = makeDays(3)
    const [xs, ...series] = toColumns(items, (day) => day.date, DAILY_SERIES)
    expect(xs).toEqual([Date.UTC(2024, 3, 29) / 1000, Date.UTC(2024, 3, 30) / 1000, Date.UTC(2024, 4, 1) / 1000])
    expect(series).toEqual(SERIES.map((key) => items.map((day) => day[key])))
    expect(DAILY_SERIES.map(({ key }) => key)).toEqual([...SERIES])
  })

  it('reads a timeline bucket (ISO timestamp) to the second, and a missing counter as zero', () => {
    const [xs, sent] = toColumns([{ at: '2024-05-01T10:00:00Z' }] as never[], (row: { at: string }) => row.at, [
      { key: 'sent', label: 'Sent', color: '#000' },
    ])
    expect(xs).toEqual([Date.UTC(2024, 4, 1, 10) / 1000])
    expect(sent).toEqual([0])
  })

  it('sums each series over the period', () => {
    expect(totals(makeDays(2), DAILY_SERIES).map(({ total }) => total)).toEqual([21, 17, 11, 5, 6, 1])
  })
})

describe('the daily counters chart', () => {
  it('lists one row per day, oldest to newest, with each series in its column, next to the canvas', () => {
    const items = makeDays(3)
    render(<DailyChart items={items} />)
    expect(datesShown()).toEqual(['2024-04-29', '2024-04-30', '2024-05-01'])
    for (const series of SERIES) expect(values(series)).toEqual(items.map((day) => day[series]))
    expect(within(chart()).getByRole('img', { name: 'Daily message counters' })).toBeTruthy()
    const headers = within(chart()).getAllByRole('columnheader').map((header) => header.textContent)
    expect(headers).toEqual(['When', 'Sent', 'Delivered', 'Read', 'Interactions', 'No interaction', 'Failed'])
    expect(within(chart()).getAllByRole('rowheader').map((cell) => cell.textContent)).toEqual(['04-29', '04-30', '05-01'])
    // jsdom cannot draw: the table stays the visible rendering, and nothing pretends otherwise.
    expect(chart().dataset.drawn).toBe('table')
  })

  it('shows all-zero days as zeros', () => {
    render(<DailyChart items={makeDays(7, zeros)} />)
    expect(values('failed')).toEqual([0, 0, 0, 0, 0, 0, 0])
  })

  it('says there is nothing to show for an empty list instead of drawing', () => {
    const { container } = render(<DailyChart items={[]} />)
    expect(screen.getByText('No counters for this period.')).toBeTruthy()
    expect(container.querySelector('table')).toBeNull()
    expect(screen.queryByTestId('daily-chart')).toBeNull()
  })
})

describe('the monitoring panel', () => {
  let api: ReturnType<typeof createFakeApi>

  /** Has the fake API answer GET /api/monitoring/daily with `days` days of counters (it only knows an empty list). */
  function serveDays() {
    const fakeFetch = globalThis.fetch
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fakeFetch(input, init)
      const url = new URL(String(input), 'http://dashboard.test')
      if (url.pathname !== '/api/monitoring/daily' || !response.ok) return response
      const body = { items: makeDays(Number(url.searchParams.get('days'))) }
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    })
  }

  const dailyDays = () => api.callsTo('/api/monitoring/daily').map((call) => call.search.get('days'))
  const panel = () => screen.getByRole('heading', { name: 'Daily activity' }).closest('section')!
  const dayButton = (label: string) => within(panel()).getByRole('button', { name: label })

  beforeEach(() => {
    api = createFakeApi()
  })

  it('asks for the last 7 days under the key ["monitoring", "daily", 7] and draws them', async () => {
    serveDays()
    const { client } = renderWithClient(<MonitoringPanel />)
    await waitFor(() => expect(points('sent').length).toBe(7))

    expect(dailyDays()).toEqual(['7'])
    expect(datesShown()).toEqual(makeDays(7).map((day) => day.date))
    expect(client.getQueryData(monitoringKeys.daily(7))).toEqual({ items: makeDays(7) })
    expect(client.getQueryCache().findAll({ queryKey: ['monitoring'] }).map((query) => query.queryKey)).toEqual([
      ['monitoring', 'daily', 7],
    ])
    expect(dayButton('7d').getAttribute('aria-pressed')).toBe('true')
  })

  it('refetches with the new number of days and keeps the previous days on screen meanwhile', async () => {
    serveDays()
    const { client } = renderWithClient(<MonitoringPanel />)
    await waitFor(() => expect(points('sent').length).toBe(7))
    const hold = api.holdReads()

    await userEvent.setup().click(dayButton('30d'))

    await waitFor(() => expect(dailyDays()).toEqual(['7', '30']))
    expect(dayButton('30d').getAttribute('aria-pressed')).toBe('true')
    expect(dayButton('7d').getAttribute('aria-pressed')).toBe('false')
    // The 7 days stay, marked as updating, never replaced by the loading placeholder.
    expect(within(panel()).getByText('updating…')).toBeTruthy()
    expect(within(panel()).queryByText('Loading…')).toBeNull()
    expect(panel().querySelector('.panel-body.is-placeholder')).not.toBeNull()
    expect(datesShown()).toEqual(makeDays(7).map((day) => day.date))

    hold.release()
    await waitFor(() => expect(points('sent').length).toBe(30))
    expect(datesShown()).toEqual(makeDays(30).map((day) => day.date))
    expect(panel().querySelector('.panel-body.is-placeholder')).toBeNull()
    await waitFor(() => expect(within(panel()).queryByText('updating…')).toBeNull())
    expect(client.getQueryData(monitoringKeys.daily(30))).toEqual({ items: makeDays(30) })
    expect(client.getQueryData(monitoringKeys.daily(7))).toEqual({ items: makeDays(7) })
  })

  it('shows the empty message when the API has no counters for the period', async () => {
    renderWithClient(<MonitoringPanel />)
    expect(await within(panel()).findByText('No counters for this period.')).toBeTruthy()
    expect(dailyDays()).toEqual(['7'])
    expect(panel().querySelector('table')).toBeNull()
  })
})
