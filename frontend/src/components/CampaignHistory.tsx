import type { CampaignHistoryEntry } from '../api'
import { formatDateTime } from '../format'
import { useCampaignHistory } from '../hooks/useCampaigns'

/** The verb an audited campaign write reads as ("campaign.launched" → "launched"). */
export const historyVerb = (action: string) => action.replace(/^campaign\./, '')

function Entry({ entry }: { entry: CampaignHistoryEntry }) {
  return (
    <li data-testid="history-entry" data-action={entry.action}>
      {historyVerb(entry.action)} by <b>{entry.actor}</b>, {formatDateTime(entry.at)}
    </li>
  )
}

/** Who created, edited, launched, paused and resumed the campaign, from the audit log (shown to every role). */
export function CampaignHistory({ campaignId }: { campaignId: number }) {
  const history = useCampaignHistory(campaignId)
  const items = history.data?.items ?? []
  if (items.length === 0) return null
  return (
    <ul className="campaign-history muted small" data-testid="campaign-history" aria-label="Who did what">
      {items.map((entry, index) => (
        <Entry key={index} entry={entry} />
      ))}
    </ul>
  )
}
