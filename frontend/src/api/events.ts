import { hashKey } from '@tanstack/react-query'
import type { Query, QueryFilters, QueryKey } from '@tanstack/react-query'
import { campaignKeys, categoryKeys, contactKeys, interactionKeys, messageKeys, monitoringKeys, statsKeys } from './keys'
import type { CursorPage, Interaction, MessageRow } from './types'

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
// | contact.created / updated / deleted    | stats, category lists, its categories' details, contact lists, |
// |                                        | the composer's audiences (counts, opt-outs);                   |
// |                                        | deleted with campaign_ids: campaign and message lists too;     |
// |                                        | updated / deleted: the answer lists showing it (its name)      |
// | category.created                       | category lists                                                 |
// | category.updated                       | category lists, its detail                                     |
// | category.deleted                       | category lists, its detail, contact lists (their categories),  |
// |                                        | the audiences                                                  |
// | campaign.created                       | stats, campaign lists                                          |
// | campaign.updated                       | campaign lists, its detail                                     |
// | campaign.deleted                       | stats, campaign lists, its detail, answer lists filtered by it |
// | campaign.launched                      | stats, campaign lists, its detail and timelines, message lists |
// | campaign.paused / resumed              | stats, campaign lists, its detail                              |
// | campaign.completed                     | stats, campaign lists, their details                           |
// | message.sent / status, sweep.completed | stats, campaign lists and their details (counters) and         |
// |                                        | timelines, the message lists that show those campaigns         |
// | interaction.recorded                   | the same, every message list (second messages queued), contact |
// |                                        | lists (last_interaction_at, opted_out_at), the audiences (an   |
// |                                        | opt-out answer), the answer lists that may show it             |
// | contacts.imported                      | stats, category lists, its categories' details, contact lists, |
// |                                        | the audiences, answer lists (a known phone's name may change)  |
// | monitoring.counted                     | the daily counters                                             |
// | data.seeded                            | everything but the cache metrics                               |
// | user.* / token.* / session.*           | nothing yet (the accounts pages refresh their own queries)      |
//
// The cache metrics follow no event: the live stream pushes them (`event: cache`, api/live.ts).
//
// Params are lists of ids, as the live stream sends them (it merges the events of 250 ms into one set):
// `{"contact.created": {"contact_id": [7], "category_ids": [1, 2]}}`. The mutations say theirs the same way.

type Ids = number[]

/** What a contact event carries; a new row's id is unknown until the server answers its creation. */
interface ContactParams {
  contact_id?: Ids
  category_ids: Ids
  /** contact.deleted: the campaigns of its messages, which go with it. */
  campaign_ids?: Ids
}
type CampaignsParams = { campaign_ids: Ids }

/** Each event of `chatbot/events.py` with its params. */
interface EventParams {
  'contact.created': ContactParams
  'contact.updated': ContactParams
  'contact.deleted': ContactParams
  'category.created': { category_id?: Ids }
  'category.updated': { category_id: Ids }
  'category.deleted': { category_id: Ids }
  'campaign.created': { campaign_id: Ids }
  'campaign.updated': { campaign_id: Ids }
  'campaign.deleted': { campaign_id: Ids }
  'campaign.launched': { campaign_id: Ids }
  'campaign.paused': { campaign_id: Ids }
  'campaign.resumed': { campaign_id: Ids }
  'campaign.completed': CampaignsParams
  'message.sent': CampaignsParams
  'message.status': CampaignsParams
  'sweep.completed': CampaignsParams
  'interaction.recorded': CampaignsParams & { contact_ids: Ids }
  'contacts.imported': { category_ids: Ids }
  /** The stream leaves the counts out (ids only); the map needs none. */
  'monitoring.counted': { counts?: Record<string, unknown> }
  'data.seeded': { category_ids?: Ids }
  'user.created': { user_id: Ids }
  'user.updated': { user_id: Ids }
  'user.deleted': { user_id: Ids }
  'token.created': { token_id: Ids; user_id: Ids }
  'token.revoked': { token_id: Ids }
  'session.started': { user_id: Ids }
  'session.ended': { user_id: Ids }
}

export type ApiEventName = keyof EventParams

/** One event as the backend's unit of work records it: a name and its params. */
export type ApiEvent = { [Name in ApiEventName]: { name: Name; params: EventParams[Name] } }[ApiEventName]

/** What an `event: changes` frame of GET /api/events carries: each event's merged params. */
export type PushedChanges = Record<string, Record<string, unknown>>

