import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { QueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { contactKeys, contactsQuery, createContact, deleteContact, targetsOf } from '../api'
import type { Contact, ContactListParams, NewContact, Page } from '../api'
import { adjustCategoryCounts, adjustContactTotal, cancelAndSnapshot, invalidateTargets, rollback } from './optimistic'

export const CONTACTS_PER_PAGE = 20

/** The page of contacts on screen, with its page number and filters. */
export function useContactList() {
  const [params, setParams] = useState<ContactListParams>({ page: 1, per_page: CONTACTS_PER_PAGE })
  const query = useQuery(contactsQuery(params))
  return {
    query,
    params,
    setPage: (page: number) => setParams((current) => ({ ...current, page })),
    // A new filter starts again from the first page.
    setSearch: (search: string) => setParams((current) => ({ ...current, page: 1, search: search || undefined })),
    setCategory: (category_id?: number) => setParams((current) => ({ ...current, page: 1, category_id })),
  }
}

/** Whether a contact belongs in a list with these filters (the server's rule, approximated). */
function belongsTo(params: ContactListParams, contact: Contact): boolean {
  if (params.category_id !== undefined && !contact.category_ids.includes(params.category_id)) return false
  if (!params.search) return true
  const needle = params.search.toLowerCase()
  return contact.name.toLowerCase().includes(needle) || contact.phone.includes(params.search)
}

/** Applies change to every cached contacts list, each with the params its key holds. */
function editContactLists(
  client: QueryClient,
  change: (page: Page<Contact>, params: ContactListParams) => Page<Contact>,
): void {
  for (const [queryKey, page] of client.getQueriesData<Page<Contact>>({ queryKey: contactKeys.lists() })) {
    const [, , params] = queryKey as ReturnType<typeof contactKeys.list>
    if (page) client.setQueryData(queryKey, change(page, params))
  }
}

/** A stand-in row until the server answers; a negative id marks it as not saved yet. */
function provisionalContact(input: NewContact): Contact {
  const now = new Date().toISOString()
  return { id: -Date.now(), ...input, last_interaction_at: null, created_at: now, updated_at: now }
}

// What each write refreshes is the events map's answer (api/events.ts) for the event the server will emit.
const createdTargets = (input: NewContact) =>
  targetsOf([{ name: 'contact.created', params: { category_ids: input.category_ids } }])
const deletedTargets = (contact: Contact) =>
  targetsOf([{ name: 'contact.deleted', params: { contact_id: [contact.id], category_ids: contact.category_ids } }])

/** Creates a contact, showing it in the stats, its categories' counts and the first page at once. */
export function useCreateContact() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: createContact,
    onMutate: async (input: NewContact) => {
      const snapshot = await cancelAndSnapshot(client, createdTargets(input))
      const contact = provisionalContact(input)
      adjustContactTotal(client, +1)
      adjustCategoryCounts(client, input.category_ids, +1)
      editContactLists(client, (page, params) => {
        if (!belongsTo(params, contact)) return page
        // Newest first is the server's order too, so the new contact leads the first page.
        const items = params.page === 1 ? [contact, ...page.items].slice(0, page.per_page) : page.items
        return { ...page, items, total: page.total + 1 }
      })
      return { snapshot }
    },
    onError: (_error, _input, context) => rollback(client, context?.snapshot),
    onSettled: (_contact, _error, input) => invalidateTargets(client, createdTargets(input)),
  })
}

/** Deletes a contact, taking it out of the stats, its categories' counts and the lists at once. */
export function useDeleteContact() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (contact: Contact) => deleteContact(contact.id),
    onMutate: async (contact: Contact) => {
      const snapshot = await cancelAndSnapshot(client, deletedTargets(contact))
      adjustContactTotal(client, -1)
      adjustCategoryCounts(client, contact.category_ids, -1)
      editContactLists(client, (page) => {
        const items = page.items.filter((item) => item.id !== contact.id)
        return items.length === page.items.length ? page : { ...page, items, total: page.total - 1 }
      })
      return { snapshot }
    },
    onError: (_error, _contact, context) => rollback(client, context?.snapshot),
    onSettled: (_data, _error, contact) => invalidateTargets(client, deletedTargets(contact)),
  })
}
