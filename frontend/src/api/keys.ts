import type { AuditParams, ContactListParams, InteractionListParams, MessageListParams, TimelineBucket } from './types'

// The only place query keys are written. Each key holds every variable its fetcher uses.
//
// Keys are a tree per resource: `all → lists → list(filters)` and `all → details → detail(id)`.
// A query filter matches every key that starts with its key, so `lists()` reaches every list and
// no detail, `detail(id)` reaches that one detail, and `all()` the whole resource: no filter needs
// `exact`, and invalidating a list can never touch a detail by accident.
// Which keys a write refreshes is said once, in `events.ts`.

export const statsKeys = {
  all: () => ['stats'] as const,
}

export const categoryKeys = {
  all: () => ['categories'] as const,
  lists: () => [...categoryKeys.all(), 'list'] as const,
  /** GET /api/categories takes no filters: its one list. */
  list: () => [...categoryKeys.lists(), {}] as const,
  details: () => [...categoryKeys.all(), 'detail'] as const,
  detail: (id: number) => [...categoryKeys.details(), id] as const,
}

export const contactKeys = {
  all: () => ['contacts'] as const,
  lists: () => [...contactKeys.all(), 'list'] as const,
  list: (params: ContactListParams) => [...contactKeys.lists(), params] as const,
}

export const campaignKeys = {
  all: () => ['campaigns'] as const,
  lists: () => [...campaignKeys.all(), 'list'] as const,
  list: () => [...campaignKeys.lists(), {}] as const,
  details: () => [...campaignKeys.all(), 'detail'] as const,
  detail: (id: number) => [...campaignKeys.details(), id] as const,
  /** Each campaign's timelines, beside (not under) its detail: a status event moves them, a rename does not. */
  timelines: () => [...campaignKeys.all(), 'timeline'] as const,
  timelinesOf: (id: number) => [...campaignKeys.timelines(), id] as const,
  timeline: (id: number, bucket: TimelineBucket) => [...campaignKeys.timelinesOf(id), bucket] as const,
  /** Who created, edited, launched, paused, resumed it; beside its detail, which every message status moves. */
  histories: () => [...campaignKeys.all(), 'history'] as const,
  history: (id: number) => [...campaignKeys.histories(), id] as const,
  /** The composer's live audience; the ids sorted, so ticking 2 then 1 and 1 then 2 share an entry. */
  audiences: () => [...campaignKeys.all(), 'audience'] as const,
  audience: (categoryIds: number[]) => [...campaignKeys.audiences(), [...categoryIds].sort((a, b) => a - b)] as const,
}

export const messageKeys = {
  all: () => ['messages'] as const,
  lists: () => [...messageKeys.all(), 'list'] as const,
  list: (params: MessageListParams) => [...messageKeys.lists(), params] as const,
}

/** The answers inbox; a list's cursor pages live inside its one (infinite) query, so the key holds the filters only. */
export const interactionKeys = {
  all: () => ['interactions'] as const,
  lists: () => [...interactionKeys.all(), 'list'] as const,
  list: (params: InteractionListParams) => [...interactionKeys.lists(), params] as const,
}

export const monitoringKeys = {
  all: () => ['monitoring'] as const,
  daily: (days: number) => [...monitoringKeys.all(), 'daily', days] as const,
}

export const cacheStatsKeys = {
  all: () => ['cache-stats'] as const,
}

/** The session's user (GET /api/auth/me): cleared with the whole cache at login and logout. */
export const meKeys = {
  all: () => ['me'] as const,
}

export const userKeys = {
  all: () => ['users'] as const,
  lists: () => [...userKeys.all(), 'list'] as const,
  list: () => [...userKeys.lists(), {}] as const,
}

/** The audit log; its cursor pages live inside one infinite query per filter, as the answers' do. */
export const auditKeys = {
  all: () => ['audit'] as const,
  lists: () => [...auditKeys.all(), 'list'] as const,
  list: (params: AuditParams) => [...auditKeys.lists(), params] as const,
}
