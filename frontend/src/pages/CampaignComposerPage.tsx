import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type { Campaign } from '../api'
import { AudienceCount } from '../components/AudienceCount'
import { CampaignForm } from '../components/CampaignForm'
import { ErrorMessage } from '../components/ErrorMessage'
import { useCampaign, useCampaignAction, useDeleteCampaign, useSaveCampaign } from '../hooks/useCampaigns'

/** Launch with a confirmation that states the audience; then the campaign's page. */
function LaunchControls({ campaign }: { campaign: Campaign }) {
  const navigate = useNavigate()
  const launch = useCampaignAction(campaign.id)
  const [confirming, setConfirming] = useState(false)
  if (!confirming) {
    return (
      <button type="button" data-testid="launch-button" onClick={() => setConfirming(true)}>
        Launch…
      </button>
    )
  }
  return (
    <div className="confirm" role="alertdialog" aria-label="Confirm the launch">
      <p>
        Send “{campaign.name}” now? The first message goes out to:
      </p>
      <AudienceCount categoryIds={campaign.category_ids} />
      <div className="row">
        <button
          type="button"
          data-testid="confirm-launch"
          disabled={launch.isPending}
          // The promise, not mutate's onSuccess: that one is skipped if this view is gone by the time the server answers.
          onClick={() => launch.mutateAsync('launch').then(() => navigate(`/campaigns/${campaign.id}`), () => undefined)}
        >
          {launch.isPending ? 'Launching…' : 'Launch now'}
        </button>
        <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
      {launch.isError && <ErrorMessage error={launch.error} />}
    </div>
  )
}

/** Deleting a draft asks once more. */
function DeleteDraft({ campaign }: { campaign: Campaign }) {
  const navigate = useNavigate()
  const remove = useDeleteCampaign()
  const [asking, setAsking] = useState(false)
  return (
    <>
      <button
        type="button"
        className="button-danger"
        data-testid="delete-draft"
        disabled={remove.isPending}
        onClick={() => (asking ? remove.mutate(campaign.id, { onSuccess: () => navigate('/campaigns') }) : setAsking(true))}
      >
        {asking ? 'Really delete this draft?' : 'Delete draft'}
      </button>
      {remove.isError && <ErrorMessage error={remove.error} />}
    </>
  )
}

function Composer({ campaign }: { campaign?: Campaign }) {
  const navigate = useNavigate()
  const save = useSaveCampaign(campaign?.id)
  return (
    <div className="grid grid-composer">
      <section className="panel panel-form">
        <header className="panel-header">
          <h2>{campaign ? `Edit draft: ${campaign.name}` : 'New campaign'}</h2>
        </header>
        <CampaignForm
          campaign={campaign}
          saving={save.isPending}
          error={save.error}
          onSave={(body) =>
            save.mutate(body, {
              // A new draft's address is its edit page, where it can be launched.
              onSuccess: (saved) => !campaign && navigate(`/campaigns/${saved.id}/edit`, { replace: true }),
            })
          }
        />
        {save.isSuccess && !save.isPending && <p className="muted small" role="status">Draft saved.</p>}
      </section>
      <aside className="panel">
        <header className="panel-header">
          <h2>Launch</h2>
        </header>
        <div className="panel-body stack">
          {campaign ? (
            <>
              <LaunchControls key={campaign.id} campaign={campaign} />
              <DeleteDraft campaign={campaign} />
              <Link to={`/campaigns/${campaign.id}`}>The campaign's page</Link>
            </>
          ) : (
            <p className="muted">Save the draft first; then it can be launched from here.</p>
          )}
        </div>
      </aside>
    </div>
  )
}

/** `/campaigns/new` and `/campaigns/:id/edit` (a draft only). */
export function CampaignComposerPage() {
  const { id } = useParams()
  const campaignId = id === undefined ? undefined : Number(id)
  return campaignId === undefined ? <Composer /> : <EditDraft id={campaignId} />
}

function EditDraft({ id }: { id: number }) {
  const campaign = useCampaign(id)
  if (campaign.isError) return <ErrorMessage error={campaign.error} />
  if (!campaign.data) return <div className="loading" role="status">Loading…</div>
  if (campaign.data.status !== 'draft') {
    return (
      <p className="empty">
        This campaign is {campaign.data.status}: only a draft can be edited.{' '}
        <Link to={`/campaigns/${id}`}>Its page</Link>
      </p>
    )
  }
  // Keyed by id: the form starts from this draft's fields.
  return <Composer key={id} campaign={campaign.data} />
}
