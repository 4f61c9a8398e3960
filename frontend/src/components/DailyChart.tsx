import type { DailyCounter } from '../api'

type Series = Exclude<keyof DailyCounter, 'date'>

const SERIES: Array<{ key: Series; label: string; color: string }> = [
  { key: 'sent', label: 'Sent', color: '#2563eb' },
  { key: 'delivered', label: 'Delivered', color: '#0891b2' },
  { key: 'read', label: 'Read', color: '#16a34a' },
  { key: 'interactions', label: 'Interactions', color: '#9333ea' },
  { key: 'no_interaction', label: 'No interaction', color: '#d97706' },
  { key: 'failed', label: 'Failed', color: '#dc2626' },
]

const WIDTH = 640
const HEIGHT = 220
const PAD = { top: 12, right: 24, bottom: 28, left: 40 }

/** A round axis maximum: four times a round step, so the four grid lines get even, readable labels. */
function niceMax(value: number): number {
  // The step is 1, 2, 2.5 or 5 times a power of ten (2.5 only from 25 up, so labels stay whole).
  const quarter = Math.max(value, 1) / 4
  const power = 10 ** Math.floor(Math.log10(quarter))
  const factors = power >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]
  const step = Math.max(1, (factors.find((factor) => factor * power >= quarter) ?? 10) * power)
  return step * 4
}

/** Day labels are thinned out so that at most about ten fit under the chart. */
function labelEvery(days: number): number {
  return Math.max(1, Math.ceil(days / 10))
}

/** A line per daily counter, drawn as plain SVG. */
export function DailyChart({ items }: { items: DailyCounter[] }) {
  if (items.length === 0) return <p className="empty">No counters for this period.</p>

  const max = niceMax(Math.max(...items.flatMap((day) => SERIES.map(({ key }) => day[key]))))
  const plotWidth = WIDTH - PAD.left - PAD.right
  const plotHeight = HEIGHT - PAD.top - PAD.bottom
  const x = (index: number) => PAD.left + (items.length === 1 ? plotWidth / 2 : (index / (items.length - 1)) * plotWidth)
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => Math.round(share * max))
  const every = labelEvery(items.length)

  return (
    <figure className="chart" data-testid="daily-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Daily message counters">
        {ticks.map((tick) => (
          <g key={tick} className="chart-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {items.map((day, index) =>
          index % every === 0 || index === items.length - 1 ? (
            <text key={day.date} className="chart-axis" x={x(index)} y={HEIGHT - 8} textAnchor="middle">
              {day.date.slice(5)}
            </text>
          ) : null,
        )}
        {SERIES.map(({ key, label, color }) => (
          <g key={key} data-series={key}>
            <polyline
              fill="none"
              stroke={color}
              strokeWidth={2}
              strokeLinejoin="round"
              points={items.map((day, index) => `${x(index)},${y(day[key])}`).join(' ')}
            />
            {items.map((day, index) => (
              <circle key={day.date} cx={x(index)} cy={y(day[key])} r={2.5} fill={color}>
                <title>{`${day.date} · ${label}: ${day[key]}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {SERIES.map(({ key, label, color }) => (
          <span key={key}>
            <i style={{ background: color }} /> {label}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
