import { screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import type { Role } from '../api'
import { createFakeApi, makeCampaign } from '../test/fakeApi'
import { renderWithClient } from '../test/render'
import { can, RULES } from './can'

// What each role sees: a viewer reads only (no form, no button that writes), an operator everything but the
// accounts and the audit, an admin everything. The server refuses the same writes (403); hiding them is so
// nobody is offered what will be refused.

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(2, [3])
  api.state.campaigns = [
    makeCampaign(12, 'Spring offer', { status: 'running', total_count: 10, sent_count: 4 }),
    makeCampaign(13, 'Summer draft'),
  ]
})

/** The dashboard at `path`, logged in with that role, once its data is on screen. */
async function openAs(role: Role, path: string, landmark: () => HTMLElement) {
  api.logInAs(role)
  renderWithClient(<App path={path} />)
  await waitFor(() => expect(screen.getByTestId('current-user').textContent).toContain(role))
  await waitFor(() => expect(landmark()).toBeTruthy())
}

const present = (testId: string) => screen.queryAllByTestId(testId).length > 0
const navLinks = () => [...document.querySelectorAll('.nav a')].map((link) => link.textContent)

describe('the rules', () => {
  it('let a viewer do nothing that writes, an operator all but accounts and audit, an admin everything', () => {
    const allowed = (role: Role) => Object.keys(RULES).filter((action) => can(role, action as keyof typeof RULES))
    expect(allowed('viewer')).toEqual([])
    expect(allowed('operator')).toEqual(['contacts.write', 'contacts.import', 'categories.write', 'campaigns.write', 'campaigns.run'])
    expect(allowed('admin')).toEqual(Object.keys(RULES))
    expect(can(null, 'contacts.write')).toBe(false)
  })
})

describe.each([
  ['viewer', false, false],
  ['operator', true, false],
  ['admin', true, true],
] as const)('the dashboard for a %s', (role, writes, admin) => {
  it(`${writes ? 'shows' : 'hides'} the overview's forms and the contacts' buttons`, async () => {
    await openAs(role, '/', () => screen.getAllByTestId('contact-row')[0])
    expect(present('contact-form')).toBe(writes)
    expect(present('category-form')).toBe(writes)
    expect(present('opt-out-toggle')).toBe(writes)
    expect(screen.queryAllByRole('button', { name: 'Delete' }).length > 0).toBe(writes)
    expect(present('import-open')).toBe(writes)
    expect(present('export-contacts')).toBe(true) // a read
    expect(navLinks().includes('Users')).toBe(admin)
  })

  it(`${writes ? 'shows' : 'hides'} the campaigns' new, pause and edit controls`, async () => {
    await openAs(role, '/campaigns', () => screen.getAllByTestId('campaign-row')[0])
    expect(present('new-campaign')).toBe(writes)
    screen.getByRole('link', { name: 'Spring offer' }).click()
    await screen.findByTestId('campaign-status')
    expect(present('pause-button')).toBe(writes)
  })

  it(`${writes ? 'opens' : 'refuses'} the composer`, async () => {
    await openAs(role, '/campaigns/13/edit', () => screen.getAllByRole('heading', { level: 2 })[0])
    expect(present('forbidden')).toBe(!writes)
  })

  it(`${admin ? 'opens' : 'refuses'} the users page`, async () => {
    await openAs(role, '/users', () => screen.getAllByRole('heading', { level: 2 })[0])
    expect(present('forbidden')).toBe(!admin)
    expect(present('user-form')).toBe(admin)
    if (!admin) expect(api.callsTo('/api/users')).toEqual([]) // not even asked
  })
})
