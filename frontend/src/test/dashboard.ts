import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { expect } from 'vitest'

// Reading and driving the dashboard through its stable test hooks (shared/CONTRACT.md).

export const statContacts = () => screen.getByTestId('stat-contacts').textContent

export function categoryRow(id: number): HTMLElement {
  const row = document.querySelector<HTMLElement>(`[data-testid=category-row][data-category-id="${id}"]`)
  if (!row) throw new Error(`no row for category ${id}`)
  return row
}

export const categoryCount = (id: number) =>
  categoryRow(id).querySelector('[data-testid=category-count]')?.textContent

/** Waits until stats and the categories table have their first data. */
export async function waitForDashboard(contacts: string, category: [number, string]) {
  await waitFor(() => expect(statContacts()).toBe(contacts))
  await waitFor(() => expect(categoryCount(category[0])).toBe(category[1]))
}

/** Fills the contact form and submits it. */
export async function submitContact(phone: string, name: string, categoryIds: number[]) {
  const user = userEvent.setup()
  const form = screen.getByTestId('contact-form')
  await user.type(form.querySelector('input[name=phone]')!, phone)
  await user.type(form.querySelector('input[name=name]')!, name)
  for (const id of categoryIds) await user.click(form.querySelector(`input[name=category_ids][value="${id}"]`)!)
  await user.click(form.querySelector('button[type=submit]')!)
}

/** Resolves once the contact form's mutation has settled (its button is back). */
export async function waitForContactFormIdle() {
  await waitFor(() => expect(screen.getByRole('button', { name: 'Add contact' })).toBeTruthy())
}
