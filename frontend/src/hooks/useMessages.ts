import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { messagesQuery } from '../api'
import type { MessageStatus } from '../api'

export const MESSAGES_PER_PAGE = 25

/**
 * One page of messages with keyset paging. The API only gives a cursor forward, so the cursors
 * of the pages already seen are kept to go back.
 */
export function useMessagePages(filters: { campaign_id?: number } = {}) {
  const [cursors, setCursors] = useState<string[]>([])
  const [status, setStatusState] = useState<MessageStatus | undefined>(undefined)
  const cursor = cursors.at(-1)
  const query = useQuery(messagesQuery({ per_page: MESSAGES_PER_PAGE, ...filters, cursor, status }))
  const nextCursor = query.isPlaceholderData ? null : (query.data?.next_cursor ?? null)

  return {
    query,
    status,
    pageNumber: cursors.length + 1,
    hasNext: nextCursor !== null,
    hasPrevious: cursors.length > 0,
    next: () => nextCursor && setCursors((seen) => [...seen, nextCursor]),
    previous: () => setCursors((seen) => seen.slice(0, -1)),
    setStatus: (next?: MessageStatus) => {
      setStatusState(next)
      setCursors([])
    },
  }
}
