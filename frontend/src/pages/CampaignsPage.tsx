import { Link } from 'react-router'
import { CampaignsPanel } from '../components/CampaignsPanel'

/** `/campaigns`: every campaign with its progress, and the way to a new one. */
export function CampaignsPage() {
  return (
    <CampaignsPanel
      actions={
        <Link className="button" to="/campaigns/new" data-testid="new-campaign">
          New campaign
        </Link>
      }
    />
  )
}
