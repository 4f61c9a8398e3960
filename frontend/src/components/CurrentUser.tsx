import type { Me } from '../api'
import { useLogout } from '../hooks/useSession'

/** Who is logged in, with which role, and the way out. */
export function CurrentUser({ me }: { me: Me }) {
  const logout = useLogout()
  return (
    <div className="current-user">
      <span data-testid="current-user" title={`Logged in as ${me.email} (${me.role})`}>
        {me.email} <span className={`badge badge-role badge-role-${me.role}`}>{me.role}</span>
      </span>
      <button
        type="button"
        className="button-secondary small"
        data-testid="logout"
        disabled={logout.isPending}
        onClick={() => logout.mutate()}
      >
        Log out
      </button>
    </div>
  )
}
