// Placeholder: the answers inbox is built on another branch (issue #15 point 6); this file is replaced there.
export function AnswersPage() {
  return (
    <section className="panel">
      <header className="panel-header">
        <h2>Answers</h2>
      </header>
      <div className="panel-body">
        <p className="empty">The answers inbox is on its way.</p>
      </div>
    </section>
  )
}
