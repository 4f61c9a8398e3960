import { Link, useParams } from 'react-router'
import type { Campaign } from '../api'
import { AnswersList } from '../components/AnswersList'
import { CampaignHistory } from '../components/CampaignHistory'
import { CampaignTimeline } from '../components/CampaignTimeline'
import { ErrorMessage } from '../components/ErrorMessage'
import { Funnel } from '../components/Funnel'
import { MessagesPanel } from '../components/MessagesPanel'
import { formatDateTime } from '../format'
import { useCampaign, useCampaignAction } from '../hooks/useCampaigns'
import { useCan } from '../hooks/useSession'

/** What can be done with the campaign in its status: pause or resume; a draft is edited (and launched) in the composer. */
function Actions({ campaign }: { campaign: Campaign }) {
  const action = useCampaignAction(campaign.id)
  const can = useCan()
  return (
    <div className="row campaign-actions">
      {can('campaigns.run') && campaign.status === 'running' && (
        <button type="button" className="button-secondary" data-testid="pause-button" disabled={action.isPending} onClick={() => action.mutate('pause')}>
          Pause
        </button>
      )}
      {can('campaigns.run') && campaign.status === 'paused' && (
        <button type="button" data-testid="resume-button" disabled={action.isPending} onClick={() => action.mutate('resume')}>
          Resume
        </button>
      )}
      {can('campaigns.write') && campaign.status === 'draft' && (
        <Link className="button" to={`/campaigns/${campaign.id}/edit`} data-testid="edit-draft">
          Edit, launch or delete the draft
        </Link>
      )}
      {action.isError && <ErrorMessage error={action.error} compact />}
    </div>
  )
}

/** The first message as the contacts get it: its text, or the template's name and language. */
function firstMessage(campaign: Campaign): string {
  const first = campaign.first_message
  return first.text ?? `template ${first.template} (${first.language})`
}

function CampaignView({ campaign }: { campaign: Campaign }) {
  return (
    <>
      <section className="panel">
        <header className="panel-header campaign-header">
          <div>
            <h2>{campaign.name}</h2>
            <div className="muted small">
              {campaign.launched_at ? `launched ${formatDateTime(campaign.launched_at)}` : `created ${formatDateTime(campaign.created_at)}`}
              {campaign.completed_at && ` · completed ${formatDateTime(campaign.completed_at)}`}
            </div>
            {campaign.blocked_until && (
              <div className="warning small" data-testid="campaign-blocked-until">
                Held by the messaging limit: the rest goes from {formatDateTime(campaign.blocked_until)}
              </div>
            )}
            <CampaignHistory campaignId={campaign.id} />
          </div>
          <span className={`badge badge-${campaign.status}`} data-testid="campaign-status">
            {campaign.status}
          </span>
          <div className="panel-actions">
            <Actions campaign={campaign} />
          </div>
        </header>
        <div className="panel-body">
          <Funnel campaign={campaign} />
          <dl className="campaign-messages">
            <dt>First message</dt>
            <dd>{firstMessage(campaign)}</dd>
            <dt>Second message</dt>
            <dd>{campaign.second_message.text ?? '—'}</dd>
          </dl>
        </div>
      </section>
      <CampaignTimeline campaignId={campaign.id} />
      <div className="grid grid-halves">
        <MessagesPanel campaignId={campaign.id} title="Its messages" />
        <AnswersList campaignId={campaign.id} title="Its answers" />
      </div>
    </>
  )
}

/** `/campaigns/:id`: the funnel, the timeline, the messages and the answers of one campaign, all live. */
export function CampaignPage() {
  const id = Number(useParams().id)
  const campaign = useCampaign(id)
  return (
    <>
      <nav className="crumbs">
        <Link to="/campaigns">‹ Campaigns</Link>
      </nav>
      {campaign.data ? (
        <CampaignView campaign={campaign.data} />
      ) : campaign.isError ? (
        <ErrorMessage error={campaign.error} />
      ) : (
        <div className="loading" role="status">Loading…</div>
      )}
    </>
  )
}
