// End-to-end: an operator composes a campaign in the dashboard and watches it go out, in real headless Chromium.
// Two categories and their contacts are made through the API; in /campaigns/new the audience changes as each is
// ticked; the draft is saved, launched after the confirmation, and the browser lands on /campaigns/ID. The first
// messages are sent (`flask --app wsgi dispatch`, dry-run wamids) and signed status webhooks move the funnel's
// delivered and read counts without a reload. The same page opened directly by its URL shows the same numbers.
// No CSP violation and no page error anywhere (the timeline is drawn by uPlot on a canvas).
//
// Needs what live.e2e.mjs needs (scripts/e2e.sh gives it all). The README's picture of this page is made by
// e2e/screenshots.mjs, after `flask seed demo`.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { BASE_URL, api, dispatch, launchBrowser, numberIn, openWatchedPage, postStatus, randomDigits, unusedPhone } from './support.mjs'

const ARTIFACTS = new URL('./artifacts/', import.meta.url)
/** Pushed changes reach a dashboard within a second (live.e2e.mjs); a little more for the refetch. */
const LIVE_MS = 3000

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** A page of its own recording CSP violations, page errors and failed API answers (support.mjs). */
const openPage = (t) => openWatchedPage(browser, t)

/** Runs body; on failure leaves a screenshot of the page in e2e/artifacts/. */
async function withScreenshot({ page, problems }, name, body) {
  try {
    await body()
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: new URL(`${name}-failure.png`, ARTIFACTS).pathname, fullPage: true })
    if (problems.length) console.error(problems.join('\n'))
    throw error
  }
}

/** Waits until the hook shows `expected` as a plain number. */
async function expectNumber(page, testId, expected, timeout = LIVE_MS) {
  const locator = page.getByTestId(testId).first()
  await locator.filter({ hasText: new RegExp(`^${expected}$`) }).waitFor({ timeout }).catch(async () => {
    assert.equal(await numberIn(locator), expected, `${testId} after ${timeout} ms`)
  })
}

/** A category with `count` new contacts in it, made through the API. */
async function categoryWith(name, count) {
  const category = await api('/api/categories', { method: 'POST', body: { name } })
  for (let i = 0; i < count; i++) {
    const phone = await unusedPhone()
    await api('/api/contacts', { method: 'POST', body: { phone, name: `${name} ${i + 1}`, category_ids: [category.id] } })
  }
  return category
}

test('a campaign composed in the dashboard goes out and its funnel moves live as statuses arrive', async (t) => {
  const tag = `${Date.now().toString(36)}-${randomDigits(4)}`
  const first = await categoryWith(`E2E compose A ${tag}`, 2)
  const second = await categoryWith(`E2E compose B ${tag}`, 3)
  const opened = await openPage(t)
  const { page, problems } = opened

  await withScreenshot(opened, 'campaign-compose', async () => {
    await page.goto(`${BASE_URL}/campaigns/new`)
    const form = page.getByTestId('campaign-form')
    await form.locator('input[name=name]').fill(`E2E campaign ${tag}`)
    await form.locator('textarea[name=first_text]').fill('Hello from the composer')
    await form.locator('textarea[name=second_text]').fill('Thanks for your answer')
    await expectNumber(page, 'audience-count', 0)
    await form.locator(`input[name=category_ids][value="${first.id}"]`).check()
    await expectNumber(page, 'audience-count', 2)
    await form.locator(`input[name=category_ids][value="${second.id}"]`).check()
    await expectNumber(page, 'audience-count', 5)

    await form.getByRole('button', { name: 'Save draft' }).click()
    await page.waitForURL(/\/campaigns\/\d+\/edit$/)
    const id = Number(new URL(page.url()).pathname.split('/')[2])
    assert.equal((await api(`/api/campaigns/${id}`)).status, 'draft')

    await page.getByTestId('launch-button').click()
    await expectNumber(page.getByRole('alertdialog'), 'audience-count', 5)
    await page.getByTestId('confirm-launch').click()
    await page.waitForURL(new RegExp(`/campaigns/${id}$`))
    await page.getByTestId('campaign-status').filter({ hasText: /^running$/ }).waitFor()
    await expectNumber(page, 'funnel-total', 5)
    await expectNumber(page, 'funnel-sent', 0)
    // Marks this document: if it is still there at the end, nothing reloaded the page.
    await page.evaluate(() => Object.assign(window, { e2eNoReload: true }))

    await dispatch()
    await expectNumber(page, 'funnel-sent', 5)

    const { items } = await api(`/api/messages?campaign_id=${id}`)
    assert.equal(items.length, 5, 'one first message per contact')
    const sent = await Promise.all(items.map((row) => api(`/api/messages/${row.id}`)))
    for (const message of sent) {
      assert.match(message.wamid, /^wamid\.dryrun/)
      await postStatus(message.wamid, message.contact.phone, 'delivered')
    }
    await expectNumber(page, 'funnel-delivered', 5)
    for (const message of sent.slice(0, 2)) await postStatus(message.wamid, message.contact.phone, 'read')
    await expectNumber(page, 'funnel-read', 2)
    assert.equal(await page.evaluate(() => window.e2eNoReload), true, 'the funnel moved without a reload')
    await page.locator('[data-testid=campaign-timeline][data-drawn=canvas] canvas').waitFor()

    // The same page, opened directly by its URL (a bookmark).
    const direct = await openPage(t)
    await direct.page.goto(`${BASE_URL}/campaigns/${id}`)
    await direct.page.getByTestId('campaign-status').filter({ hasText: /^running$/ }).waitFor()
    await expectNumber(direct.page, 'funnel-delivered', 5)
    await expectNumber(direct.page, 'funnel-read', 2)
    await expectNumber(direct.page, 'funnel-failed', 0)
    assert.deepEqual([...problems, ...direct.problems], [])
  })
})
