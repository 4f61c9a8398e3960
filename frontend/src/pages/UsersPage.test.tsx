import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { AUDIT_PER_PAGE } from '../components/AuditLog'
import { createFakeApi, makeAccount } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

// An admin's page: the accounts (create, change a role, deactivate) and the audit log, newest first.

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.state.accounts.push(makeAccount(2, 'olga@example.com', 'operator'))
})

const rowOf = (email: string) => screen.getAllByTestId('user-row').find((row) => row.textContent?.includes(email))!

describe('the users page', () => {
  it('lists the accounts, marks yours, and creates one with email, password and role', async () => {
    renderWithClient(<App path="/users" />)
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2))
    expect(rowOf('ada@example.com').textContent).toContain('(you)')
    const user = userEvent.setup()
    const form = screen.getByTestId('user-form')

    await user.type(within(form).getByLabelText('Email'), 'vic@example.com')
    await user.type(within(form).getByLabelText('Password'), 'twelve chars ok')
    await user.selectOptions(within(form).getByLabelText('Role'), 'viewer')
    await user.click(within(form).getByRole('button', { name: 'Create account' }))

    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(3))
    expect(within(rowOf('vic@example.com')).getByTestId<HTMLSelectElement>('user-role').value).toBe('viewer')
    expect(api.state.accounts.at(-1)).toMatchObject({ email: 'vic@example.com', role: 'viewer', password: 'twelve chars ok' })
    expect(api.callsTo('/api/users', 'POST')[0].csrf).toBe(api.state.session!.csrf_token)
  })

  it("shows the server's refusal of a duplicate email next to the form", async () => {
    renderWithClient(<App path="/users" />)
    const form = await screen.findByTestId('user-form')
    const user = userEvent.setup()
    await user.type(within(form).getByLabelText('Email'), 'olga@example.com')
    await user.type(within(form).getByLabelText('Password'), 'twelve chars ok')
    await user.click(within(form).getByRole('button', { name: 'Create account' }))

    expect((await within(form).findByRole('alert')).textContent).toContain('already exists')
    expect(screen.getAllByTestId('user-row')).toHaveLength(2)
  })

  it("changes a role and deactivates an account with PATCH", async () => {
    renderWithClient(<App path="/users" />)
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2))
    const user = userEvent.setup()

    await user.selectOptions(within(rowOf('olga@example.com')).getByTestId('user-role'), 'viewer')
    await waitFor(() => expect(api.state.accounts[1].role).toBe('viewer'))
    await user.click(within(rowOf('olga@example.com')).getByTestId('user-active-toggle'))

    await waitFor(() => expect(rowOf('olga@example.com').textContent).toContain('deactivated'))
    expect(within(rowOf('olga@example.com')).getByTestId('user-active-toggle').textContent).toBe('Reactivate')
    expect(api.state.accounts[1]).toMatchObject({ role: 'viewer', active: false })
  })

  it('shows the audit log newest first and loads older rows by keyset', async () => {
    api.addAudit(Array.from({ length: AUDIT_PER_PAGE + 5 }, (_, i) => ['ada@example.com', i === 0 ? 'contact.deleted' : 'contact.created']))
    renderWithClient(<App path="/users" />)
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(AUDIT_PER_PAGE))
    expect(screen.getAllByTestId('audit-row')[0].textContent).toContain('contact.deleted')
    expect(screen.getAllByTestId('audit-row')[0].textContent).toContain('contact_id 7')
    const user = userEvent.setup()

    await user.click(screen.getByTestId('audit-load-more'))

    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(AUDIT_PER_PAGE + 5))
    expect(api.callsTo('/api/audit').map((call) => call.search.get('cursor'))).toEqual([null, String(AUDIT_PER_PAGE)])
    expect(screen.queryByTestId('audit-load-more')).toBeNull()
  })
})
