import { useAudience } from '../hooks/useCampaigns'
import { ErrorMessage } from './ErrorMessage'

/** Who a launch would reach now, counted by the server as the categories are ticked. */
export function AudienceCount({ categoryIds }: { categoryIds: number[] }) {
  const audience = useAudience(categoryIds)
  // No category: nobody, without asking. Otherwise the previous count stays while the next one loads.
  const counted = categoryIds.length === 0 ? { contacts: 0, opted_out: 0 } : audience.data
  const updating = categoryIds.length > 0 && (audience.isFetching || audience.isPlaceholderData)
  return (
    <div className="audience" aria-live="polite" aria-busy={updating}>
      <div>
        <span className="audience-number" data-testid="audience-count">
          {counted?.contacts ?? 0}
        </span>{' '}
        contacts will receive it
        {updating && <span className="updating">counting…</span>}
      </div>
      <div className="muted small">
        <span data-testid="audience-opted-out">{counted?.opted_out ?? 0}</span> opted out, left out
      </div>
      {audience.isError && <ErrorMessage error={audience.error} compact />}
    </div>
  )
}
