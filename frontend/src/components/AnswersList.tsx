import type { ReactNode } from 'react'
import { Link } from 'react-router'
import type { Campaign, Interaction } from '../api'
import { formatDateTime } from '../format'
import { keywordOf } from '../keywords'
import { useCampaigns } from '../hooks/useCampaigns'
import { useInteractions } from '../hooks/useInteractions'
import { Panel } from './Panel'

interface Filters {
  campaignId?: number
  contactId?: number
}

/** What a contact tapped reads as a button; typed text as they wrote it; a keyword says what it did. */
function AnswerBody({ answer }: { answer: Interaction }) {
  const keyword = keywordOf(answer.body)
  return (
    <>
      {answer.kind !== 'text' && <span className="badge badge-kind">{answer.kind === 'button' ? 'tapped' : answer.kind}</span>}{' '}
      <span className="answer-body">{answer.body ?? <em className="muted">(no text)</em>}</span>
      {keyword === 'opt-out' && (
        <span className="badge badge-opted-out" data-testid="answer-opt-out" title="This answer opted the contact out of every campaign">
          opted out
        </span>
      )}
      {keyword === 'opt-in' && (
        <span className="badge badge-opt-in" data-testid="answer-opt-in" title="This answer opted the contact back in">
          opted back in
        </span>
      )}
    </>
  )
}

function CampaignLink({ id, campaigns }: { id: number | null; campaigns: Map<number, Campaign> }) {
  if (id === null) return <span className="muted">none</span>
  return <Link to={`/campaigns/${id}`}>{campaigns.get(id)?.name ?? `Campaign #${id}`}</Link>
}

interface ListProps extends Filters {
  /** Called with a contact's id when its name is clicked (the answers page filters by it); plain text otherwise. */
  onContact?: (contactId: number, name: string) => void
  /** Shown in the panel's header (the answers page's filters). */
  actions?: ReactNode
  title?: string
}

/** The answers, newest first, live: each contact's text or button, the campaign it answers, when; "load more" pages back. */
export function AnswersList({ campaignId, contactId, onContact, actions, title = 'Answers' }: ListProps) {
  const { query, items } = useInteractions({ campaignId, contactId })
  const campaigns = new Map((useCampaigns().data?.items ?? []).map((campaign) => [campaign.id, campaign]))
  return (
    <Panel title={title} query={query} className="panel-answers" actions={actions}>
      {() => (
        <>
          {items.length === 0 ? (
            <p className="empty">No answers yet.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Contact</th>
                  {campaignId === undefined && <th>Campaign</th>}
                  <th>Answer</th>
                </tr>
              </thead>
              <tbody>
                {items.map((answer) => (
                  <tr key={answer.id} data-testid="answer-row" data-interaction-id={answer.id}>
                    <td className="muted small nowrap">{formatDateTime(answer.occurred_at)}</td>
                    <td>
                      {onContact && contactId === undefined ? (
                        <button type="button" className="link link-filter" title="Only this contact's answers" onClick={() => onContact(answer.contact_id, answer.contact_name)}>
                          {answer.contact_name}
                        </button>
                      ) : (
                        answer.contact_name
                      )}
                    </td>
                    {campaignId === undefined && (
                      <td>
                        <CampaignLink id={answer.campaign_id} campaigns={campaigns} />
                      </td>
                    )}
                    <td>
                      <AnswerBody answer={answer} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label="More answers">
            <span className="pager-label">
              {items.length} answer{items.length === 1 ? '' : 's'} shown{query.hasNextPage ? ', older ones below' : ''}
            </span>
            {query.hasNextPage && (
              <button
                type="button"
                className="button-secondary"
                data-testid="answers-load-more"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </nav>
        </>
      )}
    </Panel>
  )
}
