import { vi } from 'vitest'
import type { AuditEntry, Campaign, Category, Contact, ImportResult, Interaction, Me, MessageRow, Role, TimelinePoint, User } from '../api'
import { problemsWith } from './openapi'

// An in-memory stand-in for the Flask API behind a mocked `fetch`: enough of the contract for
// the dashboard to load, write and refetch, with hooks to hold or fail a write. No network.
// Every answer it gives is checked against the OpenAPI snapshot (test/openapi.ts); what the
// description does not allow is collected in `driftFromOpenApi`, and setup.ts fails the test.

/** This test's fake answers that /api/openapi.json does not allow, one message each. */
export const driftFromOpenApi: string[] = []

export interface Deferred {
  promise: Promise<void>
  release: () => void
}

export function deferred(): Deferred {
  let release!: () => void
  const promise = new Promise<void>((resolve) => (release = resolve))
  return { promise, release }
}

export interface RecordedCall {
  method: string
  path: string
  search: URLSearchParams
  /** The X-CSRF-Token header the client sent. */
  csrf: string | null
  /** fetch's `credentials` (null for the upload's XMLHttpRequest, which sends same-origin cookies itself). */
  credentials: RequestCredentials | null
}

/** An answer: a JSON body, or `text` for a file (the CSV export). */
type Reply = { status: number; body?: unknown; text?: string; type?: string; headers?: Record<string, string> }

const NOW = '2024-05-01T10:00:00Z'

const envelope = (status: number, code: string, message: string, details = {}): Reply => ({
  status,
  body: { error: { code, message, details } },
})

export function makeCategory(id: number, name: string, contact_count: number): Category {
  return { id, name, description: null, contact_count, created_at: NOW, updated_at: NOW }
}

export function makeContact(id: number, name: string, category_ids: number[]): Contact {
  const phone = `+1415555${String(id).padStart(4, '0')}`
  return { id, phone, name, category_ids, last_interaction_at: null, opted_out_at: null, created_at: NOW, updated_at: NOW }
}

export function makeInteraction(id: number, contact: Contact, campaign_id: number | null, body: string): Interaction {
  const occurred_at = new Date(Date.parse(NOW) + id * 60_000).toISOString().replace('.000Z', 'Z')
  return { id, contact_id: contact.id, contact_name: contact.name, campaign_id, kind: 'text', body, occurred_at }
}

/** A phone cell checked as chatbot/schemas/fields.py `normalize_phone` does (its messages), E.164 or an error. */
function importedPhone(cell: string): { phone?: string; error?: string } {
  const cleaned = cell.replace(/[\s.()-]/g, '')
  if (!cleaned.startsWith('+')) return { error: 'Must be in international format, starting with + and the country code.' }
  if (!/^\+\d+$/.test(cleaned)) return { error: 'Only digits may follow the +, with spaces, dots, dashes or brackets between them.' }
  return /^\+[1-9]\d{7,14}$/.test(cleaned) ? { phone: cleaned } : { error: 'Not a valid phone number.' }
}

/**
 * The fake's import, as chatbot/services/contact_import.py does it: the header names the columns (`,` or `;`,
 * whichever it holds more of), line 1 is the header, a row's errors read "field: message", a phone seen earlier
 * in the file is a duplicate of that line, a known phone gets the row's name and joins its categories (created
 * when missing, matched case-insensitively). Quoted cells are not read (the tests' files have none).
 */
