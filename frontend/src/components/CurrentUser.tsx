import type { Me } from '../api'
import { useLogout } from '../hooks/useSession'

/**
 * Who is logged in, with which role, and the way out. No account (the open development API, which lets anyone in
 * as an admin until the first user exists): said so, and no logout.
 */
export function CurrentUser({ me }: { me: Me }) {
  const logout = useLogout()
  const who = me.email ?? 'no account (open development API)'
  return (
    <div className="current-user">
      <span data-testid="current-user" title={`${who} (${me.role})`}>
        {who} <span className={`badge badge-role badge-role-${me.role}`}>{me.role}</span>
      </span>
      {me.id !== null && <button
        type="button"
        className="button-secondary small"
        data-testid="logout"
        disabled={logout.isPending}
        onClick={() => logout.mutate()}
      >
        Log out
      </button>}
    </div>
  )
}
