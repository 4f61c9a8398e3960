import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { AnswersList } from '../components/AnswersList'
import { useCampaigns } from '../hooks/useCampaigns'

interface Filters {
  campaignId?: number
  contactId?: number
  contactName?: string
}

const positive = (value: string | null) => (value && /^\d+$/.test(value) ? Number(value) : undefined)

/** The answers inbox: every contact's answers, newest first and live, filtered by campaign and by contact. */
export function AnswersPage() {
  // The filters live in the address (?campaign_id=&contact_id=), so a filtered inbox can be bookmarked and shared;
  // through the router, so its location (and a Link or the back button) agrees with what is shown.
  const [search, setSearch] = useSearchParams()
  const [contactName, setContactName] = useState<string>()
  const filters: Filters = {
    campaignId: positive(search.get('campaign_id')),
    contactId: positive(search.get('contact_id')),
    contactName,
  }
  const campaigns = useCampaigns().data?.items ?? []
  const change = ({ campaignId, contactId, contactName }: Filters) => {
    const next = new URLSearchParams()
    if (campaignId !== undefined) next.set('campaign_id', String(campaignId))
    if (contactId !== undefined) next.set('contact_id', String(contactId))
    setContactName(contactName)
    setSearch(next, { replace: true })
  }
  const filterControls = (
    <div className="filters" data-testid="answers-filters">
      {filters.contactId !== undefined && (
        <span className="chip chip-filter" data-testid="answers-contact-filter">
          {filters.contactName ?? `Contact #${filters.contactId}`}
          <button
            type="button"
            className="link"
            aria-label="Show every contact's answers"
            onClick={() => change({ ...filters, contactId: undefined, contactName: undefined })}
          >
            ×
          </button>
        </span>
      )}
      <select
        aria-label="Filter by campaign"
        value={filters.campaignId ?? ''}
        onChange={(event) => change({ ...filters, campaignId: positive(event.target.value) })}
      >
        <option value="">All campaigns</option>
        {campaigns.map((campaign) => (
          <option key={campaign.id} value={campaign.id}>
            {campaign.name}
          </option>
        ))}
      </select>
    </div>
  )
  return (
    <div className="page stack">
      <p className="muted small page-note">
        What contacts wrote or tapped, newest first; new answers appear as they arrive. Click a contact&apos;s name to
        see only their answers. An answer that opted its contact out (STOP and the like) is marked in red.
      </p>
      <AnswersList
        campaignId={filters.campaignId}
        contactId={filters.contactId}
        onContact={(contactId, contactName) => change({ ...filters, contactId, contactName })}
        actions={filterControls}
      />
    </div>
  )
}
