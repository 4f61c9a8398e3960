import { useMemo } from 'react'
import type { DailyCounter } from '../api'
import { TimeChart } from '../charts/TimeChart'
import { toColumns, type SeriesSpec } from '../charts/series'

type Series = Exclude<keyof DailyCounter, 'date'>

export const DAILY_SERIES: Array<SeriesSpec<Series>> = [
  { key: 'sent', label: 'Sent', color: '#2563eb' },
  { key: 'delivered', label: 'Delivered', color: '#0891b2' },
  { key: 'read', label: 'Read', color: '#16a34a' },
  { key: 'interactions', label: 'Interactions', color: '#9333ea' },
  { key: 'no_interaction', label: 'No interaction', color: '#d97706' },
  { key: 'failed', label: 'Failed', color: '#dc2626' },
]

/** A UTC day as month-day, the way the counters are kept. */
export const formatDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(5, 10)

/** A line per daily counter (uPlot), with the same numbers as a table. */
export function DailyChart({ items }: { items: DailyCounter[] }) {
  // The same columns object while the items are the same: uPlot is rebuilt only when the data changes.
  const columns = useMemo(() => toColumns(items, (day) => day.date, DAILY_SERIES), [items])
  if (items.length === 0) return <p className="empty">No counters for this period.</p>
  return (
    <TimeChart
      label="Daily message counters"
      testId="daily-chart"
      columns={columns}
      series={DAILY_SERIES}
      formatX={formatDay}
    />
  )
}
