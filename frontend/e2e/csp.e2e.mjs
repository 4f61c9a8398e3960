// End-to-end: the dashboard (/) and Swagger UI (/api/docs) work under the app's Content-Security-Policy
// in real headless Chromium: no CSP violation (reported by the page or in the console), no page error.
//
// Needs: E2E_BASE_URL (the running app, with the frontend built); the accounts of scripts/e2e.sh (support.mjs);
// CHROMIUM_PATH to use another browser than /usr/bin/chromium.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { BASE_URL, launchBrowser, openWatchedPage } from './support.mjs'

const ARTIFACTS = new URL('./artifacts/', import.meta.url)
const SETTLE_MS = 500 // late violations (lazy styles, images) still get reported within this

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** Loads `path`, waits for `ready`, lets late reports arrive, then asserts nothing was reported. */
async function expectCleanLoad(t, path, ready) {
  // Error answers are not this test's business (only what the policy blocks is).
  const { page, problems } = await openWatchedPage(browser, t, { errorAnswers: false })
  try {
    const response = await page.goto(`${BASE_URL}${path}`)
    assert.ok(response.headers()['content-security-policy'], `${path} sends a Content-Security-Policy`)
    await ready(page)
    await page.waitForTimeout(SETTLE_MS)
    assert.deepEqual(problems, [])
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: new URL(`csp${path.replace(/\W+/g, '-')}failure.png`, ARTIFACTS).pathname })
    if (problems.length) console.error(problems.join('\n'))
    throw error
  }
}

test('the dashboard renders under the CSP without a violation', async (t) => {
  await expectCleanLoad(t, '/', async (page) => {
    await page.getByTestId('stat-contacts').waitFor()
    await page.getByTestId('cache-hit-ratio').waitFor()
  })
})

test('the login page renders under the CSP without a violation', async (t) => {
  await expectCleanLoad(t, '/login', async (page) => {
    await page.locator('form[data-testid=login-form]').waitFor()
  })
})

test('Swagger UI renders and opens an operation under the CSP without a violation', async (t) => {
  await expectCleanLoad(t, '/api/docs', async (page) => {
    const operation = page.locator('.swagger-ui .opblock-summary').first()
    await operation.waitFor()
    await operation.click()
    await page.locator('.swagger-ui .opblock-body').first().waitFor()
  })
})
