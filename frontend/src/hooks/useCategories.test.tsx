import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import { categoryRow, waitForDashboard } from '../test/dashboard'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(2, [3])
})

async function openAndRename(name: string) {
  const user = userEvent.setup()
  await user.click(within(categoryRow(3)).getByRole('button', { name: 'Customers' }))
  const form = await screen.findByTestId('category-edit-form')
  const input = within(form).getByLabelText('Name')
  await user.clear(input)
  await user.type(input, name)
  await user.click(within(form).getByRole('button', { name: 'Save' }))
}

describe('editing a category', () => {
  it('renames it at once and invalidates only the list and that category', async () => {
    const { client } = renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const invalidate = vi.spyOn(client, 'invalidateQueries')
    const hold = api.holdWrites()

    await openAndRename('VIP customers')
    await waitFor(() => expect(within(categoryRow(3)).queryByRole('button', { name: 'VIP customers' })).toBeTruthy())

    hold.release()
    await waitFor(() => expect(client.isMutating()).toBe(0))
    expect(invalidate.mock.calls.map(([filters]) => filters)).toEqual([
      { queryKey: ['categories', 'list'] },
      { queryKey: ['categories', 'detail', 3] },
    ])
    expect(api.callsTo('/api/categories/3', 'PATCH')).toHaveLength(1)
  })

  it("puts the old name back and shows the server's message when refused", async () => {
    renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const hold = api.holdWrites()
    api.failNextWrite(409, 'conflict', 'A category with this name already exists')

    await openAndRename('Leads')
    await waitFor(() => expect(within(categoryRow(3)).queryByRole('button', { name: 'Leads' })).toBeTruthy())

    // The refetch that follows the error is held, so only the rollback can put the old name back.
    const reads = api.holdReads()
    hold.release()
    await waitFor(() => expect(within(categoryRow(3)).queryByRole('button', { name: 'Customers' })).toBeTruthy())
    expect(within(categoryRow(3)).queryByRole('button', { name: 'Leads' })).toBeNull()

    reads.release()
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('A category with this name already exists')
    expect(within(categoryRow(3)).getByRole('button', { name: 'Customers' })).toBeTruthy()
  })
})
