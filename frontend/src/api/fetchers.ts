import { download, request } from './http'
import { startSession } from './session'
import type {
  Audience,
  AuditEntry,
  AuditParams,
  CacheStats,
  Campaign,
  CampaignHistoryEntry,
  CampaignPatch,
  Category,
  CategoryPatch,
  Contact,
  ContactListParams,
  ContactPatch,
  Credentials,
  CursorPage,
  DailyCounter,
  EventTicket,
  Interaction,
  InteractionListParams,
  ItemList,
  LoginAnswer,
  Me,
  MessageListParams,
  MessageRow,
  NewCampaign,
  NewCategory,
  NewContact,
  NewUser,
  Page,
  Stats,
  TimelineBucket,
  TimelinePoint,
  User,
  UserPatch,
} from './types'

// One function per endpoint. Readers take the query's AbortSignal so a cancelled query
// (cancelQueries before an optimistic update, an unmounted view) stops its request too.

export const fetchStats = (signal?: AbortSignal) => request<Stats>('/api/messages/stats', { signal })

export const fetchCategories = (signal?: AbortSignal) => request<ItemList<Category>>('/api/categories', { signal })

export const fetchCategory = (id: number, signal?: AbortSignal) =>
  request<Category>(`/api/categories/${id}`, { signal })

export const createCategory = (body: NewCategory) =>
  request<Category>('/api/categories', { method: 'POST', body })

export const updateCategory = (id: number, body: CategoryPatch) =>
  request<Category>(`/api/categories/${id}`, { method: 'PATCH', body })

export const fetchContacts = (params: ContactListParams, signal?: AbortSignal) =>
  request<Page<Contact>>('/api/contacts', { query: { ...params }, signal })

export const createContact = (body: NewContact) => request<Contact>('/api/contacts', { method: 'POST', body })

export const updateContact = (id: number, body: ContactPatch) =>
  request<Contact>(`/api/contacts/${id}`, { method: 'PATCH', body })

/** All contacts (or one category's) as CSV; fetched rather than linked, since a link cannot carry the token. */
export const exportContacts = (categoryId?: number) =>
  download('/api/contacts/export', { query: { category_id: categoryId }, accept: 'text/csv' })

export const deleteContact = (id: number) => request<void>(`/api/contacts/${id}`, { method: 'DELETE' })

export const fetchCampaigns = (signal?: AbortSignal) => request<ItemList<Campaign>>('/api/campaigns', { signal })

export const fetchCampaign = (id: number, signal?: AbortSignal) =>
  request<Campaign>(`/api/campaigns/${id}`, { signal })

/** `categoryIds` sorted, as the query key holds them. */
export const fetchAudience = (categoryIds: number[], signal?: AbortSignal) =>
  request<Audience>('/api/campaigns/audience', { query: { category_ids: categoryIds.join(',') }, signal })

/** Who created, edited, launched, paused or resumed the campaign, oldest first. */
export const fetchCampaignHistory = (id: number, signal?: AbortSignal) =>
  request<ItemList<CampaignHistoryEntry>>(`/api/campaigns/${id}/history`, { signal })

export const fetchCampaignTimeline = (id: number, bucket: TimelineBucket, signal?: AbortSignal) =>
  request<ItemList<TimelinePoint>>(`/api/campaigns/${id}/timeline`, { query: { bucket }, signal })

export const createCampaign = (body: NewCampaign) => request<Campaign>('/api/campaigns', { method: 'POST', body })

export const updateCampaign = (id: number, body: CampaignPatch) =>
  request<Campaign>(`/api/campaigns/${id}`, { method: 'PATCH', body })

export const deleteCampaign = (id: number) => request<void>(`/api/campaigns/${id}`, { method: 'DELETE' })

/** launch, pause or resume: each answers the campaign with its new status. */
export const campaignAction = (id: number, action: 'launch' | 'pause' | 'resume') =>
  request<Campaign>(`/api/campaigns/${id}/${action}`, { method: 'POST' })

export const fetchMessages = (params: MessageListParams, signal?: AbortSignal) =>
  request<CursorPage<MessageRow>>('/api/messages', { query: { ...params }, signal })

export const fetchInteractions = (params: InteractionListParams, cursor: string | undefined, signal?: AbortSignal) =>
  request<CursorPage<Interaction>>('/api/interactions', { query: { ...params, cursor }, signal })

export const fetchDailyCounters = (days: number, signal?: AbortSignal) =>
  request<ItemList<DailyCounter>>('/api/monitoring/daily', { query: { days }, signal })

export const fetchCacheStats = (signal?: AbortSignal) => request<CacheStats>('/api/cache/stats', { signal })

/** A single-use ticket that opens one live stream (GET /api/events); asked with the usual credentials. */
export const fetchEventTicket = () => request<EventTicket>('/api/events/ticket', { method: 'POST' })

/** Who this session is; keeps the session's CSRF token for the unsafe requests that follow. */
export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  const me = await request<Me>('/api/auth/me', { signal })
  startSession(me.csrf_token)
  return me
}

/** Opens a session (the server sets its cookie) and keeps its CSRF token. */
export async function login(credentials: Credentials): Promise<LoginAnswer> {
  const answer = await request<LoginAnswer>('/api/auth/login', { method: 'POST', body: credentials })
  startSession(answer.csrf_token)
  return answer
}

/** Ends the session on the server; the caller forgets the token and the cache. */
export const logout = () => request<void>('/api/auth/logout', { method: 'POST' })

export const fetchUsers = (signal?: AbortSignal) => request<ItemList<User>>('/api/users', { signal })

export const createUser = (body: NewUser) => request<User>('/api/users', { method: 'POST', body })

export const updateUser = (id: number, body: UserPatch) => request<User>(`/api/users/${id}`, { method: 'PATCH', body })

export const fetchAudit = (params: AuditParams, cursor: string | undefined, signal?: AbortSignal) =>
  request<CursorPage<AuditEntry>>('/api/audit', { query: { ...params, cursor }, signal })
