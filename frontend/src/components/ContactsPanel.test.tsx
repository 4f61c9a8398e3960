import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import { waitForDashboard } from '../test/dashboard'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

// Opt-outs on the contacts panel: the badge, the filter, and the toggle (optimistic, rolled back on error).

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(3, [3])
})

const rowOf = (id: number) => document.querySelector<HTMLElement>(`[data-testid=contact-row][data-contact-id="${id}"]`)!
const badgeOf = (id: number) => within(rowOf(id)).queryByTestId('opted-out-badge')
const optedOutStat = () => screen.getByTestId('stat-contacts-opted_out').textContent

describe('opting a contact out', () => {
  it('shows the badge and the count at once, sends opted_out, and keeps them once the server agrees', async () => {
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const id = api.state.contacts[1].id
    expect(badgeOf(id)).toBeNull()
    expect(optedOutStat()).toBe('0')
    const hold = api.holdWrites()

    await userEvent.setup().click(within(rowOf(id)).getByTestId('opt-out-toggle'))

    await waitFor(() => expect(badgeOf(id)).not.toBeNull())
    expect(optedOutStat()).toBe('1')
    expect(within(rowOf(id)).getByTestId('opt-out-toggle').textContent).toBe('Opt in')
    hold.release()
    await waitFor(() => expect(api.state.contacts[1].opted_out_at).not.toBeNull())
    await waitFor(() => expect(api.callsTo('/api/messages/stats').length).toBeGreaterThan(1))
    expect(badgeOf(id)).not.toBeNull()
    expect(optedOutStat()).toBe('1')
    expect(api.callsTo(`/api/contacts/${id}`, 'PATCH')).toHaveLength(1)
  })

  it("puts the row and the count back, and shows the server's message, when the server refuses", async () => {
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const id = api.state.contacts[0].id
    const hold = api.holdWrites()
    api.failNextWrite(404, 'not_found', 'Contact not found')

    await userEvent.setup().click(within(rowOf(id)).getByTestId('opt-out-toggle'))
    await waitFor(() => expect(badgeOf(id)).not.toBeNull())
    expect(optedOutStat()).toBe('1')

    // The refetch after the error is held: only the rollback can take the badge away.
    const reads = api.holdReads()
    hold.release()
    await waitFor(() => expect(badgeOf(id)).toBeNull())
    expect(optedOutStat()).toBe('0')
    expect(within(rowOf(id)).getByTestId('opt-out-toggle').textContent).toBe('Opt out')
    reads.release()
    expect((await screen.findByRole('alert')).textContent).toContain('Contact not found')
  })

  it('opts back in: the badge goes', async () => {
    api.state.contacts[2].opted_out_at = '2024-05-01T09:00:00Z'
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const id = api.state.contacts[2].id
    expect(badgeOf(id)).not.toBeNull()
    expect(optedOutStat()).toBe('1')

    await userEvent.setup().click(within(rowOf(id)).getByTestId('opt-out-toggle'))

    await waitFor(() => expect(badgeOf(id)).toBeNull())
    expect(optedOutStat()).toBe('0')
    await waitFor(() => expect(api.state.contacts[2].opted_out_at).toBeNull())
  })
})

describe('the opt-out filter', () => {
  it('lists only the opted-out contacts, or only the others, asking the server with opted_out', async () => {
    api.state.contacts[0].opted_out_at = '2024-05-01T09:00:00Z'
    const optedOut = api.state.contacts[0]
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const user = userEvent.setup()
    const filter = screen.getByTestId('opt-out-filter')

    await user.selectOptions(filter, 'true')
    await waitFor(() => expect(screen.getAllByTestId('contact-row').map((row) => row.dataset.contactId)).toEqual([String(optedOut.id)]))
    expect(badgeOf(optedOut.id)).not.toBeNull()
    expect(api.callsTo('/api/contacts').at(-1)!.search.get('opted_out')).toBe('true')

    await user.selectOptions(filter, 'false')
    await waitFor(() => expect(screen.getAllByTestId('contact-row')).toHaveLength(2))
    expect(screen.queryAllByTestId('opted-out-badge')).toEqual([])
    expect(api.callsTo('/api/contacts').at(-1)!.search.get('opted_out')).toBe('false')
  })

  it('takes a contact opted in from the opted-out list at once', async () => {
    api.state.contacts[0].opted_out_at = '2024-05-01T09:00:00Z'
    const id = api.state.contacts[0].id
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const user = userEvent.setup()
    await user.selectOptions(screen.getByTestId('opt-out-filter'), 'true')
    await waitFor(() => expect(screen.getAllByTestId('contact-row')).toHaveLength(1))
    api.holdWrites()

    await user.click(within(rowOf(id)).getByTestId('opt-out-toggle'))

    await waitFor(() => expect(screen.queryAllByTestId('contact-row')).toHaveLength(0))
  })
})

describe('the export button', () => {
  it("downloads the list's category as the CSV the API sends, fetched with the session's cookie", async () => {
    const saved: Array<{ name: string; href: string }> = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href })
    })
    const blobs: Blob[] = []
    // jsdom has no object URLs: this test's own, removed at its end.
    const objectUrls = { createObjectURL: (blob: Blob) => (blobs.push(blob), 'blob:contacts'), revokeObjectURL: () => {} }
    Object.entries(objectUrls).forEach(([name, value]) => Object.defineProperty(URL, name, { value, configurable: true }))
    renderWithClient(<App />)
    await waitForDashboard('12', [3, '3'])
    const user = userEvent.setup()
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter by category' }), '3')

    await user.click(screen.getByTestId('export-contacts'))

    await waitFor(() => expect(saved).toEqual([{ name: 'contacts-category-3.csv', href: 'blob:contacts' }]))
    const [call] = api.callsTo('/api/contacts/export')
    expect(call.search.get('category_id')).toBe('3')
    expect(call.credentials).toBe('same-origin')
    expect((await blobs[0].text()).split('\r\n')[0]).toBe('phone,name,categories')
    click.mockRestore()
    Object.keys(objectUrls).forEach((name) => delete (URL as unknown as Record<string, unknown>)[name])
  })
})
