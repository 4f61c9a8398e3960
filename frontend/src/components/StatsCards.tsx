import { CAMPAIGN_STATUSES, MESSAGE_STATUSES } from '../api'
import type { Stats } from '../api'
import { statusLabel } from '../format'
import { useStats } from '../hooks/useStats'
import { Panel } from './Panel'

interface CardProps {
  testId: string
  label: string
  total: number
  /** [key, label, value]; the value's test hook is `<testId>-<key>`, e.g. stat-messages-delivered. */
  parts?: Array<[string, string, number]>
}

/** One total; the number alone sits in the test hook so tests can read it as is. */
function StatCard({ testId, label, total, parts = [] }: CardProps) {
  return (
    <div className="stat-card">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {total}
      </div>
      {parts.length > 0 && (
        <ul className="stat-parts">
          {parts.map(([key, name, value]) => (
            <li key={key}>
              <span>{name}</span> <b data-testid={`${testId}-${key}`}>{value}</b>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function StatGrid({ stats }: { stats: Stats }) {
  const { messages, campaigns } = stats
  return (
    <div className="stat-grid">
      <StatCard
        testId="stat-contacts"
        label="Contacts"
        total={stats.contacts.total}
        parts={[['opted_out', 'opted out', stats.contacts.opted_out]]}
      />
      <StatCard
        testId="stat-messages"
        label="Messages"
        total={messages.total}
        parts={MESSAGE_STATUSES.map((status) => [status, statusLabel(status), messages[status]])}
      />
      <StatCard
        testId="stat-campaigns"
        label="Campaigns"
        total={campaigns.total}
        parts={CAMPAIGN_STATUSES.map((status) => [status, statusLabel(status), campaigns[status]])}
      />
      <StatCard testId="stat-interactions" label="Interactions" total={stats.interactions.total} />
    </div>
  )
}

export function StatsCards() {
  return (
    <Panel title="Overview" query={useStats()} className="panel-stats">
      {(stats) => <StatGrid stats={stats} />}
    </Panel>
  )
}
