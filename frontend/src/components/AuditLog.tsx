import { useState } from 'react'
import type { FormEvent } from 'react'
import type { AuditEntry } from '../api'
import { formatDateTime } from '../format'
import { useAudit } from '../hooks/useUsers'
import { Panel } from './Panel'

export const AUDIT_PER_PAGE = 50

/**
 * The ids a write touched, on one line. The server records each event with its params
 * (`{"contact.created": {"contact_id": [7], "category_ids": [1]}}`): the params are shown, since the action
 * column names the events already.
 */
export function idsText(ids: Record<string, unknown>): string {
  const params = Object.values(ids).flatMap((value) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [],
  )
  return params
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(', ') : JSON.stringify(value)}`)
    .join(' · ')
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr data-testid="audit-row" data-audit-id={entry.id}>
      <td className="muted small nowrap">{formatDateTime(entry.at)}</td>
      <td>{entry.actor}</td>
      <td className="mono small">{entry.action}</td>
      <td className="mono small">{idsText(entry.ids)}</td>
    </tr>
  )
}

/** Who wrote what, newest first (GET /api/audit, admins), filtered by action; "load more" pages back. */
export function AuditLog() {
  const [action, setAction] = useState<string | undefined>(undefined)
  const query = useAudit({ action, per_page: AUDIT_PER_PAGE })
  const items = query.data?.pages.flatMap((page) => page.items) ?? []

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setAction(String(new FormData(event.currentTarget).get('action') ?? '').trim() || undefined)
  }

  const filters = (
    <form onSubmit={filter} role="search">
      <input name="action" type="search" placeholder="Action, e.g. contact.deleted" aria-label="Filter by action" />
    </form>
  )
  return (
    <Panel title="Audit log" query={query} className="panel-wide" actions={filters}>
      {() => (
        <>
          {items.length === 0 ? (
            <p className="empty">Nothing recorded.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Ids</th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          )}
          {query.hasNextPage && (
            <nav className="pager" aria-label="More audit rows">
              <button
                type="button"
                className="button-secondary"
                data-testid="audit-load-more"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </nav>
          )}
        </>
      )}
    </Panel>
  )
}
