import { ContactForm } from '../components/ContactForm'
import { ContactsPanel } from '../components/ContactsPanel'
import { useStats } from '../hooks/useStats'

/** Totals for the page's header: how many contacts, how many of them opted out. */
function ContactTotals() {
  const contacts = useStats().data?.contacts
  if (!contacts) return null
  return (
    <p className="muted small page-note" data-testid="contacts-totals">
      <b>{contacts.total}</b> contacts, <b>{contacts.opted_out}</b> opted out (they receive no campaign message).
    </p>
  )
}

/** Every contact: search, filters by category and opt-out, opt-out and opt-in, CSV import and export, creation. */
export function ContactsPage() {
  return (
    <div className="page stack">
      <ContactTotals />
      <div className="grid grid-contacts">
        <ContactsPanel />
        <ContactForm />
      </div>
    </div>
  )
}
