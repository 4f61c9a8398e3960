// End-to-end: the dashboard, built and served by the Flask app, in real headless Chromium.
// A contact created while the server's answer is held back shows in the stats and in its
// category's count before the answer arrives, and both are still right after the refetch.
//
// Needs: E2E_BASE_URL (the running app, e.g. http://127.0.0.1:5099, with the frontend built);
// API_TOKEN when the app requires one; CHROMIUM_PATH to use another browser than /usr/bin/chromium.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { chromium } from 'playwright-core'

const BASE_URL = (process.env.E2E_BASE_URL ?? '').replace(/\/$/, '')
const API_TOKEN = process.env.API_TOKEN || null
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const TOKEN_STORAGE_KEY = 'chatbot.apiToken' // src/api/auth.ts
const ANSWER_DELAY_MS = 1500
const ARTIFACTS = new URL('./artifacts/', import.meta.url)

if (!BASE_URL) throw new Error('Set E2E_BASE_URL to the running app, e.g. http://127.0.0.1:5099')

/** Calls the API from node, with the bearer token when one is configured. */
async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' }
  if (API_TOKEN) headers.Authorization = `Bearer ${API_TOKEN}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${BASE_URL}${path}`, { method, headers, body: body && JSON.stringify(body) })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return text ? JSON.parse(text) : null
}

const randomDigits = (count) => Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('')

/** A fictional US number no contact has yet (the database may outlive a run). */
async function unusedPhone() {
  for (let attempt = 0; attempt < 10; attempt++) {
    const phone = `+1415555${randomDigits(4)}`
    const { total } = await api(`/api/contacts?search=${encodeURIComponent(phone)}&per_page=1`)
    if (total === 0) return phone
  }
  throw new Error('no unused phone number found in 10 tries')
}

/** The plain number shown in a test hook. */
async function numberIn(locator) {
  const text = (await locator.textContent())?.trim() ?? ''
  assert.match(text, /^\d+$/, `expected a plain number, got ${JSON.stringify(text)}`)
  return Number(text)
}

let browser

before(async () => {
  browser = await chromium.launch({
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
})

after(async () => {
  await browser?.close()
})

test('a contact created while the server is slow shows in the stats and its category at once', async (t) => {
  const suffix = `${Date.now().toString(36)}-${randomDigits(4)}`
  const category = await api('/api/categories', { method: 'POST', body: { name: `E2E ${suffix}` } })
  const phone = await unusedPhone()

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  t.after(() => context.close())
  if (API_TOKEN) {
    // Before any page script runs, so the very first requests carry the token.
    await context.addInitScript(([key, token]) => sessionStorage.setItem(key, token), [TOKEN_STORAGE_KEY, API_TOKEN])
  }
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`))

  try {
    await page.goto(`${BASE_URL}/`)
    const statContacts = page.getByTestId('stat-contacts')
    const row = page.locator(`[data-testid=category-row][data-category-id="${category.id}"]`)
    const categoryCount = row.getByTestId('category-count')
    await statContacts.waitFor()
    await categoryCount.waitFor()
    const contactsBefore = await numberIn(statContacts)
    const countBefore = await numberIn(categoryCount)
    assert.equal(countBefore, 0, 'a new category has no contacts')
    assert.equal(contactsBefore, (await api('/api/messages/stats')).contacts.total, 'the page shows the API total')

    // Hold the creation back: the server only sees it after the delay, so anything shown before is optimistic.
    let answered = false
    await page.route('**/api/contacts', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback()
      await sleep(ANSWER_DELAY_MS)
      const response = await route.fetch()
      answered = true
      await route.fulfill({ response })
    })

    const form = page.locator('form[data-testid=contact-form]')
    await form.locator('input[name=phone]').fill(phone)
    await form.locator('input[name=name]').fill(`E2E contact ${suffix}`)
    await form.locator(`input[name=category_ids][value="${category.id}"]`).check()
    const postAnswer = page.waitForResponse((r) => r.url().endsWith('/api/contacts') && r.request().method() === 'POST')
    await form.locator('button[type=submit]').click()

    const early = { timeout: ANSWER_DELAY_MS - 300 }
    await page.waitForFunction(
      ([expected]) => document.querySelector('[data-testid=stat-contacts]')?.textContent?.trim() === expected,
      [String(contactsBefore + 1)],
      early,
    )
    await row.getByTestId('category-count').filter({ hasText: new RegExp(`^${countBefore + 1}$`) }).waitFor(early)
    assert.equal(answered, false, 'the stats and count changed before the server answered')

    const answer = await postAnswer
    assert.equal(answer.status(), 201, `POST /api/contacts answered ${answer.status()}: ${await answer.text()}`)
    // The form's button comes back once the mutation has settled, i.e. its invalidations have refetched.
    await form.locator('button[type=submit]:not([disabled])').waitFor()

    const stats = await api('/api/messages/stats')
    const saved = await api(`/api/categories/${category.id}`)
    assert.equal(stats.contacts.total, contactsBefore + 1, 'the API counts the new contact')
    assert.equal(saved.contact_count, countBefore + 1, "the API counts it in the category")
    assert.equal(await numberIn(statContacts), stats.contacts.total, 'the page still shows the API total')
    assert.equal(await numberIn(categoryCount), saved.contact_count, "the page still shows the category's count")
    assert.deepEqual(problems, [])
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: new URL('contact-failure.png', ARTIFACTS).pathname, fullPage: true })
    if (problems.length) console.error(problems.join('\n'))
    throw error
  }
})
