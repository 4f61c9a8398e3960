// End-to-end: the contact import and opt-outs, in real headless Chromium against the running app.
// From the overview (/), the import dialog uploads a small CSV with one bad row: the result shows the
// counts and the rejected line, the new contacts are in the list and their new category counts them.
// Then a contact is opted out from its row: the badge shows, and the server has it (after a reload too).
//
// Needs the backend of "Campaign operations" (POST /api/contacts/import, opted_out on contacts).
// E2E_CONTACTS_SCREENSHOT=path saves the dialog with its result there (docs/screenshots/contacts-import.png).
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { BASE_URL, api, launchBrowser, numberIn, openWatchedPage, randomDigits, unusedPhone } from './support.mjs'

const ARTIFACTS = new URL('./artifacts/', import.meta.url)
const SCREENSHOT = process.env.E2E_CONTACTS_SCREENSHOT || null

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** The overview in a page of its own, recording page errors, CSP violations and error answers (support.mjs). */
async function overview(t) {
  const opened = await openWatchedPage(browser, t)
  await opened.page.goto(`${BASE_URL}/`)
  return opened
}

/** Shows only the contacts whose name or phone holds this text, through the panel's search box. */
async function searchContacts(page, text) {
  const box = page.getByRole('searchbox', { name: 'Search contacts' })
  await box.fill(text)
  await box.press('Enter')
}

test('an imported CSV shows its counts and rejected line, its contacts, and one of them can be opted out', async (t) => {
  const suffix = `${Date.now().toString(36)}${randomDigits(3)}`
  const [phoneA, phoneB] = [await unusedPhone(), await unusedPhone()]
  const categoryName = `E2E import ${suffix}`
  const csv = [
    'phone,name,categories',
    `${phoneA},E2E Ada ${suffix},${categoryName}`,
    `not-a-phone,E2E Bad ${suffix},`,
    `${phoneB},E2E Bob ${suffix},${categoryName}`,
  ].join('\n')
  const { page, problems } = await overview(t)

  try {
    const statContacts = page.getByTestId('stat-contacts')
    await statContacts.waitFor()
    const contactsBefore = await numberIn(statContacts)
    await page.getByTestId('import-open').click()
    const dialog = page.getByTestId('import-dialog')
    await dialog.getByTestId('import-file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/contacts/import') && r.request().method() === 'POST')
    await dialog.getByTestId('import-submit').click()
    assert.equal((await answer).status(), 200, 'POST /api/contacts/import answered')

    const result = dialog.getByTestId('import-result')
    await result.waitFor()
    assert.equal(await numberIn(result.getByTestId('import-created')), 2)
    assert.equal(await numberIn(result.getByTestId('import-updated')), 0)
    assert.equal(await numberIn(result.getByTestId('import-unchanged')), 0)
    assert.equal(await numberIn(result.getByTestId('import-rejected')), 1)
    const cells = await result.getByTestId('rejected-row').locator('td').allTextContents()
    assert.equal(cells[0], '3', 'the bad row is the file\'s third line (the header is the first)')
    assert.equal(cells[1], 'not-a-phone')
    assert.ok(cells[2].length > 0, 'the reason is given')
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT })

    // contacts.imported refreshed the views: the totals, the new category's count, the list.
    await page.waitForFunction(
      (expected) => document.querySelector('[data-testid=stat-contacts]')?.textContent?.trim() === expected,
      String(contactsBefore + 2),
    )
    const category = (await api('/api/categories')).items.find((item) => item.name === categoryName)
    assert.ok(category, 'the import created the category')
    const row = page.locator(`[data-testid=category-row][data-category-id="${category.id}"]`)
    await row.getByTestId('category-count').filter({ hasText: /^2$/ }).waitFor()
    await dialog.getByRole('button', { name: 'Done' }).click()

    await searchContacts(page, suffix)
    const ada = page.locator('[data-testid=contact-row]', { hasText: `E2E Ada ${suffix}` })
    await ada.waitFor()
    await page.locator('[data-testid=contact-row]', { hasText: `E2E Bob ${suffix}` }).waitFor()
    assert.equal(await page.locator('[data-testid=contact-row]', { hasText: `E2E Bad ${suffix}` }).count(), 0)

    // Opting out: the badge at once, and the server agrees.
    assert.equal(await ada.getByTestId('opted-out-badge').count(), 0)
    const patched = page.waitForResponse((r) => /\/api\/contacts\/\d+$/.test(r.url()) && r.request().method() === 'PATCH')
    await ada.getByTestId('opt-out-toggle').click()
    await ada.getByTestId('opted-out-badge').waitFor()
    assert.equal((await patched).status(), 200)
    const [saved] = (await api(`/api/contacts?search=${encodeURIComponent(phoneA)}`)).items
    assert.ok(saved.opted_out_at, 'the API has the contact opted out')
    await page.reload()
    await searchContacts(page, phoneA)
    await page.locator('[data-testid=contact-row]', { hasText: `E2E Ada ${suffix}` }).getByTestId('opted-out-badge').waitFor()
    assert.deepEqual(problems, [])
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: new URL('contacts-failure.png', ARTIFACTS).pathname, fullPage: true })
    if (problems.length) console.error(problems.join('\n'))
    throw error
  }
})