function importCsv(state: { contacts: Contact[]; categories: Category[] }, csv: string, newId: () => number): ImportResult {
  const result: ImportResult = { created: 0, updated: 0, unchanged: 0, rejected: [] }
  const [header = '', ...rows] = csv.replace(/^\uFEFF/, '').split(/\r?\n/)
  const separator = header.split(';').length > header.split(',').length ? ';' : ','
  const columns = header.split(separator).map((name) => name.trim().toLowerCase())
  const firstLine = new Map<string, number>()
  const categoryId = (name: string) => {
    let category = state.categories.find((c) => c.name.toLowerCase() === name.toLowerCase())
    if (!category) state.categories.push((category = makeCategory(newId(), name, 0)))
    return category.id
  }
  rows.forEach((text, index) => {
    const line = index + 2
    const cells = text.split(separator)
    if (!cells.some((cell) => cell.trim())) return
    if (cells.length !== columns.length) {
      return result.rejected.push({ line, phone: cells[0], error: `expected ${columns.length} cells, found ${cells.length}` })
    }
    const cell = (name: string) => (cells[columns.indexOf(name)] ?? '').trim()
    const { phone, error } = importedPhone(cell('phone'))
    const name = cell('name')
    const errors = [error && `phone: ${error}`, !name && 'name: Length must be between 1 and 200.'].filter(Boolean)
    if (errors.length) return result.rejected.push({ line, phone: cell('phone').slice(0, 40), error: errors.join('; ') })
    if (firstLine.has(phone!)) {
      const error = `duplicate of line ${firstLine.get(phone!)} (the first row with a phone is kept)`
      return result.rejected.push({ line, phone: cell('phone'), error })
    }
    firstLine.set(phone!, line)
    const wanted = cell('categories').split(';').map((n) => n.trim()).filter(Boolean).map(categoryId)
    const known = state.contacts.find((contact) => contact.phone === phone)
    if (!known) {
      state.contacts.unshift({ ...makeContact(newId(), name, [...new Set(wanted)]), phone: phone! })
      result.created += 1
    } else if (known.name !== name || wanted.some((id) => !known.category_ids.includes(id))) {
      known.name = name
      known.category_ids = [...new Set([...known.category_ids, ...wanted])]
      result.updated += 1
    } else result.unchanged += 1
  })
  return result
}

export function makeCampaign(id: number, name: string, fields: Partial<Campaign> = {}): Campaign {
  return {
    id, name, status: 'draft', category_ids: [3],
    first_message: { text: 'Hello' }, second_message: { text: 'Thanks' },
    total_count: 0, sent_count: 0, delivered_count: 0, read_count: 0,
    interaction_count: 0, no_interaction_count: 0, failed_count: 0,
    created_at: NOW, launched_at: null, completed_at: null, blocked_until: null, ...fields,
  }
}

/** The CSRF header the client sent (as a plain object, which is how the API client sends headers). */
function csrfOf(init: RequestInit): string | null {
  return (init.headers as Record<string, string> | undefined)?.['X-CSRF-Token'] ?? null
}

/** An account of the fake, with the password it logs in with (the real API keeps only a hash). */
export type Account = User & { password: string }

export const ADMIN_PASSWORD = 'admin password 1'

export function makeAccount(id: number, email: string, role: Role, password = `${role} password 1`): Account {
  return { id, email, role, active: true, created_at: NOW, last_login_at: null, password }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])
/** What a viewer may still POST: its own session's end, and the live stream's ticket (a read). */
const VIEWER_MAY_POST = new Set(['/api/auth/logout', '/api/events/ticket'])

/** What a held upload lets the test do with the request in flight. */
interface FakeXhrLike {
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null }
}

/** The session of the fake API made last (test/render.tsx starts a page already knowing it). */
let latestState: { session: Me | null } | null = null
export const currentFakeSession = (): Me | null => latestState?.session ?? null

