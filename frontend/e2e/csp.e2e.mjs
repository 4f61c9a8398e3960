// End-to-end: the dashboard (/) and Swagger UI (/api/docs) work under the app's Content-Security-Policy
// in real headless Chromium: no CSP violation (reported by the page or in the console), no page error.
//
// Needs: E2E_BASE_URL (the running app, with the frontend built); API_TOKEN when the app requires one;
// CHROMIUM_PATH to use another browser than /usr/bin/chromium.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { chromium } from 'playwright-core'

const BASE_URL = (process.env.E2E_BASE_URL ?? '').replace(/\/$/, '')
const API_TOKEN = process.env.API_TOKEN || null
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const TOKEN_STORAGE_KEY = 'chatbot.apiToken' // src/api/auth.ts
const ARTIFACTS = new URL('./artifacts/', import.meta.url)
const SETTLE_MS = 500 // late violations (lazy styles, images) still get reported within this

if (!BASE_URL) throw new Error('Set E2E_BASE_URL to the running app, e.g. http://127.0.0.1:5099')

let browser

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  })
})

after(async () => {
  await browser?.close()
})

/** A page that records CSP violations (event and console) and page errors into `problems`. */
async function watchedPage(t, problems) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  t.after(() => context.close())
  await context.addInitScript(([key, token]) => {
    if (token) sessionStorage.setItem(key, token)
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`)
    })
  }, [TOKEN_STORAGE_KEY, API_TOKEN])
  const page = await context.newPage()
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    const text = message.text()
    if (/Content Security Policy|CSP violation/i.test(text)) problems.push(`console: ${text}`)
  })
  return page
}

/** Loads `path`, waits for `ready`, lets late reports arrive, then asserts nothing was reported. */
async function expectCleanLoad(t, path, ready) {
  const problems = []
  const page = await watchedPage(t, problems)
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

test('Swagger UI renders and opens an operation under the CSP without a violation', async (t) => {
  await expectCleanLoad(t, '/api/docs', async (page) => {
    const operation = page.locator('.swagger-ui .opblock-summary').first()
    await operation.waitFor()
    await operation.click()
    await page.locator('.swagger-ui .opblock-body').first().waitFor()
  })
})
