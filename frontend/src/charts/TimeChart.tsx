import { useEffect, useRef, useState } from 'react'
import 'uplot/dist/uPlot.min.css'
import type { Columns, SeriesSpec } from './series'

// A line chart drawn by uPlot (canvas; ~50 kB; loaded on first use, so the first page does not wait for it), and
// its data as a table for screen readers, for tests, and for reading exact numbers. uPlot styles its elements
// through the CSSOM (element.style), which the dashboard's CSP (style-src 'self') allows; its stylesheet is a file.

interface TimeChartProps<Field extends string> {
  label: string
  columns: Columns
  series: Array<SeriesSpec<Field>>
  /** How each x value is written in the table and on the axis. */
  formatX: (seconds: number) => string
  height?: number
  testId?: string
}

/** Tick steps in seconds: whole hours and days only, as the API's buckets are (no half-hour ticks). */
const TIME_STEPS = [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400]

/** uPlot needs a real browser: jsdom has no canvas and no matchMedia (read when uPlot loads). */
const canDraw = () => typeof window.matchMedia === 'function' && typeof ResizeObserver === 'function'

export function TimeChart<Field extends string>({ label, columns, series, formatX, height = 220, testId }: TimeChartProps<Field>) {
  const host = useRef<HTMLDivElement>(null)
  const [drawn, setDrawn] = useState(false)
  // Where a canvas will be drawn, the table is for screen readers only from the start (no flash of it).
  const [drawable] = useState(canDraw)

  useEffect(() => {
    const element = host.current
    if (!element || !canDraw()) return
    let plot: { destroy: () => void; setSize: (size: { width: number; height: number }) => void } | null = null
    let observer: ResizeObserver | null = null
    let cancelled = false
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return
      const width = () => Math.max(element.clientWidth, 240)
      plot = new UPlot(
        {
          width: width(),
          height,
          // Room on the right for the last time label, which uPlot centres on its tick.
          padding: [12, 48, 0, 0],
          // Series names only: a live legend reads "--" until the pointer is over the plot (the table holds the numbers).
          legend: { show: true, live: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
          axes: [
            // At least 90 px between time labels: no half-hour ticks between hourly buckets, no overlapping dates.
            { values: (_u, ticks) => ticks.map(formatX), space: 90, incrs: TIME_STEPS, stroke: '#667085', grid: { stroke: '#e3e8ef' } },
            { stroke: '#667085', grid: { stroke: '#e3e8ef' } },
          ],
          series: [
            { label: 'Time', value: (_u, value) => (value == null ? '—' : formatX(value)) },
            ...series.map(({ label: name, color }) => ({ label: name, stroke: color, width: 2, points: { size: 5 } })),
          ],
        },
        columns,
        element,
      )
      observer = new ResizeObserver(() => plot?.setSize({ width: width(), height }))
      observer.observe(element)
      setDrawn(true)
    })
    return () => {
      cancelled = true
      observer?.disconnect()
      plot?.destroy()
    }
  }, [columns, series, formatX, height])

  return (
    <figure className="chart" data-testid={testId} data-drawn={drawn ? 'canvas' : 'table'}>
      <div ref={host} className="chart-canvas" role="img" aria-label={label} />
      <table className={drawable ? 'visually-hidden' : 'table chart-table'}>
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            {series.map(({ key, label: name }) => (
              <th key={key} scope="col" className="num">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {columns[0].map((x, index) => (
            <tr key={x} data-x={x}>
              <th scope="row">{formatX(x)}</th>
              {series.map(({ key }, position) => (
                <td key={key} className="num" data-series={key}>
                  {columns[position + 1][index]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
