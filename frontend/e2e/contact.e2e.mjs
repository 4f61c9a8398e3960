// End-to-end: the dashboard, built and served by the Flask app, in real headless Chromium.
// A contact created while the server's answer is held back shows in the stats and in its
// category's count before the answer arrives, and both are still right after the refetch.
// A contact the server refuses (its phone exists: 409) shows the same way first, then the numbers
// go back, the server's message is shown and no row of it stays.
//
// Needs: E2E_BASE_URL (the running app, e.g. http://127.0.0.1:5099, with the frontend built);
// API_TOKEN and the accounts of scripts/e2e.sh (support.mjs ACCOUNTS); CHROMIUM_PATH to use another browser than /usr/bin/chromium.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { BASE_URL, api, launchBrowser, loggedInContext, numberIn, randomDigits, unusedPhone } from './support.mjs'

const ANSWER_DELAY_MS = 1500
const REFETCH_HOLD_MS = 3000
const ARTIFACTS = new URL('./artifacts/', import.meta.url)

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** A new page on the dashboard, logged in as an operator, recording page errors and unexpected answers. */
async function openDashboard(t, { expectedStatuses = [] } = {}) {
  const { page } = await loggedInContext(browser, null, 'operator')
  t.after(async () => {
    // A held request (e.g. the polled cache metrics) may still be in a route handler: drop it, then close.
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    await page.context().close()
  })
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => {
    if (response.status() >= 400 && !expectedStatuses.includes(response.status())) {
      problems.push(`${response.status()} ${response.url()}`)
    }
  })
  await page.goto(`${BASE_URL}/`)
  return { page, problems }
}

/** Holds every POST /api/contacts back by the delay; `state.answered` turns true once the server has answered. */
async function delayContactCreation(page) {
  const state = { answered: false }
  await page.route('**/api/contacts', async (route) => {
    if (route.request().method() !== 'POST') return route.fallback()
    await sleep(ANSWER_DELAY_MS)
    const response = await route.fetch()
    state.answered = true
    await route.fulfill({ response })
  })
  return state
}

/**
 * Once `state.answered` (the delayed POST has its answer), holds every read back by REFETCH_HOLD_MS, so what the
 * page shows meanwhile comes from the dashboard itself, not from a refetch; counts the reads answered since.
 */
async function holdReadsAfterAnswer(page, state) {
  const reads = { answered: 0 }
  await page.route('**/api/**', async (route) => {
    if (route.request().method() !== 'GET' || !state.answered) return route.fallback()
    await sleep(REFETCH_HOLD_MS)
    const response = await route.fetch()
    reads.answered += 1
    await route.fulfill({ response })
  })
  return reads
}

/** Fills and submits the contact form; `answer` is the promise of the POST's answer (wrapped, so not awaited here). */
async function submitContact(page, { phone, name, categoryId }) {
  const form = page.locator('form[data-testid=contact-form]')
  await form.locator('input[name=phone]').fill(phone)
  await form.locator('input[name=name]').fill(name)
  await form.locator(`input[name=category_ids][value="${categoryId}"]`).check()
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/contacts') && r.request().method() === 'POST')
  await form.locator('button[type=submit]').click()
  return { answer }
}

/** Waits, at most until just before the delayed answer, for the stats and the category to show these numbers. */
async function expectBeforeAnswer(page, row, contacts, count) {
  const early = { timeout: ANSWER_DELAY_MS - 300 }
  await page.waitForFunction(
    ([expected]) => document.querySelector('[data-testid=stat-contacts]')?.textContent?.trim() === expected,
    [String(contacts)],
    early,
  )
  await row.getByTestId('category-count').filter({ hasText: new RegExp(`^${count}$`) }).waitFor(early)
}

/** Waits, at most until just before held refetches answer, for the stats and the category to show these numbers. */
async function expectBeforeRefetch(page, row, contacts, count) {
  const early = { timeout: REFETCH_HOLD_MS - 500 }
  await page.waitForFunction(
    ([expected]) => document.querySelector('[data-testid=stat-contacts]')?.textContent?.trim() === expected,
    [String(contacts)],
    early,
  )
  await row.getByTestId('category-count').filter({ hasText: new RegExp(`^${count}$`) }).waitFor(early)
}

/** Runs the body; on failure leaves a screenshot named after the test and prints what went wrong on the page. */
async function withScreenshot(page, problems, name, body) {
  try {
    await body()
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: new URL(`${name}-failure.png`, ARTIFACTS).pathname, fullPage: true })
    if (problems.length) console.error(problems.join('\n'))
    throw error
  }
}

