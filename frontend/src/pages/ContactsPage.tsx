// Placeholder: the contacts page (import, export, opt-outs) is built on another branch; this file is replaced there.
export function ContactsPage() {
  return (
    <section className="panel">
      <header className="panel-header">
        <h2>Contacts</h2>
      </header>
      <div className="panel-body">
        <p className="empty">The contacts page is on its way.</p>
      </div>
    </section>
  )
}
