import { useAudience } from '../hooks/useCampaigns'
import { ErrorMessage } from './ErrorMessage'

/** Who a launch would reach now, counted by the server as the categories are ticked. */
export function AudienceCount({ categoryIds }: { categoryIds: number[] }) {
  const audience = useAudience(categoryIds)
  // No category: nobody, without asking. Otherwise the previous count stays while the next one loads.
  const counted = categoryIds.length === 0 ? { contacts: 0, opted_out: 0, messaging_limit: null } : audience.data
  const limit = counted?.messaging_limit
  const overLimit = limit && counted.contacts > limit.remaining
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
      {overLimit && (
        <div className="warning small" role="alert" data-testid="messaging-limit-warning">
          Only {limit.remaining} of the messaging limit ({limit.limit} new users per 24 hours) is left now: the other{' '}
          {counted.contacts - limit.remaining} will be sent as the window moves.
        </div>
      )}
      {audience.isError && <ErrorMessage error={audience.error} compact />}
    </div>
  )
}
