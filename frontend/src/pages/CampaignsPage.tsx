import { Link } from 'react-router'
import { CampaignsPanel } from '../components/CampaignsPanel'
import { useCan } from '../hooks/useSession'

/** `/campaigns`: every campaign with its progress, and the way to a new one (for those who may write). */
export function CampaignsPage() {
  const can = useCan()
  return (
    <CampaignsPanel
      actions={
        can('campaigns.write') && (
        <Link className="button" to="/campaigns/new" data-testid="new-campaign">
          New campaign
        </Link>
        )
      }
    />
  )
}
