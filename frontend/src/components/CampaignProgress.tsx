import type { Campaign } from '../api'
import { percent } from '../format'

/** A bar filled to part/total, with its label; `<progress>` needs no inline style (the CSP allows none in markup). */
function Bar({ label, part, total, tone }: { label: string; part: number; total: number; tone: string }) {
  return (
    <div className="bar-row">
      <span className="bar-label">{label}</span>
      <progress className={`bar bar-${tone}`} max={Math.max(total, 1)} value={part} aria-label={label} />
      <span className="bar-value num">
        {part}/{total} <span className="muted">({percent(part, total)})</span>
      </span>
    </div>
  )
}

/** How far a campaign got: sent of total, and resolved (answered, no interaction or failed) of total. */
export function CampaignProgress({ campaign }: { campaign: Campaign }) {
  const resolved = campaign.interaction_count + campaign.failed_count
  return (
    <div className="campaign-progress" data-testid="campaign-progress">
      <Bar label="Sent" part={campaign.sent_count} total={campaign.total_count} tone="sent" />
      <Bar label="Resolved" part={resolved} total={campaign.total_count} tone="resolved" />
    </div>
  )
}
