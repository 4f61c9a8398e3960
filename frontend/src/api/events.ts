import { hashKey } from '@tanstack/react-query'
import type { QueryFilters, QueryKey } from '@tanstack/react-query'
import { campaignKeys, categoryKeys, contactKeys, messageKeys, monitoringKeys, statsKeys } from './keys'

// Which cached queries each of the backend's events makes stale: the one place the dashboard says it.
// The mutations build the events their write will emit and refresh what this map names (cancel,
// snapshot and roll back the same targets); server-pushed events (GET /api/events) go through it too.
//
// Twin of `chatbot/cache/invalidation.py` (which server cache entries an event drops); the events and
// their params are listed in `chatbot/events.py`. Where the two tables differ, it is because the
// dashboard caches more than the server: contact, campaign and message lists, the daily counters.
//
// | event                                  | refreshes                                                      |
// |----------------------------------------|----------------------------------------------------------------|
// | contact.created / updated / deleted    | stats, category lists, its categories' details, contact lists; |
// |                                        | deleted with campaign_ids: campaign and message lists too      |
// | category.created                       | category lists                                                 |
// | category.updated                       | category lists, its detail                                     |
// | category.deleted                       | category lists, its detail, contact lists (their categories)   |
// | campaign.created                       | stats, campaign lists                                          |
// | campaign.launched                      | stats, campaign lists, message lists (first messages queued)   |
// | campaign.completed                     | stats, campaign lists                                          |
// | message.sent / status, sweep.completed | stats, campaign lists (counters), message lists                |
// | interaction.recorded                   | the same, and contact lists (last_interaction_at)              |
// | monitoring.counted                     | the daily counters                                             |
// | data.seeded                            | everything but the cache metrics                               |
//
// The cache metrics follow no event: they are polled (CACHE_STATS_POLL_MS).

/** What a contact event carries; a new row's id is unknown until the server answers its creation. */
interface ContactParams {
  contact_id?: number
  category_ids: number[]
  /** contact.deleted: the campaigns of its messages, which go with it. */
  campaign_ids?: number[]
}
type CampaignsParams = { campaign_ids: number[] }

/** Each event of `chatbot/events.py` with its params. */
interface EventParams {
  'contact.created': ContactParams
  'contact.updated': ContactParams
  'contact.deleted': ContactParams
  'category.created': { category_id?: number }
  'category.updated': { category_id: number }
  'category.deleted': { category_id: number }
  'campaign.created': { campaign_id: number }
  'campaign.launched': { campaign_id: number }
  'campaign.completed': CampaignsParams
  'message.sent': CampaignsParams
  'message.status': CampaignsParams
  'sweep.completed': CampaignsParams
  'interaction.recorded': CampaignsParams & { contact_ids: number[] }
  'monitoring.counted': { counts: Record<string, unknown> }
  'data.seeded': Record<string, never>
}

export type ApiEventName = keyof EventParams

/** One event as the backend's unit of work records it: a name and its params. */
export type ApiEvent = { [Name in ApiEventName]: { name: Name; params: EventParams[Name] } }[ApiEventName]

const messaging = (): QueryKey[] => [statsKeys.all(), campaignKeys.lists(), messageKeys.lists()]

/** The query keys each event makes stale (each key also reaches every key under it). */
const MAP: { [Name in ApiEventName]: (params: EventParams[Name]) => QueryKey[] } = {
  'contact.created': (params) => contactTargets(params),
  'contact.updated': (params) => contactTargets(params),
  'contact.deleted': (params) => [
    ...contactTargets(params),
    ...(params.campaign_ids?.length ? [campaignKeys.lists(), messageKeys.lists()] : []),
  ],
  'category.created': () => [categoryKeys.lists()],
  'category.updated': ({ category_id }) => [categoryKeys.lists(), categoryKeys.detail(category_id)],
  'category.deleted': ({ category_id }) => [
    categoryKeys.lists(),
    categoryKeys.detail(category_id),
    contactKeys.lists(),
  ],
  'campaign.created': () => [statsKeys.all(), campaignKeys.lists()],
  'campaign.launched': () => messaging(),
  'campaign.completed': () => [statsKeys.all(), campaignKeys.lists()],
  'message.sent': () => messaging(),
  'message.status': () => messaging(),
  'sweep.completed': () => messaging(),
  'interaction.recorded': () => [...messaging(), contactKeys.lists()],
  'monitoring.counted': () => [monitoringKeys.all()],
  'data.seeded': () => [
    statsKeys.all(),
    categoryKeys.all(),
    contactKeys.all(),
    campaignKeys.all(),
    messageKeys.all(),
    monitoringKeys.all(),
  ],
}

function contactTargets({ category_ids }: { category_ids: number[] }): QueryKey[] {
  return [statsKeys.all(), categoryKeys.lists(), ...category_ids.map((id) => categoryKeys.detail(id)), contactKeys.lists()]
}

/** Every event name the map knows, to check it against the backend's list. */
export const EVENT_NAMES = Object.keys(MAP) as ApiEventName[]

/**
 * The filters for every query these events make stale, each key once, in the order first named.
 * The same list serves to cancel, snapshot, roll back and invalidate a write's targets.
 */
export function targetsOf(events: ApiEvent[]): QueryFilters[] {
  const seen = new Map<string, QueryKey>()
  for (const event of events) {
    // An event this dashboard does not know yet (a newer server) refreshes nothing rather than throwing.
    const keysOf = MAP[event.name] as ((params: unknown) => QueryKey[]) | undefined
    const keys = keysOf?.(event.params) ?? []
    for (const queryKey of keys) if (!seen.has(hashKey(queryKey))) seen.set(hashKey(queryKey), queryKey)
  }
  return [...seen.values()].map((queryKey) => ({ queryKey }))
}
