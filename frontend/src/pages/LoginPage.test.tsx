import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { getCsrfToken } from '../api'
import { statContacts } from '../test/dashboard'
import { ADMIN_PASSWORD, createFakeApi, makeCampaign } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

// The login page and the session around the dashboard: a page without a session sends to /login and comes
// back after it; a wrong password and too many attempts say so; every write carries the session's CSRF token;
// logging out ends the session on the server and forgets every cached answer.

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.state.session = null
  api.state.campaigns = [makeCampaign(12, 'Spring offer', { status: 'running', total_count: 10, sent_count: 4 })]
})

async function logIn(email: string, password: string) {
  const user = userEvent.setup()
  const form = await screen.findByTestId('login-form')
  await user.type(form.querySelector('input[name=email]')!, email)
  await user.type(form.querySelector('input[name=password]')!, password)
  await user.click(within(form).getByRole('button', { name: 'Log in' }))
}

const currentUser = () => screen.getByTestId('current-user').textContent

describe('the login page', () => {
  it('opens in place of a page without a session, then goes back to that page, logged in', async () => {
    renderWithClient(<App path="/campaigns/12" />, { signedIn: false })

    await logIn('ADA@example.com', ADMIN_PASSWORD)

    // Back on the page that asked for the login: the campaign, with who is logged in, in which role.
    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('running'))
    expect(currentUser()).toContain('ada@example.com')
    expect(currentUser()).toContain('admin')
    expect(screen.queryByTestId('login-form')).toBeNull()
    expect(api.callsTo('/api/auth/login', 'POST')).toHaveLength(1)
  })

  it('says "wrong email or password" alike for an unknown email and a wrong password, and stays', async () => {
    renderWithClient(<App path="/" />, { signedIn: false })
    const messages: string[] = []
    for (const [email, password] of [['nobody@example.com', ADMIN_PASSWORD], ['ada@example.com', 'not the password']]) {
      await logIn(email, password)
      messages.push((await screen.findByRole('alert')).textContent!)
      screen.getByTestId('login-form').querySelectorAll('input').forEach((input) => (input.value = ''))
    }
    expect(messages).toEqual(['Wrong email or password.', 'Wrong email or password.'])
    expect(screen.queryByTestId('current-user')).toBeNull()
    expect(api.state.session).toBeNull()
  })

  it("says how long to wait after too many attempts, from the answer's Retry-After", async () => {
    api.state.loginBlockedFor = 37
    renderWithClient(<App path="/" />, { signedIn: false })

    await logIn('ada@example.com', ADMIN_PASSWORD)

    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts, retry in 37 s.')
  })

  it("sends the session's CSRF token with a write, the new one after a login", async () => {
    renderWithClient(<App path="/campaigns/12" />, { signedIn: false })
    await logIn('ada@example.com', ADMIN_PASSWORD)
    const user = userEvent.setup()

    await user.click(await screen.findByTestId('pause-button'))

    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('paused'))
    const [pause] = api.callsTo('/api/campaigns/12/pause', 'POST')
    expect(pause.csrf).toBe(api.state.session!.csrf_token)
    expect(pause.credentials).toBe('same-origin')
  })

  it('sends to the login page when the session ends while in use, and back after', async () => {
    api.logInAs('admin')
    renderWithClient(<App path="/contacts" />)
    const user = userEvent.setup()
    await screen.findByTestId('contacts-totals')
    api.state.session = null // expired, or ended in another tab

    await user.selectOptions(screen.getByTestId('opt-out-filter'), 'true')

    await logIn('ada@example.com', ADMIN_PASSWORD)
    await screen.findByTestId('contacts-totals')
    expect(screen.getByRole('link', { name: 'Contacts' }).className).toContain('is-active')
  })
})

describe('logging out', () => {
  it('ends the session on the server, forgets the CSRF token and every cached answer, and shows the login', async () => {
    api.logInAs('admin')
    const { client } = renderWithClient(<App path="/" />)
    await waitFor(() => expect(statContacts()).toBe('9'))
    const csrf = api.state.session!.csrf_token
    const meReads = api.callsTo('/api/auth/me').length
    const user = userEvent.setup()

    await user.click(screen.getByTestId('logout'))

    await screen.findByTestId('login-form')
    expect(api.callsTo('/api/auth/me').length, 'nothing asks who is in once logged out').toBe(meReads)
    expect(api.callsTo('/api/auth/logout', 'POST').map((call) => call.csrf)).toEqual([csrf])
    expect(api.state.session).toBeNull()
    expect(getCsrfToken()).toBeNull()
    expect(client.getQueryCache().getAll()).toEqual([])

    // The next user sees nothing of the last one's: the stats are asked again, with their session.
    const statsReads = api.callsTo('/api/messages/stats').length
    api.logInAs('viewer') // the account exists now, with its password
    api.state.session = null
    await logIn('viewer@example.com', 'viewer password 1')
    await waitFor(() => expect(currentUser()).toContain('viewer'))
    await waitFor(() => expect(statContacts()).toBe('9'))
    expect(api.callsTo('/api/messages/stats').length).toBe(statsReads + 1)
  })
})

describe('the open development API (no API_TOKEN, no user yet)', () => {
  it('lets the dashboard in as the anonymous admin it is, says so, and offers no logout', async () => {
    api.state.session = { id: null, email: null, role: 'admin', csrf_token: null }
    renderWithClient(<App path="/" />, { signedIn: false })

    await waitFor(() => expect(statContacts()).toBe('9'))
    expect(currentUser()).toContain('no account (open development API)')
    expect(screen.queryByTestId('logout')).toBeNull()
    expect(screen.getByTestId('contact-form')).toBeTruthy()
  })
})
