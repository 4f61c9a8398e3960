// The screenshots of docs/screenshots/ for the contacts and answers pages, taken in headless Chromium
// from a running app after `flask seed demo`:
//   E2E_BASE_URL=http://127.0.0.1:5099 DATABASE_URL=... node e2e/screenshots.mjs ../docs/screenshots
// Written before the backend of "Campaign operations" was merged: where the app still answers 404 (the
// pages' addresses, GET /api/interactions, POST /api/contacts/import), it stands in for it: the dashboard's
// index.html for the pages, the seeded interactions read with psql (DATABASE_URL) in the contract's shape,
// and an import answer in the contract's shape. Once the app serves them, the stand-ins are not used.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { BASE_URL, API_TOKEN, TOKEN_STORAGE_KEY, launchBrowser } from './support.mjs'

const OUT = resolve(process.argv[2] ?? '../docs/screenshots')

/** The seeded answers, newest first, as GET /api/interactions gives them (offset cursor: a stand-in). */
function interactionsFromDatabase(url) {
  const perPage = Number(url.searchParams.get('per_page') ?? 50)
  const offset = Number(url.searchParams.get('cursor') ?? 0)
  const where = ['campaign_id', 'contact_id']
    .filter((name) => /^\d+$/.test(url.searchParams.get(name) ?? ''))
    .map((name) => `i.${name} = ${Number(url.searchParams.get(name))}`)
  const sql = `select coalesce(json_agg(row_to_json(t)), '[]') from (
    select i.id, i.contact_id, c.name as contact_name, i.campaign_id, i.kind, i.body,
           to_char(i.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as occurred_at
    from interactions i join contacts c on c.id = i.contact_id
    ${where.length ? `where ${where.join(' and ')}` : ''}
    order by i.occurred_at desc, i.id desc limit ${perPage + 1} offset ${offset}) t`
  const rows = JSON.parse(execFileSync('psql', [process.env.DATABASE_URL, '-Atc', sql], { encoding: 'utf8' }))
  return { items: rows.slice(0, perPage), next_cursor: rows.length > perPage ? String(offset + perPage) : null }
}

/** Answers with the real app; where it has no such route yet (404), with the stand-in. */
async function standIn(page) {
  const index = await (await fetch(`${BASE_URL}/`)).text()
  await page.route(new RegExp(`^${BASE_URL}/(contacts|answers)([?].*)?$`), async (route) => {
    const response = await route.fetch()
    if (response.status() !== 404) return route.fulfill({ response })
    await route.fulfill({ status: 200, contentType: 'text/html', body: index })
  })
  await page.route(/\/api\/interactions([?].*)?$/, async (route) => {
    const response = await route.fetch()
    if (response.status() !== 404) return route.fulfill({ response })
    await route.fulfill({ json: interactionsFromDatabase(new URL(route.request().url())) })
  })
  await page.route('**/api/contacts/import', async (route) => {
    const response = await route.fetch()
    if (response.status() !== 404) return route.fulfill({ response })
    const rejected = [
      { line: 4, phone: '0612345678', error: 'Not a valid phone number: use the E.164 form, e.g. +33612345678.' },
      { line: 9, phone: '+1415555', error: 'Not a valid phone number: too short.' },
      { line: 12, phone: '+14155550188', error: 'Missing name.' },
    ]
    await route.fulfill({ json: { created: 184, updated: 9, unchanged: 3, rejected } })
  })
}

const CSV = ['phone,name,categories', ...Array.from({ length: 200 }, (_, i) => `+1415556${String(i).padStart(4, '0')},Imported ${i},Spring fair`)].join('\n')

const browser = await launchBrowser()
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  if (API_TOKEN) await context.addInitScript(([key, token]) => sessionStorage.setItem(key, token), [TOKEN_STORAGE_KEY, API_TOKEN])
  const page = await context.newPage()
  await standIn(page)

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
  console.log(`saved ${OUT}/contacts-import.png and ${OUT}/answers.png`)
} finally {
  await browser.close()
}