test('a contact created while the server is slow shows in the stats and its category at once', async (t) => {
  const suffix = `${Date.now().toString(36)}-${randomDigits(4)}`
  const category = await api('/api/categories', { method: 'POST', body: { name: `E2E ${suffix}` } })
  const phone = await unusedPhone()
  const { page, problems } = await openDashboard(t)

  await withScreenshot(page, problems, 'contact', async () => {
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
    const held = await delayContactCreation(page)
    const { answer: postAnswer } = await submitContact(page, { phone, name: `E2E contact ${suffix}`, categoryId: category.id })

    await expectBeforeAnswer(page, row, contactsBefore + 1, countBefore + 1)
    assert.equal(held.answered, false, 'the stats and count changed before the server answered')

    const answer = await postAnswer
    assert.equal(answer.status(), 201, `POST /api/contacts answered ${answer.status()}: ${await answer.text()}`)
    // The form's button comes back once the mutation has settled, i.e. its invalidations have refetched.
    await page.locator('form[data-testid=contact-form] button[type=submit]:not([disabled])').waitFor()

    const stats = await api('/api/messages/stats')
    const saved = await api(`/api/categories/${category.id}`)
    assert.equal(stats.contacts.total, contactsBefore + 1, 'the API counts the new contact')
    assert.equal(saved.contact_count, countBefore + 1, "the API counts it in the category")
    assert.equal(await numberIn(statContacts), stats.contacts.total, 'the page still shows the API total')
    assert.equal(await numberIn(categoryCount), saved.contact_count, "the page still shows the category's count")
    assert.deepEqual(problems, [])
  })
})

test('a contact the server refuses goes away again: numbers back, its message shown, no row left', async (t) => {
  const suffix = `${Date.now().toString(36)}-${randomDigits(4)}`
  const category = await api('/api/categories', { method: 'POST', body: { name: `E2E refused ${suffix}` } })
  const phone = await unusedPhone()
  await api('/api/contacts', { method: 'POST', body: { phone, name: `E2E first ${suffix}`, category_ids: [category.id] } })
  const refusedName = `E2E duplicate ${suffix}`
  const { page, problems } = await openDashboard(t, { expectedStatuses: [409] })

  await withScreenshot(page, problems, 'refused-contact', async () => {
    const statContacts = page.getByTestId('stat-contacts')
    const row = page.locator(`[data-testid=category-row][data-category-id="${category.id}"]`)
    const categoryCount = row.getByTestId('category-count')
    const refusedRows = page.getByTestId('contact-row').filter({ hasText: refusedName })
    await statContacts.waitFor()
    await categoryCount.waitFor()
    const contactsBefore = await numberIn(statContacts)
    const countBefore = await numberIn(categoryCount)
    assert.equal(countBefore, 1, 'the category holds the contact whose phone is reused')
    assert.equal(contactsBefore, (await api('/api/messages/stats')).contacts.total, 'the page shows the API total')

    const held = await delayContactCreation(page)
    const reads = await holdReadsAfterAnswer(page, held)
    const { answer: postAnswer } = await submitContact(page, { phone, name: refusedName, categoryId: category.id })

    // Optimistic first: the page counts the contact before the server has said anything.
    await expectBeforeAnswer(page, row, contactsBefore + 1, countBefore + 1)
    await refusedRows.first().waitFor({ timeout: ANSWER_DELAY_MS - 300 })
    assert.equal(held.answered, false, 'the stats and count changed before the server answered')

    const answer = await postAnswer
    assert.equal(answer.status(), 409, `POST /api/contacts answered ${answer.status()}: ${await answer.text()}`)
    const { error } = await answer.json()

    // Back at once, while the refetch that follows is still held: only the rollback can do that.
    await expectBeforeRefetch(page, row, contactsBefore, countBefore)
    assert.equal(await refusedRows.count(), 0, 'the row of the refused contact went with the rollback')
    assert.equal(reads.answered, 0, 'the numbers went back before any refetch answered')

    // Then back: the numbers as before, the server's message on screen, no row of the refused contact.
    const alert = page.locator('form[data-testid=contact-form] [role=alert]')
    await alert.filter({ hasText: error.message }).waitFor()
    await page.locator('form[data-testid=contact-form] button[type=submit]:not([disabled])').waitFor()
    assert.equal(await numberIn(statContacts), contactsBefore, 'the stats are back')
    assert.equal(await numberIn(categoryCount), countBefore, "the category's count is back")
    assert.equal(await refusedRows.count(), 0, 'no row of the refused contact stays')

    // And they stay so: the API agrees, and nothing changes once every refetch has come back.
    await page.waitForLoadState('networkidle')
    assert.equal((await api('/api/messages/stats')).contacts.total, contactsBefore, 'the API did not count it')
    assert.equal((await api(`/api/categories/${category.id}`)).contact_count, countBefore)
    assert.equal(await numberIn(statContacts), contactsBefore, 'the stats stay back')
    assert.equal(await numberIn(categoryCount), countBefore, "the category's count stays back")
    assert.equal(await refusedRows.count(), 0, 'still no row of the refused contact')
    assert.equal(await alert.isVisible(), true, 'the message stays until the operator acts')
    assert.deepEqual(problems, [])
  })
})
