// What the end-to-end tests share: the app's address, the accounts scripts/e2e.sh made, the API from node (with
// API_TOKEN, as scripts call it), the browser, and a page logged in through the login form (as an operator would).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.E2E_BASE_URL ?? '').replace(/\/$/, '')
export const API_TOKEN = process.env.API_TOKEN || null
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** The accounts scripts/e2e.sh creates with `flask users create ... --password-stdin`, one per role. */
export const ACCOUNTS = Object.fromEntries(
  ['admin', 'operator', 'viewer'].map((role) => {
    const name = role.toUpperCase()
    return [role, { email: process.env[`E2E_${name}_EMAIL`], password: process.env[`E2E_${name}_PASSWORD`] }]
  }),
)
const APP_SECRET = process.env.WHATSAPP_APP_SECRET || null
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

if (!BASE_URL) throw new Error('Set E2E_BASE_URL to the running app, e.g. http://127.0.0.1:5099')

/** Calls the API from node, with the bearer token when one is configured; a network error names its cause. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' }
  if (API_TOKEN) headers.Authorization = `Bearer ${API_TOKEN}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${BASE_URL}${path}`, { method, headers, body: body && JSON.stringify(body) }).catch(
    (error) => {
      throw new Error(`${method} ${path}: ${error.message} (${error.cause?.message ?? 'no cause'})`)
    },
  )
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return text ? JSON.parse(text) : null
}

export const randomDigits = (count) => Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('')

/** A fictional US number no contact has yet (the database may outlive a run). */
export async function unusedPhone() {
  for (let attempt = 0; attempt < 10; attempt++) {
    const phone = `+1415555${randomDigits(4)}`
    const { total } = await api(`/api/contacts?search=${encodeURIComponent(phone)}&per_page=1`)
    if (total === 0) return phone
  }
  throw new Error('no unused phone number found in 10 tries')
}

/** The plain number shown in a test hook. */
export async function numberIn(locator) {
  const text = (await locator.textContent())?.trim() ?? ''
  assert.match(text, /^\d+$/, `expected a plain number, got ${JSON.stringify(text)}`)
  return Number(text)
}

/** Headless Chromium, quiet (no background traffic of its own in the network logs). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * Runs `flask --app wsgi dispatch` with the app's environment (the e2e server's database and Redis). Not
 * spawnSync: a blocked event loop cannot see the server close an idle keep-alive connection, and the next
 * request would be sent on it ("other side closed").
 */
export async function dispatch() {
  const { stdout } = await promisify(execFile)('flask', ['--app', 'wsgi', 'dispatch'], { cwd: REPO_ROOT, env: process.env })
  return stdout
}

/** POSTs a `statuses` notification as Meta sends it (fakes/meta.py), signed when the app has a secret. */
export async function postStatus(wamid, phone, status) {
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phone.slice(1),
      conversation: { id: '8a3e1d2b5c0f4e6a9b7c1d3e5f7a9b1c', origin: { type: 'marketing' } },
      pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' } }],
  }
  const raw = JSON.stringify({ object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ value, field: 'messages' }] }] })
  const headers = { 'Content-Type': 'application/json' }
  if (APP_SECRET) headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`
  const response = await fetch(`${BASE_URL}/api/webhooks/whatsapp`, { method: 'POST', headers, body: raw })
  assert.equal(response.status, 200, `webhook answered ${response.status}: ${await response.text()}`)
}

/** Fills the login form on `page` (already at /login) with that account and waits until the dashboard shows who is in. */
export async function submitLogin(page, role) {
  const { email, password } = ACCOUNTS[role]
  if (!email || !password) throw new Error(`no ${role} account: set E2E_${role.toUpperCase()}_EMAIL and _PASSWORD (scripts/e2e.sh does)`)
  const form = page.locator('form[data-testid=login-form]')
  await form.locator('input[name=email]').fill(email)
  await form.locator('input[name=password]').fill(password)
  await form.locator('button[type=submit]').click()
  await page.getByTestId('current-user').filter({ hasText: email }).waitFor()
}

/**
 * A browser context of its own, logged in as that role through the login form (its session cookie is the
 * context's), closed after test `t`; its page is left on the dashboard the login opened.
 */
export async function loggedInContext(browser, t, role = 'admin', viewport = { width: 1400, height: 1000 }) {
  const context = await browser.newContext({ viewport })
  t?.after(() => context.close())
  const page = await context.newPage()
  await page.goto(`${BASE_URL}/login`)
  await submitLogin(page, role)
  return { context, page }
}

/**
 * A page in a context of its own (logged in through the form as `role`, the admin by default) that records into `problems`: CSP
 * violations (the event and the console line), page errors, and unless `errorAnswers` is false every answer of
 * 400 or more. The context closes after test `t`.
 */
export async function openWatchedPage(browser, t, { errorAnswers = true, role = 'admin' } = {}) {
  const { context, page } = await loggedInContext(browser, t, role)
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`)
    })
  })
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (/Content Security Policy|CSP violation/i.test(message.text())) problems.push(`console: ${message.text()}`)
  })
  if (errorAnswers) {
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
    })
  }
  return { page, problems }
}