export function createFakeApi() {
  const state = {
    categories: [makeCategory(3, 'Customers', 0), makeCategory(7, 'Leads', 0)],
    contacts: [] as Contact[],
    /** Contacts counted in stats beyond the ones listed (an older base, like a real database). */
    baseContacts: 9,
    /** The accounts; the first, an admin, is logged in at the start. */
    accounts: [makeAccount(1, 'ada@example.com', 'admin', ADMIN_PASSWORD)] as Account[],
    /** This browser's session (the cookie's), or null: every request but the login then answers 401. */
    session: null as Me | null,
    /** While set, a login answers 429 with this many seconds in Retry-After. */
    loginBlockedFor: null as number | null,
    /** The audit log, newest first. */
    audit: [] as AuditEntry[],
    /** Each campaign's history (who did what), oldest first. */
    histories: {} as Record<number, Array<{ action: string; actor: string; at: string }>>,
    /** Newest first, as GET /api/campaigns lists them. */
    campaigns: [] as Campaign[],
    timelines: {} as Record<number, TimelinePoint[]>,
    messages: [] as MessageRow[],
    /** The answers, newest first. */
    interactions: [] as Interaction[],
    /** GET /api/campaigns/audience's `messaging_limit` (null: unlimited). */
    messagingLimit: null as { limit: number; remaining: number } | null,
  }
  let csrfCount = 0
  /** A new session for this account, with a fresh CSRF token (the server rotates both at login). */
  const sessionOf = (account: Account): Me => ({
    id: account.id, email: account.email, role: account.role, csrf_token: `csrf-${++csrfCount}`,
  })
  state.session = sessionOf(state.accounts[0])
  latestState = state
  const calls: RecordedCall[] = []
  let hold: Deferred | null = null
  let readHold: Deferred | null = null
  let failure: Reply | null = null
  let nextId = 100

  let uploadHold: { deferred: Deferred; xhr: FakeXhrLike | null } | null = null
  const countIn = (categoryId: number) => state.contacts.filter((c) => c.category_ids.includes(categoryId)).length
  const withCount = (category: Category) => ({ ...category, contact_count: countIn(category.id) })
  const findCategory = (id: number) => state.categories.find((c) => c.id === id)

  /** Seeds `count` contacts into a category. */
  function addContacts(count: number, categoryIds: number[]) {
    for (let i = 0; i < count; i++) state.contacts.unshift(makeContact(nextId++, `Contact ${nextId}`, categoryIds))
  }

  function stats() {
    const messages = { total: 40, pending: 2, sent: 10, delivered: 8, read: 12, failed: 3, no_interaction: 5 }
    return {
      contacts: {
        total: state.baseContacts + state.contacts.length,
        opted_out: state.contacts.filter((contact) => contact.opted_out_at !== null).length,
      },
      messages,
      campaigns: { total: 2, draft: 1, running: 1, paused: 0, completed: 0 },
      interactions: { total: 6 },
      generated_at: NOW,
    }
  }

  function read(path: string, search: URLSearchParams): Reply {
    if (path === '/api/messages/stats') return { status: 200, body: stats() }
    if (path === '/api/categories') return { status: 200, body: { items: state.categories.map(withCount) } }
    const category = path.match(/^\/api\/categories\/(\d+)$/)
    if (category) {
      const found = findCategory(Number(category[1]))
      return found ? { status: 200, body: withCount(found) } : envelope(404, 'not_found', 'Category not found')
    }
    if (path === '/api/contacts') {
      const page = Number(search.get('page') ?? 1)
      const perPage = Number(search.get('per_page') ?? 50)
      const optedOut = search.get('opted_out')
      const matching = optedOut === null ? state.contacts : state.contacts.filter((c) => String(c.opted_out_at !== null) === optedOut)
      const items = matching.slice((page - 1) * perPage, page * perPage)
      return { status: 200, body: { items, page, per_page: perPage, total: matching.length } }
    }
    if (path === '/api/contacts/export') {
      const rows = state.contacts.map((c) => `${c.phone},${c.name},`)
      return { status: 200, text: ['phone,name,categories', ...rows].join('\r\n'), type: 'text/csv' }
    }
    if (path === '/api/interactions') return { status: 200, body: interactionPage(search) }
    if (path.startsWith('/api/campaigns')) return readCampaigns(path, search)
    if (path === '/api/messages') {
      const campaignId = search.get('campaign_id')
      const status = search.get('status')
      const items = state.messages.filter(
        (row) => (!campaignId || row.campaign_id === Number(campaignId)) && (!status || row.status === status),
      )
      return { status: 200, body: { items, next_cursor: null } }
    }
    if (path === '/api/monitoring/daily') return { status: 200, body: { items: [] } }
    if (path === '/api/cache/stats') {
      const latency_ms = { avg: 0.4, p50: 0.3, p95: 0.9, max: 2 }
      return { status: 200, body: { backend: 'redis', available: true, hits: 3, misses: 1, hit_ratio: 0.75, errors: 0, latency_ms, since: NOW } }
    }
    return envelope(404, 'not_found', `No route ${path}`)
  }

  const findCampaign = (id: number) => state.campaigns.find((c) => c.id === id)

  function readCampaigns(path: string, search: URLSearchParams): Reply {
    if (path === '/api/campaigns') return { status: 200, body: { items: state.campaigns } }
    if (path === '/api/campaigns/audience') {
      const ids = (search.get('category_ids') ?? '').split(',').filter(Boolean).map(Number)
      const unknown = ids.filter((id) => !findCategory(id))
      if (ids.length === 0 || unknown.length) {
        return envelope(422, 'validation_error', 'the request is not valid', { category_ids: [`Unknown ids: ${unknown}`] })
      }
      const reached = state.contacts.filter((c) => c.category_ids.some((id) => ids.includes(id)))
      const opted_out = reached.filter((c) => c.opted_out_at !== null).length
      return { status: 200, body: { contacts: reached.length - opted_out, opted_out, messaging_limit: state.messagingLimit } }
    }
    const match = path.match(/^\/api\/campaigns\/(\d+)(\/timeline|\/history)?$/)
    const campaign = match && findCampaign(Number(match[1]))
    if (!campaign) return envelope(404, 'not_found', 'Campaign not found')
    if (match[2] === '/history') return { status: 200, body: { items: state.histories[campaign.id] ?? [] } }
    if (match[2]) return { status: 200, body: { items: state.timelines[campaign.id] ?? [] } }
    return { status: 200, body: campaign }
  }

  /** A draft's fields checked as the API does (enough of it for the composer's errors). */
  function invalidCampaign(body: Record<string, unknown>, partial: boolean): Reply | null {
    const details: Record<string, string[]> = {}
    if ((!partial || 'name' in body) && !String(body.name ?? '').trim()) details.name = ['Shorter than minimum length 1.']
    if ((!partial || 'category_ids' in body) && !(body.category_ids as number[] | undefined)?.length) {
      details.category_ids = ['Shorter than minimum length 1.']
    }
    return Object.keys(details).length ? envelope(422, 'validation_error', 'the request is not valid', details) : null
  }

  function writeCampaign(method: string, path: string, body: Record<string, unknown>): Reply | null {
    if (method === 'POST' && path === '/api/campaigns') {
      const invalid = invalidCampaign(body, false)
      if (invalid) return invalid
      const campaign = makeCampaign(nextId++, String(body.name), body as Partial<Campaign>)
      state.campaigns.unshift(campaign)
      return { status: 201, body: campaign }
    }
    const match = path.match(/^\/api\/campaigns\/(\d+)(?:\/(launch|pause|resume))?$/)
    const campaign = match && findCampaign(Number(match[1]))
    if (!match) return null
    if (!campaign) return envelope(404, 'not_found', 'Campaign not found')
    const needs = { PATCH: 'draft', DELETE: 'draft', launch: 'draft', pause: 'running', resume: 'paused' }
    const action = (match[2] ?? method) as keyof typeof needs
    if (campaign.status !== needs[action]) return envelope(409, 'conflict', `The campaign is ${campaign.status}`)
    if (method === 'DELETE') {
      state.campaigns = state.campaigns.filter((c) => c !== campaign)
      return { status: 204 }
    }
    const invalid = method === 'PATCH' ? invalidCampaign(body, true) : null
    if (invalid) return invalid
    const status = action === 'PATCH' ? 'draft' : action === 'pause' ? 'paused' : 'running'
    Object.assign(campaign, method === 'PATCH' ? body : {}, { status })
    if (action === 'launch') campaign.launched_at = NOW
    const verb = { PATCH: 'updated', launch: 'launched', pause: 'paused', resume: 'resumed' }[action as 'PATCH']
    ;(state.histories[campaign.id] ??= []).push({ action: `campaign.${verb}`, actor: state.session?.email ?? 'API_TOKEN', at: NOW })
    return { status: action === 'launch' ? 202 : 200, body: campaign }
  }

  /** Keyset paging as the API does it; here the cursor is simply the offset of the next row. */
  function interactionPage(search: URLSearchParams) {
    const campaign = search.get('campaign_id')
    const contact = search.get('contact_id')
    const rows = state.interactions.filter(
      (row) => (!campaign || row.campaign_id === Number(campaign)) && (!contact || row.contact_id === Number(contact)),
    )
    const start = Number(search.get('cursor') ?? 0)
    const end = start + Number(search.get('per_page') ?? 50)
    return { items: rows.slice(start, end), next_cursor: end < rows.length ? String(end) : null }
  }

  function write(method: string, path: string, body: Record<string, unknown>): Reply {
    const campaignReply = path.startsWith('/api/campaigns') ? writeCampaign(method, path, body) : null
    if (campaignReply) return campaignReply
    if (method === 'POST' && path === '/api/events/ticket') {
      return { status: 200, body: { ticket: `ticket-${nextId++}`, expires_in: 60 } }
    }
    if (method === 'POST' && path === '/api/contacts') {
      const contact = makeContact(nextId++, String(body.name), (body.category_ids as number[]) ?? [])
      state.contacts.unshift({ ...contact, phone: String(body.phone) })
      return { status: 201, body: state.contacts[0] }
    }
    if (method === 'POST' && path === '/api/categories') {
      const category = makeCategory(nextId++, String(body.name), 0)
      state.categories = [...state.categories, { ...category, description: (body.description as string) ?? null }]
      return { status: 201, body: category }
    }
    if (method === 'POST' && path === '/api/contacts/import') {
      return { status: 200, body: importCsv(state, String(body.csv), () => nextId++) }
    }
    const contact = path.match(/^\/api\/contacts\/(\d+)$/)
    if (method === 'PATCH' && contact) {
      const found = state.contacts.find((c) => c.id === Number(contact[1]))
      if (!found) return envelope(404, 'not_found', 'Contact not found')
      if (typeof body.opted_out === 'boolean') found.opted_out_at = body.opted_out ? (found.opted_out_at ?? NOW) : null
      if (typeof body.name === 'string') found.name = body.name
      return { status: 200, body: found }
    }
    if (method === 'DELETE' && contact) {
      state.contacts = state.contacts.filter((c) => c.id !== Number(contact[1]))
      return { status: 204 }
    }
    const category = path.match(/^\/api\/categories\/(\d+)$/)
    if (method === 'PATCH' && category) {
      const id = Number(category[1])
      state.categories = state.categories.map((c) => (c.id === id ? { ...c, ...body } : c))
      return { status: 200, body: withCount(findCategory(id)!) }
    }
    return envelope(405, 'method_not_allowed', 'Method not allowed')
  }

  const publicUser = ({ password: _password, ...user }: Account): User => user

  /** POST /api/auth/login: one answer for an unknown email and a wrong password; 429 while blocked. */
  function logIn(body: Record<string, unknown>): Reply {
    if (state.loginBlockedFor !== null) {
      return { ...envelope(429, 'too_many_requests', 'Too many failed logins'), headers: { 'Retry-After': String(state.loginBlockedFor) } }
    }
    const email = String(body.email ?? '').toLowerCase()
    const account = state.accounts.find((a) => a.email.toLowerCase() === email && a.active && a.password === body.password)
    if (!account) return envelope(401, 'unauthorized', 'Wrong email or password')
    state.session = sessionOf(account)
    const { email: shown, role, csrf_token } = state.session
    return { status: 200, body: { email: shown, role, csrf_token } }
  }

  /** The accounts' routes for an admin: the list, a new account, a role or `active` changed. */
  function users(method: string, path: string, body: Record<string, unknown>): Reply | null {
    if (path === '/api/users' && method === 'GET') return { status: 200, body: { items: state.accounts.map(publicUser) } }
    if (path === '/api/users' && method === 'POST') {
      if (String(body.password ?? '').length < 12) {
        return envelope(422, 'validation_error', 'the request is not valid', { password: ['Shorter than minimum length 12.'] })
      }
      if (state.accounts.some((a) => a.email.toLowerCase() === String(body.email).toLowerCase())) {
        return envelope(409, 'conflict', 'A user with this email already exists')
      }
      const account = makeAccount(nextId++, String(body.email), body.role as Role, String(body.password))
      state.accounts.push(account)
      return { status: 201, body: publicUser(account) }
    }
    const match = path.match(/^\/api\/users\/(\d+)$/)
    const account = match && state.accounts.find((a) => a.id === Number(match[1]))
    if (!match || method !== 'PATCH') return null
    if (!account) return envelope(404, 'not_found', 'User not found')
    Object.assign(account, body)
    return { status: 200, body: publicUser(account) }
  }

  /** Keyset paging of the audit log as the API does it; the cursor is the offset of the next row here. */
  function auditPage(search: URLSearchParams): Reply {
    const action = search.get('action')
    const rows = state.audit.filter((row) => !action || row.action.includes(action))
    const start = Number(search.get('cursor') ?? 0)
    const end = start + Number(search.get('per_page') ?? 50)
    return { status: 200, body: { items: rows.slice(start, end), next_cursor: end < rows.length ? String(end) : null } }
  }

  /** What the session lets through: 401 without one, 403 for a missing CSRF token or a role's limit, else null. */
  function refusal(method: string, path: string, csrf: string | null): Reply | null {
    const session = state.session
    if (!session) return envelope(401, 'unauthorized', 'Log in first')
    if (!SAFE.has(method) && csrf !== session.csrf_token) return envelope(403, 'forbidden', 'Missing or wrong CSRF token')
    if (session.role === 'viewer' && !SAFE.has(method) && !VIEWER_MAY_POST.has(path)) {
      return envelope(403, 'forbidden', 'A viewer cannot change anything')
    }
    const adminOnly = path.startsWith('/api/users') || path === '/api/audit'
    return adminOnly && session.role !== 'admin' ? envelope(403, 'forbidden', 'Admins only') : null
  }

  /** The session's own routes and the admin's: login, logout, me, users, audit. */
  function sessionRoutes(method: string, url: URL, body: Record<string, unknown>): Reply | null {
    const path = url.pathname
    if (path === '/api/auth/me') return { status: 200, body: state.session }
    if (path === '/api/auth/logout') {
      state.session = null
      return { status: 204 }
    }
    if (path === '/api/audit') return auditPage(url.searchParams)
    return users(method, path, body)
  }

  async function route(method: string, url: URL, init: RequestInit): Promise<Reply> {
    const body = () => (init.body && url.pathname !== '/api/contacts/import' ? JSON.parse(String(init.body)) : {})
    if (method === 'POST' && url.pathname === '/api/auth/login') return logIn(body())
    const refused = refusal(method, url.pathname, csrfOf(init))
    if (refused) return refused
    if (/^\/api\/(auth|users|audit)/.test(url.pathname)) return sessionRoutes(method, url, body()) ?? envelope(405, 'method_not_allowed', 'Method not allowed')
    if (method === 'GET') {
      if (readHold) await readHold.promise
      return read(url.pathname, url.searchParams)
    }
    if (hold) await hold.promise
    if (failure) {
      const reply = failure
      failure = null
      return reply
    }
    // The import's body is the CSV itself (text/csv), every other write's JSON.
    if (url.pathname === '/api/contacts/import') return write(method, url.pathname, { csv: init.body })
    return write(method, url.pathname, body())
  }

  /** Answers as a Response, after checking the answer against the description. */
  function respond(method: string, url: URL, reply: Reply): Response {
    driftFromOpenApi.push(...problemsWith(method, url.pathname, reply.status, reply.body))
    if (reply.text !== undefined) return new Response(reply.text, { status: reply.status, headers: { 'Content-Type': reply.type! } })
    const headers = { 'Content-Type': 'application/json', ...reply.headers }
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers })
  }

  /**
   * XMLHttpRequest, which the import's upload uses (for its progress events): routed like fetch. Each upload
   * reports one progress event of the whole file and then answers, unless holdUploads() lets the test drive it.
   */
  class FakeXhr {
    status = 0
    statusText = ''
    responseText = ''
    upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = {
      onprogress: null,
    }
    onload: (() => void) | null = null
    onerror: (() => void) | null = null
    onabort: (() => void) | null = null
    private method = 'GET'
    private url = ''
    private headers: Record<string, string> = {}
    private answer: Response | null = null

    open(method: string, url: string) {
      this.method = method
      this.url = url
    }

    getResponseHeader(name: string): string | null {
      return this.answer?.headers.get(name) ?? null
    }

    setRequestHeader(name: string, value: string) {
      this.headers[name] = value
    }

    abort() {
      this.onabort?.()
    }

    async send(body: Blob) {
      const url = new URL(this.url, 'http://dashboard.test')
      calls.push({ method: this.method, path: url.pathname, search: url.searchParams, csrf: this.headers['X-CSRF-Token'] ?? null, credentials: null })
      const held = uploadHold
      if (held) {
        held.xhr = this
        await held.deferred.promise
      } else this.upload.onprogress?.({ loaded: body.size, total: body.size, lengthComputable: true })
      const init = { method: this.method, headers: this.headers, body: await body.text() }
      const response = respond(this.method, url, await route(this.method, url, init))
      this.status = response.status
      this.answer = response
      this.responseText = await response.text()
      this.onload?.()
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr)

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://dashboard.test')
    const method = init.method ?? 'GET'
    calls.push({ method, path: url.pathname, search: url.searchParams, csrf: csrfOf(init), credentials: init.credentials ?? null })
    const reply = await route(method, url, init)
    if (init.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError')
    return respond(method, url, reply)
  })
  vi.stubGlobal('fetch', fetchMock)

  return {
    state,
    calls,
    addContacts,
    /** Keeps every write waiting until the returned deferred is released. */
    holdWrites: () => (hold = deferred()),
    /** Keeps every read waiting until the returned deferred is released. */
    holdReads: () => (readHold = deferred()),
    /** Adds answers, newest first, each of a contact and a campaign. */
    addInteractions: (rows: Array<[Contact, number | null, string]>) => {
      const added = rows.map(([contact, campaignId, body]) => makeInteraction(nextId++, contact, campaignId, body))
      state.interactions.unshift(...added.reverse())
      return added
    },
    /** Keeps uploads in flight: `progress(loaded, total)` reports bytes sent, `release()` lets the server answer. */
    holdUploads: () => {
      const held = { deferred: deferred(), xhr: null as FakeXhrLike | null }
      uploadHold = held
      return {
        progress: (loaded: number, total: number) => held.xhr?.upload.onprogress?.({ loaded, total, lengthComputable: true }),
        started: () => held.xhr !== null,
        release: () => {
          uploadHold = null
          held.deferred.release()
        },
      }
    },
    /** Makes the next write fail with the API's error envelope. */
    failNextWrite: (status: number, code: string, message: string, details = {}) =>
      (failure = envelope(status, code, message, details)),
    /** Logs this browser in as an account of that role (made if none has it), as a login would. */
    logInAs: (role: Role) => {
      let account = state.accounts.find((a) => a.role === role)
      if (!account) state.accounts.push((account = makeAccount(nextId++, `${role}@example.com`, role)))
      state.session = sessionOf(account)
      return state.session
    },
    /** Adds audit rows, newest first. */
    addAudit: (rows: Array<[string, string]>) =>
      state.audit.unshift(...rows.map(([actor, action]) => ({ id: nextId++, at: NOW, actor, action, ids: { [action]: { contact_id: [7] } } }))),
    /** The calls made so far to a path, optionally of one method. */
    callsTo: (path: string, method = 'GET') => calls.filter((c) => c.path === path && c.method === method),
  }
}
