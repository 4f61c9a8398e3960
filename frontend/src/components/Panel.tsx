import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { ErrorMessage } from './ErrorMessage'

interface PanelProps<T> {
  title: string
  query: UseQueryResult<T, Error>
  actions?: ReactNode
  className?: string
  children: (data: T) => ReactNode
}

/**
 * A titled card around one query: a placeholder only until the first data arrives; after that the
 * data stays on screen and a refetch or page change only shows the small "updating…" badge.
 */
export function Panel<T>({ title, query, actions, className, children }: PanelProps<T>) {
  const updating = query.data !== undefined && (query.isFetching || query.isPlaceholderData)
  return (
    <section className={`panel ${className ?? ''}`} aria-busy={query.isFetching}>
      <header className="panel-header">
        <h2>{title}</h2>
        {updating && <span className="updating" role="status">updating…</span>}
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className={`panel-body ${query.isPlaceholderData ? 'is-placeholder' : ''}`}>
        {query.data !== undefined ? (
          <>
            {query.isError && <ErrorMessage error={query.error} compact />}
            {children(query.data)}
          </>
        ) : query.isError ? (
          <ErrorMessage error={query.error} />
        ) : (
          <div className="loading" role="status">Loading…</div>
        )}
      </div>
    </section>
  )
}
