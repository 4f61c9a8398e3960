import type { ReactNode } from 'react'
import type { Action } from '../auth/can'
import { useCan } from '../hooks/useSession'

/** A page only some roles may use: the page for them, a short explanation for the others. */
export function Only({ action, children }: { action: Action; children: ReactNode }) {
  const can = useCan()
  if (can(action)) return <>{children}</>
  return (
    <section className="panel" data-testid="forbidden">
      <header className="panel-header">
        <h2>Not for your role</h2>
      </header>
      <div className="panel-body">
        <p>Your account's role does not allow this page. An admin can change your role on the Users page.</p>
      </div>
    </section>
  )
}
