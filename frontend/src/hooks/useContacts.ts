import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { QueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import {
  categoryKeys,
  contactKeys,
  contactsQuery,
  createContact,
  deleteContact,
  exportContacts,
  statsKeys,
  targetsOf,
  updateContact,
  uploadContactsCsv,
} from '../api'
import type { Category, Contact, ContactListParams, ItemList, NewContact, Page, Stats, UploadProgress } from '../api'
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
    setOptedOut: (opted_out?: boolean) => setParams((current) => ({ ...current, page: 1, opted_out })),
  }
}

/** Whether the contact has opted out (a server without the field yet reads as not opted out). */
export const isOptedOut = (contact: Contact): boolean => Boolean(contact.opted_out_at)

/** Whether a contact belongs in a list with these filters (the server's rule, approximated). */
function belongsTo(params: ContactListParams, contact: Contact): boolean {
  if (params.category_id !== undefined && !contact.category_ids.includes(params.category_id)) return false
  if (params.opted_out !== undefined && params.opted_out !== isOptedOut(contact)) return false
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
  return { id: -Date.now(), ...input, last_interaction_at: null, opted_out_at: null, created_at: now, updated_at: now }
}

// What each write refreshes is the events map's answer (api/events.ts) for the event the server will emit.
const createdTargets = (input: NewContact) =>
  targetsOf([{ name: 'contact.created', params: { category_ids: input.category_ids } }])
const updatedTargets = (contact: Contact) =>
  targetsOf([{ name: 'contact.updated', params: { contact_id: [contact.id], category_ids: contact.category_ids } }])
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

/** Adds delta to the opted-out count of the cached stats, if any. */
function adjustOptedOut(client: QueryClient, delta: number): void {
  client.setQueryData<Stats>(statsKeys.all(), (stats) =>
    stats && { ...stats, contacts: { ...stats.contacts, opted_out: Math.max(0, stats.contacts.opted_out + delta) } },
  )
}

/**
 * Opts a contact out of (or back into) every campaign: its badge, the opted-out filter's lists and the
 * stats change at once; the server's refusal puts them back.
 */
export function useSetOptOut() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ contact, optedOut }: { contact: Contact; optedOut: boolean }) =>
      updateContact(contact.id, { opted_out: optedOut }),
    onMutate: async ({ contact, optedOut }) => {
      const snapshot = await cancelAndSnapshot(client, updatedTargets(contact))
      const changed: Contact = { ...contact, opted_out_at: optedOut ? new Date().toISOString() : null }
      const wasOut = isOptedOut(contact)
      if (wasOut !== optedOut) adjustOptedOut(client, optedOut ? +1 : -1)
      editContactLists(client, (page, params) => {
        const index = page.items.findIndex((item) => item.id === contact.id)
        if (index < 0) return page
        // Under the opted-out filter it leaves the page (the refetch fills the gap); elsewhere it changes in place.
        if (!belongsTo(params, changed)) return { ...page, items: page.items.filter((item) => item.id !== contact.id), total: page.total - 1 }
        return { ...page, items: page.items.map((item) => (item.id === contact.id ? changed : item)) }
      })
      return { snapshot }
    },
    onError: (_error, _input, context) => rollback(client, context?.snapshot),
    onSettled: (_data, _error, { contact }) => invalidateTargets(client, updatedTargets(contact)),
  })
}

/**
 * What an import refreshes: the events map's contacts.imported. Which categories the file fills (or creates)
 * only the server knows, so every category this tab has cached is named; the pushed event brings the exact set.
 */
function importedTargets(client: QueryClient) {
  const category_ids = client.getQueryData<ItemList<Category>>(categoryKeys.list())?.items.map((c) => c.id) ?? []
  return targetsOf([{ name: 'contacts.imported', params: { category_ids } }])
}

/**
 * Uploads a CSV of contacts with its progress. Nothing is shown before the server answers (the file's rows
 * are only known once validated there); then every view that an import moves refetches.
 */
export function useImportContacts() {
  const client = useQueryClient()
  const [progress, setProgress] = useState<UploadProgress | null>(null)
  const mutation = useMutation({
    mutationFn: (file: File) => uploadContactsCsv(file, { onProgress: setProgress }),
    onMutate: (file: File) => setProgress({ loaded: 0, total: file.size }),
    // Also after an error: a connection lost half-way may leave the chunks the server had committed.
    onSettled: () => invalidateTargets(client, importedTargets(client)),
  })
  return { ...mutation, progress }
}

/** Hands a file to the browser's downloads, under this name. */
function saveFile(blob: Blob, name: string): void {
  // A link cannot send the bearer token, so the file was fetched; the browser gets it as an object URL.
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked on the next turn: the click has started the download by then.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * Downloads the contacts (all, or one category's) as the CSV file the API exports. Not a mutation: it writes
 * nothing, and the live stream holds pushed refreshes back while a mutation of this tab is in flight.
 */
export function useExportContacts() {
  const [state, setState] = useState<{ pending: boolean; error: Error | null }>({ pending: false, error: null })
  async function run(categoryId?: number) {
    setState({ pending: true, error: null })
    try {
      const { blob, filename } = await exportContacts(categoryId)
      saveFile(blob, filename ?? (categoryId === undefined ? 'contacts.csv' : `contacts-category-${categoryId}.csv`))
      setState({ pending: false, error: null })
    } catch (error) {
      setState({ pending: false, error: error as Error })
    }
  }
  return { ...state, run }
}
