// The screenshots of docs/screenshots/ for the login, campaign, contacts, answers and users pages, taken in
// headless Chromium from the running app after `flask seed demo` (a script, not a test: the suite never skips
// one), logged in through the login form as an admin the caller names:
//   E2E_BASE_URL=http://127.0.0.1:5099 API_TOKEN=... E2E_ADMIN_EMAIL=... E2E_ADMIN_PASSWORD=... \
//     node e2e/screenshots.mjs ../docs/screenshots
// Everything shown is the real app's: the import really imports the file below (a second run finds the same
// phones: `unchanged` instead of `created`).
import { resolve } from 'node:path'
import { BASE_URL, api, launchBrowser, submitLogin } from './support.mjs'

const OUT = resolve(process.argv[2] ?? '../docs/screenshots')

/** A fair's sign-up sheet as an operator exports it: mostly good rows, and the mistakes such sheets have. */
const ROWS = Array.from({ length: 180 }, (_, i) => `+1415556${String(i).padStart(4, '0')},Visitor ${i + 1},Spring fair`)
ROWS.splice(3, 0, '0612345678,Camille Martin,Spring fair') // a national number, no country code
ROWS.splice(8, 0, '+1415555,Dan Brown,Spring fair') // cut short
ROWS.splice(11, 0, '+14155560188,,Spring fair') // no name
ROWS.splice(20, 0, '+14155560002,Visitor 3 (again),Spring fair') // the same phone twice
const CSV = ['phone,name,categories', ...ROWS].join('\r\n')

const browser = await launchBrowser()
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()

  // The login page, as a stranger sees it, then logged in as the admin.
  await page.goto(`${BASE_URL}/login`)
  await page.locator('form[data-testid=login-form]').waitFor()
  await page.screenshot({ path: `${OUT}/login.png` })
  await submitLogin(page, 'admin')

  // The campaign page of the largest launched campaign, whole.
  const campaigns = await api('/api/campaigns')
  const largest = campaigns.items.filter((c) => c.status !== 'draft').sort((a, b) => b.total_count - a.total_count)[0]
  if (!largest) throw new Error('no launched campaign: run `flask seed demo` first')
  await page.goto(`${BASE_URL}/campaigns/${largest.id}`)
  await page.getByTestId('campaign-status').waitFor()
  await page.locator('[data-testid=campaign-timeline] canvas').waitFor()
  await page.screenshot({ path: `${OUT}/campaign-page.png`, fullPage: true })

  await page.goto(`${BASE_URL}/contacts`)
  await page.getByTestId('contact-row').first().waitFor()
  await page.getByTestId('import-open').click()
  await page.getByTestId('import-file').setInputFiles({ name: 'spring-fair.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) })
  await page.getByTestId('import-submit').click()
  await page.getByTestId('import-result').waitFor()
  await page.screenshot({ path: `${OUT}/contacts-import.png` })

  await page.goto(`${BASE_URL}/answers`)
  await page.getByTestId('answer-row').first().waitFor()
  await page.screenshot({ path: `${OUT}/answers.png` })
  // The accounts and, below them, the audit log of the writes above (the import's among them).
  await page.goto(`${BASE_URL}/users`)
  await page.getByTestId('user-row').first().waitFor()
  await page.getByTestId('audit-row').first().waitFor()
  await page.screenshot({ path: `${OUT}/users.png` })
  console.log(`saved ${OUT}/login.png, campaign-page.png, contacts-import.png, answers.png and users.png`)
} finally {
  await browser.close()
}
