// What the end-to-end tests share: the app's address and token, the API from node, the browser.
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.E2E_BASE_URL ?? '').replace(/\/$/, '')
export const API_TOKEN = process.env.API_TOKEN || null
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const TOKEN_STORAGE_KEY = 'chatbot.apiToken' // src/api/auth.ts

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