/** A key and everything under it, or only the queries under it that the predicate picks. */
type Target = QueryKey | { queryKey: QueryKey; predicate: (query: Query) => boolean }

const isWhole = (target: Target): target is QueryKey => Array.isArray(target)

/** A pushed set may lack a param (an older server): read it as no ids, never throw. */
const ids = (value: Ids | undefined): Ids => (Array.isArray(value) ? value : [])

/** The message lists that may show a row of these campaigns (all of them when the campaigns are unknown). */
function messageListsShowing(campaignIds: Ids | undefined): Target {
  const wanted = new Set(ids(campaignIds))
  if (wanted.size === 0) return messageKeys.lists()
  const predicate = (query: Query) => {
    const [, , params] = query.queryKey as ReturnType<typeof messageKeys.list>
    if (params?.campaign_id !== undefined) return wanted.has(params.campaign_id)
    // Filtered by status: a row of those campaigns may move into it, whatever it shows now.
    if (params?.status !== undefined) return true
    const page = query.state.data as CursorPage<MessageRow> | undefined
    return !page || page.items.some((row) => row.campaign_id !== null && wanted.has(row.campaign_id))
  }
  return { queryKey: messageKeys.lists(), predicate }
}

/**
 * The answer lists a new answer of these campaigns and contacts may join: unfiltered ones, and those filtered
 * on one of them (every list when the event names none). Filtered on both, both must match.
 */
function answerListsFor(campaignIds: Ids | undefined, contactIds: Ids | undefined): Target {
  const campaigns = new Set(ids(campaignIds))
  const contacts = new Set(ids(contactIds))
  if (campaigns.size === 0 && contacts.size === 0) return interactionKeys.lists()
  const predicate = (query: Query) => {
    const [, , params] = query.queryKey as ReturnType<typeof interactionKeys.list>
    const campaignOk = params?.campaign_id === undefined || campaigns.size === 0 || campaigns.has(params.campaign_id)
    const contactOk = params?.contact_id === undefined || contacts.size === 0 || contacts.has(params.contact_id)
    return campaignOk && contactOk
  }
  return { queryKey: interactionKeys.lists(), predicate }
}

/** The answer lists that show a row of these contacts, or are filtered on one (their name changed, or they went). */
function answerListsShowing(contactIds: Ids | undefined): Target[] {
  const wanted = new Set(ids(contactIds))
  if (wanted.size === 0) return []
  const predicate = (query: Query) => {
    const [, , params] = query.queryKey as ReturnType<typeof interactionKeys.list>
    if (params?.contact_id !== undefined) return wanted.has(params.contact_id)
    const data = query.state.data as { pages: CursorPage<Interaction>[] } | undefined
    return data?.pages.some((page) => page.items.some((row) => wanted.has(row.contact_id))) ?? false
  }
  return [{ queryKey: interactionKeys.lists(), predicate }]
}

/** The answer lists filtered on these campaigns (a deleted draft's filter now names nothing). */
function answerListsOf(campaignIds: Ids | undefined): Target[] {
  const wanted = new Set(ids(campaignIds))
  if (wanted.size === 0) return []
  const predicate = (query: Query) => {
    const [, , params] = query.queryKey as ReturnType<typeof interactionKeys.list>
    return params?.campaign_id !== undefined && wanted.has(params.campaign_id)
  }
  return [{ queryKey: interactionKeys.lists(), predicate }]
}

/** Stats, the campaigns' rows, details and timelines, and the message lists showing them: what a status change moves. */
const messaging = (campaignIds: Ids | undefined): Target[] => [
  statsKeys.all(),
  campaignKeys.lists(),
  ...ids(campaignIds).map((id) => campaignKeys.detail(id)),
  // Campaigns unknown: any timeline may have moved.
  ...(ids(campaignIds).length ? ids(campaignIds).map(campaignKeys.timelinesOf) : [campaignKeys.timelines()]),
  messageListsShowing(campaignIds),
]

