// End-to-end: accounts in real headless Chromium, against the app under gunicorn (scripts/e2e.sh creates one
// account per role with `flask users create ... --password-stdin`). An operator logs in through the form,
// creates a contact and logs out (the session is over on the server too); a viewer logs in and is offered no
// contact form. A wrong password is refused with the one message for a wrong email or password.
//
// Needs: E2E_BASE_URL, API_TOKEN, E2E_{ADMIN,OPERATOR,VIEWER}_{EMAIL,PASSWORD} (scripts/e2e.sh sets them).
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { ACCOUNTS, BASE_URL, api, launchBrowser, randomDigits, submitLogin, unusedPhone } from './support.mjs'

const ARTIFACTS = new URL('./artifacts/', import.meta.url)
let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** A fresh context (no cookie) on `path`, recording page errors and answers of 400 or more but the `expected` ones. */
async function openFresh(t, path, expected = []) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  t.after(() => context.close())
  const page = await context.newPage()
  const problems = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => {
    const status = response.status()
    const known = expected.some(([code, pathname]) => code === status && new URL(response.url()).pathname === pathname)
    if (status >= 400 && !known) problems.push(`${status} ${response.url()}`)
  })
  await page.goto(`${BASE_URL}${path}`)
  return { page, problems }
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

test('an operator logs in, creates a contact, logs out; a viewer is offered no contact form', async (t) => {
  const phone = await unusedPhone()
  const name = `E2E login ${Date.now().toString(36)}-${randomDigits(4)}`
  // Without a session the dashboard sends to the login page, and back to the page asked for once logged in.
  const { page, problems } = await openFresh(t, '/contacts', [[401, '/api/auth/me'], [401, '/api/auth/me']])

  await withScreenshot(page, problems, 'login', async () => {
    await page.locator('form[data-testid=login-form]').waitFor()
    assert.match(page.url(), /\/login\?next=%2Fcontacts$/)
    await submitLogin(page, 'operator')
    assert.equal(new URL(page.url()).pathname, '/contacts', 'back on the page that asked for the login')
    const who = await page.getByTestId('current-user').textContent()
    assert.ok(who.includes(ACCOUNTS.operator.email) && who.includes('operator'), `the top bar says who: ${who}`)

    const form = page.locator('form[data-testid=contact-form]')
    await form.locator('input[name=phone]').fill(phone)
    await form.locator('input[name=name]').fill(name)
    const created = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/contacts' && r.request().method() === 'POST')
    await form.locator('button[type=submit]').click()
    const answer = await created
    assert.equal(answer.status(), 201, `POST /api/contacts answered ${answer.status()}: ${await answer.text()}`)
    assert.ok(answer.request().headers()['x-csrf-token'], 'the write carried the CSRF token')
    assert.equal((await api(`/api/contacts?search=${encodeURIComponent(phone)}`)).total, 1, 'the API has the contact')

    await page.getByTestId('logout').click()
    await page.locator('form[data-testid=login-form]').waitFor()
    // The session is over on the server too: the same browser is a stranger now.
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status)
    assert.equal(me, 401, 'GET /api/auth/me after logout')

    await submitLogin(page, 'viewer')
    await page.goto(`${BASE_URL}/contacts`)
    await page.getByTestId('contact-row').filter({ hasText: name }).first().waitFor()
    const viewer = await page.getByTestId('current-user').textContent()
    assert.ok(viewer.includes('viewer'), `the top bar says viewer: ${viewer}`)
    assert.equal(await page.locator('form[data-testid=contact-form]').count(), 0, 'no contact form for a viewer')
    assert.equal(await page.getByTestId('opt-out-toggle').count(), 0, 'no opt-out button for a viewer')
    assert.deepEqual(problems, [])
  })
})

test('a wrong password is refused with the one message, and nobody is logged in', async (t) => {
  const { page, problems } = await openFresh(t, '/login', [[401, '/api/auth/login'], [401, '/api/auth/me']])

  await withScreenshot(page, problems, 'login-refused', async () => {
    const form = page.locator('form[data-testid=login-form]')
    await form.locator('input[name=email]').fill(ACCOUNTS.operator.email)
    await form.locator('input[name=password]').fill('not the password at all')
    await form.locator('button[type=submit]').click()
    await form.locator('[role=alert]').filter({ hasText: 'Wrong email or password.' }).waitFor()
    assert.equal(await page.evaluate(async () => (await fetch('/api/auth/me')).status), 401)
    assert.deepEqual(problems, [])
  })
})
