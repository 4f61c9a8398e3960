import { useInfiniteQuery } from '@tanstack/react-query'
import { interactionsQuery } from '../api'
import type { Interaction } from '../api'

export const ANSWERS_PER_PAGE = 25

export interface AnswerFilters {
  campaignId?: number
  contactId?: number
}

/**
 * The answers, newest first, with "load more": keyset pages kept in one infinite query, so a pushed
 * interaction.recorded (api/events.ts) refetches the pages on screen from the first, each after the
 * previous one's cursor, and a new answer shows on top without losing what was loaded below.
 */
export function useInteractions({ campaignId, contactId }: AnswerFilters = {}) {
  const query = useInfiniteQuery(
    interactionsQuery({ per_page: ANSWERS_PER_PAGE, campaign_id: campaignId, contact_id: contactId }),
  )
  const items: Interaction[] = query.data?.pages.flatMap((page) => page.items) ?? []
  return { query, items }
}
