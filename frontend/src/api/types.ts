// Response and request shapes of the REST API, as written in shared/CONTRACT.md.
import type { CampaignStatus, MessageStatus } from './statuses'

export type { CampaignStatus, MessageStatus }

export interface Category {
  id: number
  name: string
  description: string | null
  contact_count: number
  created_at: string
  updated_at: string
}

export interface Contact {
  id: number
  phone: string
  name: string
  category_ids: number[]
  last_interaction_at: string | null
  /** When the contact opted out (a keyword such as STOP, or an operator), or null. */
  opted_out_at: string | null
  created_at: string
  updated_at: string
}

export interface Campaign {
  id: number
  name: string
  status: CampaignStatus
  category_ids: number[]
  first_message: { text?: string; template?: string; language?: string }
  second_message: { text?: string }
  total_count: number
  sent_count: number
  delivered_count: number
  read_count: number
  interaction_count: number
  no_interaction_count: number
  failed_count: number
  created_at: string
  launched_at: string | null
  completed_at: string | null
  /** A running campaign held by the messaging limit: when the moving 24 h window frees the next slot. */
  blocked_until: string | null
}

/** GET /api/campaigns/audience: who a launch would queue now, and the opted-out contacts left out. */
export interface Audience {
  contacts: number
  opted_out: number
  /** Meta's messaging limit (unique users per moving 24 h) and what is left of it now; null: unlimited. */
  messaging_limit: { limit: number; remaining: number } | null
}

/** One bucket of GET /api/campaigns/<id>/timeline, over the campaign's first messages. */
export interface TimelinePoint {
  at: string
  sent: number
  delivered: number
  read: number
  interactions: number
  failed: number
}

export type TimelineBucket = 'hour' | 'day'

/** POST /api/campaigns: the first message is a text, or a template name and its language. */
export interface NewCampaign {
  name: string
  category_ids: number[]
  first_message: { text: string } | { template: string; language: string }
  second_message: { text: string }
}

/** PATCH /api/campaigns/<id> (a draft): any of the creation's fields. */
export type CampaignPatch = Partial<NewCampaign>

export interface MessageRow {
  id: number
  campaign_id: number | null
  contact_id: number
  contact_name: string
  step: 1 | 2
  status: MessageStatus
  sent_at: string | null
  created_at: string
}

export interface Stats {
  contacts: { total: number; opted_out: number }
  messages: { total: number } & Record<MessageStatus, number>
  campaigns: { total: number } & Record<CampaignStatus, number>
  interactions: { total: number }
  generated_at: string
}

export interface DailyCounter {
  date: string
  sent: number
  delivered: number
  read: number
  failed: number
  interactions: number
  no_interaction: number
}

export interface CacheStats {
  backend: string
  available: boolean
  hits: number
  misses: number
  hit_ratio: number | null
  errors: number
  latency_ms: { avg: number | null; p50: number | null; p95: number | null; max: number | null }
  since: string | null
}

export interface ItemList<T> {
  items: T[]
}

export interface Page<T> extends ItemList<T> {
  page: number
  per_page: number
  total: number
}

export interface CursorPage<T> extends ItemList<T> {
  next_cursor: string | null
}

export interface ContactListParams {
  page: number
  per_page: number
  search?: string
  category_id?: number
  /** Only the opted-out contacts (true) or only the others (false); all when left out. */
  opted_out?: boolean
}

/** PATCH /api/contacts/<id>: only what the dashboard changes. */
export interface ContactPatch {
  name?: string
  phone?: string
  category_ids?: number[]
  opted_out?: boolean
}

/** One answer: an incoming message or button press (GET /api/interactions). */
export interface Interaction {
  id: number
  contact_id: number
  contact_name: string
  campaign_id: number | null
  /** text, button or interactive */
  kind: string
  body: string | null
  occurred_at: string
}

/** The filters of GET /api/interactions; the cursor is the page, not a filter. */
export interface InteractionListParams {
  per_page: number
  campaign_id?: number
  contact_id?: number
}

/** One CSV line the import refused. */
export interface RejectedRow {
  line: number
  phone: string
  error: string
}

/** What POST /api/contacts/import did. */
export interface ImportResult {
  created: number
  updated: number
  unchanged: number
  rejected: RejectedRow[]
}

export interface MessageListParams {
  per_page: number
  cursor?: string
  status?: MessageStatus
  campaign_id?: number
  contact_id?: number
}

export interface NewContact {
  phone: string
  name: string
  category_ids: number[]
}

export interface NewCategory {
  name: string
  description?: string
}

export interface CategoryPatch {
  name?: string
  description?: string
}

export interface EventTicket {
  ticket: string
  expires_in: number
}

/** An operator account's role (shared/CONTRACT.md "Operator accounts"); what each may do is in src/auth/can.ts. */
export type Role = 'admin' | 'operator' | 'viewer'

/**
 * GET /api/auth/me: who is calling, and the CSRF token a session's unsafe requests send. `id` and `email` are
 * null for API_TOKEN and the open development API, `csrf_token` null without a session (a bearer token, the open API).
 */
export interface Me {
  id: number | null
  email: string | null
  role: Role
  csrf_token: string | null
}

/** POST /api/auth/login's answer. */
export interface LoginAnswer {
  email: string
  role: Role
  csrf_token: string | null
}

export interface Credentials {
  email: string
  password: string
}

/** An account as GET /api/users lists it (never a hash). */
export interface User {
  id: number
  email: string
  role: Role
  active: boolean
  created_at: string
  last_login_at: string | null
}

export interface NewUser {
  email: string
  password: string
  role: Role
}

export interface UserPatch {
  role?: Role
  active?: boolean
  password?: string
}

/** One audit row: who (a user's email or a token's name), what (the write's event names), which ids. */
export interface AuditEntry {
  id: number
  at: string
  actor: string
  action: string
  ids: Record<string, unknown>
}

export interface AuditParams {
  user_id?: number
  action?: string
  per_page?: number
}

/** One entry of a campaign's history: who did what to it, when (from the audit log). */
export interface CampaignHistoryEntry {
  action: string
  actor: string
  at: string
}
