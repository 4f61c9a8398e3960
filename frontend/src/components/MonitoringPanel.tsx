import { DAY_RANGES, useDailyCounters } from '../hooks/useMonitoring'
import { DailyChart } from './DailyChart'
import { Panel } from './Panel'

/** The daily counters over the chosen number of days. */
export function MonitoringPanel() {
  const { query, days, setDays } = useDailyCounters()
  const range = (
    <div className="segmented" role="group" aria-label="Days">
      {DAY_RANGES.map((option) => (
        <button
          key={option}
          type="button"
          className={option === days ? 'is-active' : undefined}
          aria-pressed={option === days}
          onClick={() => setDays(option)}
        >
          {option}d
        </button>
      ))}
    </div>
  )
  return (
    <Panel title="Daily activity" query={query} actions={range}>
      {({ items }) => <DailyChart items={items} />}
    </Panel>
  )
}
