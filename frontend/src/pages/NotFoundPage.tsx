import { Link } from 'react-router'

/** A URL the dashboard has no page for. */
export function NotFoundPage() {
  return (
    <section className="panel">
      <header className="panel-header">
        <h2>No such page</h2>
      </header>
      <div className="panel-body">
        <p>
          Nothing lives at this address. <Link to="/">Back to the overview</Link>
        </p>
      </div>
    </section>
  )
}