/** The query keys each event makes stale (each key also reaches every key under it). */
const MAP: { [Name in ApiEventName]: (params: EventParams[Name]) => Target[] } = {
  'contact.created': (params) => contactTargets(params),
  'contact.updated': (params) => [...contactTargets(params), ...answerListsShowing(params.contact_id)],
  'contact.deleted': (params) => [
    ...contactTargets(params),
    ...(ids(params.campaign_ids).length ? [campaignKeys.lists(), messageKeys.lists()] : []),
    ...answerListsShowing(params.contact_id),
  ],
  'category.created': () => [categoryKeys.lists()],
  'category.updated': ({ category_id }) => [categoryKeys.lists(), ...ids(category_id).map(categoryKeys.detail)],
  'category.deleted': ({ category_id }) => [
    categoryKeys.lists(),
    ...ids(category_id).map(categoryKeys.detail),
    contactKeys.lists(),
    campaignKeys.audiences(),
  ],
  'campaign.created': () => [statsKeys.all(), campaignKeys.lists()],
  'campaign.updated': ({ campaign_id }) => campaignRow(campaign_id),
  'campaign.deleted': ({ campaign_id }) => [statsKeys.all(), ...campaignRow(campaign_id), ...answerListsOf(campaign_id)],
  'campaign.launched': ({ campaign_id }) => [...messaging(campaign_id), messageKeys.lists()],
  'campaign.paused': ({ campaign_id }) => [statsKeys.all(), ...campaignRow(campaign_id)],
  'campaign.resumed': ({ campaign_id }) => [statsKeys.all(), ...campaignRow(campaign_id)],
  'campaign.completed': ({ campaign_ids }) => [
    statsKeys.all(),
    campaignKeys.lists(),
    ...ids(campaign_ids).map(campaignKeys.detail),
  ],
  'message.sent': ({ campaign_ids }) => messaging(campaign_ids),
  'message.status': ({ campaign_ids }) => messaging(campaign_ids),
  'sweep.completed': ({ campaign_ids }) => messaging(campaign_ids),
  'interaction.recorded': ({ campaign_ids, contact_ids }) => [
    ...messaging(campaign_ids),
    messageKeys.lists(),
    contactKeys.lists(),
    campaignKeys.audiences(),
    answerListsFor(campaign_ids, contact_ids),
  ],
  'contacts.imported': (params) => [...contactTargets(params), interactionKeys.lists()],
  'monitoring.counted': () => [monitoringKeys.all()],
  'data.seeded': () => [
    statsKeys.all(),
    categoryKeys.all(),
    contactKeys.all(),
    campaignKeys.all(),
    messageKeys.all(),
    interactionKeys.all(),
    monitoringKeys.all(),
  ],
  'user.created': () => [],
  'user.updated': () => [],
  'user.deleted': () => [],
  'token.created': () => [],
  'token.revoked': () => [],
  'session.started': () => [],
  'session.ended': () => [],
}

/** A campaign's row in the lists and its detail. */
const campaignRow = (campaignId: Ids | undefined): Target[] => [
  campaignKeys.lists(),
  ...ids(campaignId).map((id) => campaignKeys.detail(id)),
]

function contactTargets({ category_ids }: Pick<ContactParams, 'category_ids'>): Target[] {
  return [
    statsKeys.all(),
    categoryKeys.lists(),
    ...ids(category_ids).map(categoryKeys.detail),
    contactKeys.lists(),
    campaignKeys.audiences(),
  ]
}

/** Every event name the map knows, to check it against the backend's list. */
export const EVENT_NAMES = Object.keys(MAP) as ApiEventName[]

/** The events of a pushed `changes` frame, in the shape the map reads. */
export function eventsOf(changes: PushedChanges): ApiEvent[] {
  return Object.entries(changes).map(([name, params]) => ({ name, params: params ?? {} }) as ApiEvent)
}

/**
 * The filters for every query these events make stale, each key once, in the order first named.
 * The same list serves to cancel, snapshot, roll back and invalidate a write's targets, and to refresh
 * what a pushed event set names. A key named whole and also through a predicate is refreshed whole.
 */
export function targetsOf(events: ApiEvent[]): QueryFilters[] {
  const seen = new Map<string, { queryKey: QueryKey; predicates: Array<(query: Query) => boolean> | null }>()
  for (const event of events) {
    // An event this dashboard does not know yet (a newer server) refreshes nothing rather than throwing.
    const targetsFor = MAP[event.name] as ((params: unknown) => Target[]) | undefined
    for (const target of targetsFor?.(event.params) ?? []) {
      const { queryKey, predicate } = isWhole(target) ? { queryKey: target, predicate: null } : target
      const entry = seen.get(hashKey(queryKey)) ?? { queryKey, predicates: [] as Array<(query: Query) => boolean> }
      if (predicate === null) entry.predicates = null
      else entry.predicates?.push(predicate)
      seen.set(hashKey(queryKey), entry)
    }
  }
  return [...seen.values()].map(({ queryKey, predicates }) =>
    predicates === null ? { queryKey } : { queryKey, predicate: (query: Query) => predicates.some((p) => p(query)) },
  )
}
