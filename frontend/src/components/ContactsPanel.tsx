import type { FormEvent } from 'react'
import type { Category, Contact } from '../api'
import { formatDateTime } from '../format'
import { useCategories } from '../hooks/useCategories'
import { isOptedOut, useContactList, useDeleteContact, useSetOptOut } from '../hooks/useContacts'
import { useCan } from '../hooks/useSession'
import { ErrorMessage } from './ErrorMessage'
import { ExportButton } from './ExportButton'
import { ImportButton } from './ImportDialog'
import { Pager } from './Pager'
import { Panel } from './Panel'

type ContactList = ReturnType<typeof useContactList>

function Filters({ list, categories }: { list: ContactList; categories: Category[] }) {
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    list.setSearch(String(new FormData(event.currentTarget).get('search') ?? '').trim())
  }
  return (
    <div className="filters">
      <form onSubmit={search} role="search">
        <input name="search" type="search" placeholder="Search name or phone" aria-label="Search contacts" />
      </form>
      <select
        aria-label="Filter by category"
        value={list.params.category_id ?? ''}
        onChange={(event) => list.setCategory(event.target.value ? Number(event.target.value) : undefined)}
      >
        <option value="">All categories</option>
        {categories.map((category) => (
          <option key={category.id} value={category.id}>
            {category.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Filter by opt-out"
        data-testid="opt-out-filter"
        value={list.params.opted_out === undefined ? '' : String(list.params.opted_out)}
        onChange={(event) => list.setOptedOut(event.target.value === '' ? undefined : event.target.value === 'true')}
      >
        <option value="">All contacts</option>
        <option value="false">Not opted out</option>
        <option value="true">Opted out only</option>
      </select>
    </div>
  )
}

/** Who has opted out, since when; a reader of the row sees it without the filter. */
function OptedOutBadge({ contact }: { contact: Contact }) {
  if (!contact.opted_out_at) return null
  return (
    <span className="badge badge-opted-out" data-testid="opted-out-badge" title={`Opted out ${formatDateTime(contact.opted_out_at)}: no campaign message is sent to them`}>
      opted out
    </span>
  )
}

interface RowProps {
  contact: Contact
  names: Map<number, string>
  onDelete: () => void
  onOptOut: (optedOut: boolean) => void
  /** Whether the row shows its opt-out and delete buttons (not for a viewer). */
  canWrite: boolean
}

function ContactRow({ contact, names, onDelete, onOptOut, canWrite }: RowProps) {
  const saving = contact.id < 0
  const optedOut = isOptedOut(contact)
  return (
    <tr data-testid="contact-row" data-contact-id={contact.id} data-opted-out={optedOut} className={saving ? 'is-provisional' : undefined}>
      <td>
        {contact.name}
        <OptedOutBadge contact={contact} />
      </td>
      <td className="mono">{contact.phone}</td>
      <td>
        {contact.category_ids.map((id) => (
          <span key={id} className="chip">
            {names.get(id) ?? `#${id}`}
          </span>
        ))}
      </td>
      <td className="muted small">{saving ? 'saving…' : formatDateTime(contact.created_at)}</td>
      <td className="num nowrap">
        {canWrite && (
          <>
            <button
          type="button"
          className="button-secondary small"
          data-testid="opt-out-toggle"
          disabled={saving}
          title={optedOut ? 'Send them campaign messages again' : 'Send them no more campaign messages'}
          onClick={() => onOptOut(!optedOut)}
        >
          {optedOut ? 'Opt in' : 'Opt out'}
        </button>{' '}
        <button type="button" className="button-danger small" disabled={saving} onClick={onDelete}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  )
}

/** The contacts, a page at a time, filtered by search and category. */
export function ContactsPanel() {
  const list = useContactList()
  const categories = useCategories().data?.items ?? []
  const names = new Map(categories.map((category) => [category.id, category.name]))
  const remove = useDeleteContact()
  const optOut = useSetOptOut()
  const can = useCan()

  const confirmDelete = (contact: Contact) => {
    if (window.confirm(`Delete ${contact.name}? Their messages and interactions go too.`)) remove.mutate(contact)
  }

  return (
    <Panel
      title="Contacts"
      query={list.query}
      actions={
        <>
          <ImportButton />
          <ExportButton categoryId={list.params.category_id} />
        </>
      }
    >
      {(page) => {
        const pages = Math.max(1, Math.ceil(page.total / page.per_page))
        return (
          <>
            <Filters list={list} categories={categories} />
            {remove.isError && <ErrorMessage error={remove.error} compact />}
            {optOut.isError && <ErrorMessage error={optOut.error} compact />}
            {page.items.length === 0 ? (
              <p className="empty">No contacts match.</p>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Phone</th>
                    <th>Categories</th>
                    <th>Created</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((contact) => (
                    <ContactRow
                      key={contact.id}
                      contact={contact}
                      names={names}
                      onDelete={() => confirmDelete(contact)}
                      onOptOut={(optedOut) => optOut.mutate({ contact, optedOut })}
                      canWrite={can('contacts.write')}
                    />
                  ))}
                </tbody>
              </table>
            )}
            <Pager
              label={`Page ${page.page} of ${pages} · ${page.total} contacts`}
              hasPrevious={list.params.page > 1}
              hasNext={list.params.page < pages}
              onPrevious={() => list.setPage(list.params.page - 1)}
              onNext={() => list.setPage(list.params.page + 1)}
            />
          </>
        )
      }}
    </Panel>
  )
}
