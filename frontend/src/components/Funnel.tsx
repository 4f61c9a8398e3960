import type { Campaign } from '../api'
import { percent } from '../format'

/**
 * The funnel over a campaign's first messages, each step as a share of the total. The API's `failed_count`
 * counts the messages that failed to send AND those marked no_interaction (shared/CONTRACT.md): the two are
 * shown apart, failed being the difference.
 */
export function funnelSteps(campaign: Campaign) {
  return [
    { id: 'total', label: 'Total', count: campaign.total_count },
    { id: 'sent', label: 'Sent', count: campaign.sent_count },
    { id: 'delivered', label: 'Delivered', count: campaign.delivered_count },
    { id: 'read', label: 'Read', count: campaign.read_count },
    { id: 'answered', label: 'Answered', count: campaign.interaction_count },
    { id: 'no-interaction', label: 'No interaction', count: campaign.no_interaction_count },
    { id: 'failed', label: 'Failed to send', count: Math.max(0, campaign.failed_count - campaign.no_interaction_count) },
  ]
}

export function Funnel({ campaign }: { campaign: Campaign }) {
  const total = campaign.total_count
  return (
    <ol className="funnel" aria-label="Funnel of the first messages">
      {funnelSteps(campaign).map(({ id, label, count }) => (
        <li key={id} className={`funnel-step funnel-${id}`}>
          <span className="funnel-label">{label}</span>
          <span className="funnel-count" data-testid={`funnel-${id}`}>
            {count}
          </span>
          <span className="funnel-percent" data-testid={`funnel-${id}-percent`}>
            {id === 'total' ? '100%' : percent(count, total)}
          </span>
          <progress className={`bar bar-${id}`} max={Math.max(total, 1)} value={count} aria-hidden="true" />
        </li>
      ))}
    </ol>
  )
}
