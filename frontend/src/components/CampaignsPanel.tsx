import type { ReactNode } from 'react'
import { Link } from 'react-router'
import type { Campaign } from '../api'
import { formatDateTime } from '../format'
import { useCampaigns } from '../hooks/useCampaigns'
import { CampaignProgress } from './CampaignProgress'
import { Panel } from './Panel'

const COUNTERS: Array<[keyof Campaign, string]> = [
  ['total_count', 'Total'],
  ['sent_count', 'Sent'],
  ['delivered_count', 'Delivered'],
  ['read_count', 'Read'],
  ['interaction_count', 'Interacted'],
  ['no_interaction_count', 'No interaction'],
  ['failed_count', 'Failed'],
]

function CampaignRow({ campaign }: { campaign: Campaign }) {
  return (
    <tr data-testid="campaign-row" data-campaign-id={campaign.id}>
      <td>
        <div>
          <Link to={`/campaigns/${campaign.id}`}>{campaign.name}</Link>
        </div>
        <div className="muted small">
          {campaign.launched_at ? `launched ${formatDateTime(campaign.launched_at)}` : `created ${formatDateTime(campaign.created_at)}`}
        </div>
      </td>
      <td>
        <span className={`badge badge-${campaign.status}`}>{campaign.status}</span>
      </td>
      {COUNTERS.map(([field]) => (
        <td key={field} className="num" data-counter={field}>
          {campaign[field] as number}
        </td>
      ))}
      <td className="progress-cell">
        <CampaignProgress campaign={campaign} />
      </td>
    </tr>
  )
}

/** Every campaign, newest first, with the counters of its first messages, each linking to its page. */
export function CampaignsPanel({ actions }: { actions?: ReactNode } = {}) {
  return (
    <Panel title="Campaigns" query={useCampaigns()} className="panel-wide" actions={actions}>
      {({ items }) =>
        items.length === 0 ? (
          <p className="empty">No campaigns yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>Campaign</th>
                  <th>Status</th>
                  {COUNTERS.map(([field, label]) => (
                    <th key={field} className="num">
                      {label}
                    </th>
                  ))}
                  <th>Progress</th>
                </tr>
              </thead>
              <tbody>
                {items.map((campaign) => (
                  <CampaignRow key={campaign.id} campaign={campaign} />
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Panel>
  )
}
