import { MESSAGE_STATUSES } from '../api'
import type { MessageStatus } from '../api'
import { formatDateTime, statusLabel } from '../format'
import { useMessagePages } from '../hooks/useMessages'
import { Pager } from './Pager'
import { Panel } from './Panel'

type Pages = ReturnType<typeof useMessagePages>

function StatusFilter({ pages }: { pages: Pages }) {
  return (
    <select
      aria-label="Filter by status"
      value={pages.status ?? ''}
      onChange={(event) => pages.setStatus((event.target.value || undefined) as MessageStatus | undefined)}
    >
      <option value="">All statuses</option>
      {MESSAGE_STATUSES.map((status) => (
        <option key={status} value={status}>
          {statusLabel(status)}
        </option>
      ))}
    </select>
  )
}

/** The latest messages (of one campaign, if given), newest first, a page at a time. */
export function MessagesPanel({ campaignId, title = 'Messages' }: { campaignId?: number; title?: string } = {}) {
  const pages = useMessagePages(campaignId === undefined ? {} : { campaign_id: campaignId })
  return (
    <Panel title={title} query={pages.query} actions={<StatusFilter pages={pages} />}>
      {({ items }) => (
        <>
          {items.length === 0 ? (
            <p className="empty">No messages.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Contact</th>
                  <th>Step</th>
                  <th>Status</th>
                  <th>Sent</th>
                </tr>
              </thead>
              <tbody>
                {items.map((message) => (
                  <tr key={message.id} data-testid="message-row" data-message-id={message.id}>
                    <td>{message.contact_name}</td>
                    <td>{message.step === 1 ? 'first' : 'second'}</td>
                    <td>
                      <span className={`badge badge-${message.status}`}>{statusLabel(message.status)}</span>
                    </td>
                    <td className="muted small">{message.sent_at ? formatDateTime(message.sent_at) : 'not sent'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            label={`Page ${pages.pageNumber}`}
            hasPrevious={pages.hasPrevious}
            hasNext={pages.hasNext}
            onPrevious={pages.previous}
            onNext={pages.next}
          />
        </>
      )}
    </Panel>
  )
}
