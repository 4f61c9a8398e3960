import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import { createFakeApi } from '../test/fakeApi'
import { categoryCount, statContacts, submitContact, waitForContactFormIdle, waitForDashboard } from '../test/dashboard'
import { renderWithClient } from '../test/render'

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(4, [3]) // stats: 9 + 4 = 13 contacts; "Customers" (3): 4; "Leads" (7): 0
})

describe('creating a contact', () => {
  it('shows it in the stats, the category counts and the list before the server answers', async () => {
    renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    const hold = api.holdWrites()

    await submitContact('+14155550199', 'Grace Hopper', [3, 7])

    await waitFor(() => expect(statContacts()).toBe('14'))
    expect(categoryCount(3)).toBe('5')
    expect(categoryCount(7)).toBe('1')
    expect(screen.getByRole('button', { name: 'Saving…' })).toBeTruthy()
    expect(screen.getAllByTestId('contact-row')[0].textContent).toContain('Grace Hopper')

    hold.release()
    await waitForContactFormIdle()
    expect(statContacts()).toBe('14')
    expect(categoryCount(3)).toBe('5')
    expect(categoryCount(7)).toBe('1')
  })

  it("rolls everything back and shows the server's message when the server refuses", async () => {
    renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    const hold = api.holdWrites()
    api.failNextWrite(409, 'conflict', 'A contact with this phone number already exists')

    await submitContact('+14155550100', 'Duplicate', [3])
    await waitFor(() => expect(statContacts()).toBe('14'))
    expect(categoryCount(3)).toBe('5')
    expect(screen.getAllByTestId('contact-row')[0].textContent).toContain('Duplicate')

    // The refetch that follows the error is held, so only the rollback can put the numbers back.
    const reads = api.holdReads()
    const readsBefore = api.calls.filter((call) => call.method === 'GET').length
    hold.release()
    await waitFor(() => expect(statContacts()).toBe('13'))
    expect(categoryCount(3)).toBe('4')
    expect(screen.queryByText('Duplicate')).toBeNull()
    // The refetch is asked for, and held: what is on screen came from the rollback.
    await waitFor(() => expect(api.calls.filter((call) => call.method === 'GET').length).toBeGreaterThan(readsBefore))
    expect(statContacts()).toBe('13')

    reads.release()
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('A contact with this phone number already exists')
    expect(statContacts()).toBe('13')
    expect(categoryCount(3)).toBe('4')
    expect(screen.queryByText('Duplicate')).toBeNull()
    // The operator can correct the form instead of retyping it.
    expect(screen.getByTestId('contact-form').querySelector<HTMLInputElement>('input[name=name]')!.value).toBe('Duplicate')
  })

  it('shows the per-field messages of a validation error', async () => {
    renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    api.failNextWrite(422, 'validation_error', 'Invalid input', { phone: ['Not a valid E.164 number.'] })

    await submitContact('12', 'Bad Phone', [])

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Invalid input')
    expect(alert.textContent).toContain('Not a valid E.164 number.')
    expect(statContacts()).toBe('13')
  })

  it('cancels, then invalidates exactly the stats, the chosen categories and the contacts lists', async () => {
    const { client } = renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    const cancel = vi.spyOn(client, 'cancelQueries')
    const invalidate = vi.spyOn(client, 'invalidateQueries')
    const untouched = ['/api/campaigns', '/api/messages', '/api/monitoring/daily'].map((path) => api.callsTo(path).length)

    await submitContact('+14155550142', 'Alan Turing', [3, 7])
    await waitForContactFormIdle()

    const expected = [
      { queryKey: ['stats'] },
      { queryKey: ['categories', 'list'] },
      { queryKey: ['categories', 'detail', 3] },
      { queryKey: ['categories', 'detail', 7] },
      { queryKey: ['contacts', 'list'] },
      // The composer's audiences count contacts too (none is cached here: nothing refetches for it).
      { queryKey: ['campaigns', 'audience'] },
    ]
    expect(cancel.mock.calls.map(([filters]) => filters)).toEqual(expected)
    expect(invalidate.mock.calls.map(([filters]) => filters)).toEqual(expected)
    const after = ['/api/campaigns', '/api/messages', '/api/monitoring/daily'].map((path) => api.callsTo(path).length)
    expect(after).toEqual(untouched)
  })
})

describe('deleting a contact', () => {
  it('takes it out at once and invalidates only what it touched', async () => {
    const { client } = renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    const victim = screen.getAllByTestId('contact-row')[0]
    const name = victim.querySelector('td')!.textContent!
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    const invalidate = vi.spyOn(client, 'invalidateQueries')
    const hold = api.holdWrites()

    await userEvent.setup().click(within(victim).getByRole('button', { name: 'Delete' }))

    await waitFor(() => expect(statContacts()).toBe('12'))
    expect(categoryCount(3)).toBe('3')
    expect(screen.queryByText(name)).toBeNull()

    hold.release()
    await waitFor(() => expect(client.isMutating()).toBe(0))
    expect(statContacts()).toBe('12')
    expect(invalidate.mock.calls.map(([filters]) => filters)).toEqual([
      { queryKey: ['stats'] },
      { queryKey: ['categories', 'list'] },
      { queryKey: ['categories', 'detail', 3] },
      { queryKey: ['contacts', 'list'] },
      { queryKey: ['campaigns', 'audience'] },
      // Its answers go with it: the answer lists that show it (none are cached here).
      { queryKey: ['interactions', 'list'], predicate: expect.any(Function) },
    ])
  })

  it('puts it back when the server refuses, before any refetch', async () => {
    renderWithClient(<App />)
    await waitForDashboard('13', [3, '4'])
    const victim = screen.getAllByTestId('contact-row')[0]
    const name = victim.querySelector('td')!.textContent!
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    const hold = api.holdWrites()
    api.failNextWrite(404, 'not_found', 'Contact not found')

    await userEvent.setup().click(within(victim).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(statContacts()).toBe('12'))
    expect(screen.queryByText(name)).toBeNull()

    // The refetch that follows the error is held, so only the rollback can put the contact back.
    const reads = api.holdReads()
    hold.release()
    await waitFor(() => expect(statContacts()).toBe('13'))
    expect(categoryCount(3)).toBe('4')
    expect(screen.getByText(name)).toBeTruthy()
    reads.release()
  })
})
