import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { monitoringKeys, type DailyCounter } from '../api'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'
import { DailyChart } from './DailyChart'
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

/** The points of one series, in document order (assert on their count, not the nodes: printing a React-owned node
 * in a failed expectation reads its props' `key` and makes React warn). */
const points = (series: string) => Array.from(chart().querySelectorAll<SVGCircleElement>(`[data-series=${series}] circle`))

const titles = (series: string) => points(series).map((point) => point.querySelector('title')?.textContent)

const datesShown = (series = 'sent') => titles(series).map((title) => title?.slice(0, 10))

/** No attribute anywhere in the chart holds NaN or Infinity (a division by a zero maximum or by zero days). */
function expectFiniteGeometry(root: Element) {
  const bad: string[] = []
  for (const element of [root, ...root.querySelectorAll('*')]) {
    for (const { name, value } of element.attributes) {
      if (/NaN|Infinity/.test(value)) bad.push(`<${element.tagName} ${name}="${value}">`)
    }
  }
  expect(bad).toEqual([])
}

describe('the daily counters chart', () => {
  it('draws one point per day and series, oldest to newest, each titled with its date and value', () => {
    const items = makeDays(3)
    render(<DailyChart items={items} />)

    for (const [position, series] of SERIES.entries()) {
      expect(points(series).length).toBe(3)
      expect(datesShown(series)).toEqual(['2024-04-29', '2024-04-30', '2024-05-01'])
      const values = titles(series).map((title) => Number(title!.split(': ')[1]))
      expect(values).toEqual(items.map((day) => day[series]))
      expect(titles(series)[0]).toMatch(/^2024-04-29 · [A-Z][a-z ]+: \d+$/)
      expect(chart().querySelectorAll('g[data-series]')[position].getAttribute('data-series')).toBe(series)
    }
    expect(titles('no_interaction')[2]).toBe('2024-05-01 · No interaction: 3')

    // Left to right in date order, and the line goes through its points in the same order.
    const xs = points('sent').map((point) => Number(point.getAttribute('cx')))
    expect(xs).toEqual([...xs].sort((a, b) => a - b))
    expect(new Set(xs).size).toBe(3)
    const line = chart().querySelector('[data-series=sent] polyline')!.getAttribute('points')!
    expect(line.split(' ').map((point) => Number(point.split(',')[0]))).toEqual(xs)

    // A higher count sits higher (a smaller y).
    const ys = points('sent').map((point) => Number(point.getAttribute('cy')))
    expect(ys[0]).toBeGreaterThan(ys[2])
    expect(within(chart()).getByRole('img', { name: 'Daily message counters' })).toBeTruthy()
    expectFiniteGeometry(chart())
  })

  it('labels the day axis with month-day, thinned out for long ranges but always showing the newest day', () => {
    render(<DailyChart items={makeDays(30)} />)
    const labels = Array.from(chart().querySelectorAll('text.chart-axis')).map((label) => label.textContent)
    expect(labels.length).toBeLessThanOrEqual(11)
    expect(labels[0]).toBe('04-02')
    expect(labels.at(-1)).toBe('05-01')
    expect(points('sent').length).toBe(30)
  })

  it('draws all-zero days on the baseline without NaN', () => {
    render(<DailyChart items={makeDays(7, zeros)} />)
    expect(points('sent').length).toBe(7)
    const baseline = new Set(SERIES.flatMap((series) => points(series).map((point) => point.getAttribute('cy'))))
    expect(baseline.size).toBe(1)
    const grid = Array.from(chart().querySelectorAll('.chart-grid text')).map((label) => label.textContent)
    expect(grid).toEqual(['0', '1', '2', '3', '4'])
    expect(titles('failed')[6]).toBe('2024-05-01 · Failed: 0')
    expectFiniteGeometry(chart())
  })

  it.each([
    [5, ['0', '2', '4', '6', '8']],
    [100, ['0', '25', '50', '75', '100']],
    [1234, ['0', '500', '1000', '1500', '2000']],
  ])('labels the grid in even round steps for a peak of %i', (peak, labels) => {
    render(<DailyChart items={makeDays(2, () => ({ ...zeros(), sent: peak }))} />)
    const grid = Array.from(chart().querySelectorAll('.chart-grid text')).map((label) => label.textContent)
    expect(grid).toEqual(labels)
  })

  it('centres a single day without NaN', () => {
    render(<DailyChart items={makeDays(1)} />)
    expect(points('read').length).toBe(1)
    expect(datesShown('read')).toEqual(['2024-05-01'])
    expectFiniteGeometry(chart())
  })

  it('says there is nothing to show for an empty list instead of drawing', () => {
    const { container } = render(<DailyChart items={[]} />)
    expect(screen.getByText('No counters for this period.')).toBeTruthy()
    expect(container.querySelector('svg')).toBeNull()
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
    expectFiniteGeometry(chart())
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
    expectFiniteGeometry(chart())
  })

  it('shows the empty message when the API has no counters for the period', async () => {
    renderWithClient(<MonitoringPanel />)
    expect(await within(panel()).findByText('No counters for this period.')).toBeTruthy()
    expect(dailyDays()).toEqual(['7'])
    expect(panel().querySelector('svg')).toBeNull()
  })
})
