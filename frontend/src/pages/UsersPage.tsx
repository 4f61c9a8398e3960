import type { FormEvent } from 'react'
import type { Role, User } from '../api'
import { AuditLog } from '../components/AuditLog'
import { ErrorMessage } from '../components/ErrorMessage'
import { FieldError } from '../components/FieldError'
import { Panel } from '../components/Panel'
import { formatDateTime } from '../format'
import { useCurrentUser } from '../hooks/useSession'
import { useCreateUser, useUpdateUser, useUsers } from '../hooks/useUsers'

export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer']
/** The server's minimum (shared/CONTRACT.md); said here so the browser can tell before sending. */
const MIN_PASSWORD_LENGTH = 12

function NewUserForm() {
  const create = useCreateUser()

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const user = {
      email: String(data.get('email') ?? '').trim(),
      password: String(data.get('password') ?? ''),
      role: String(data.get('role')) as Role,
    }
    create.mutate(user, { onSuccess: () => form.reset() })
  }

  return (
    <form className="row user-form" data-testid="user-form" onSubmit={submit}>
      <label>
        Email
        <input name="email" type="email" autoComplete="off" required />
        <FieldError error={create.error} field="email" />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} />
        <FieldError error={create.error} field="password" />
      </label>
      <label>
        Role
        <select name="role" defaultValue="operator">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create account'}
      </button>
      {create.isError && <ErrorMessage error={create.error} compact />}
    </form>
  )
}

function UserRow({ user, isMe }: { user: User; isMe: boolean }) {
  const update = useUpdateUser()
  return (
    <tr data-testid="user-row" data-user-id={user.id} className={user.active ? undefined : 'is-inactive'}>
      <td>
        {user.email}
        {isMe && <span className="muted small"> (you)</span>}
        {update.isError && <ErrorMessage error={update.error} compact />}
      </td>
      <td>
        <select
          aria-label={`Role of ${user.email}`}
          data-testid="user-role"
          value={user.role}
          disabled={update.isPending}
          onChange={(event) => update.mutate({ id: user.id, patch: { role: event.target.value as Role } })}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </td>
      <td>{user.active ? 'active' : <span className="badge badge-failed">deactivated</span>}</td>
      <td className="muted small">{formatDateTime(user.created_at)}</td>
      <td className="muted small">{user.last_login_at ? formatDateTime(user.last_login_at) : 'never'}</td>
      <td className="num">
        <button
          type="button"
          className={user.active ? 'button-danger small' : 'button-secondary small'}
          data-testid="user-active-toggle"
          disabled={update.isPending}
          onClick={() => update.mutate({ id: user.id, patch: { active: !user.active } })}
        >
          {user.active ? 'Deactivate' : 'Reactivate'}
        </button>
      </td>
    </tr>
  )
}

/** `/users` (admins): the accounts, a form for a new one, each one's role and whether it may log in; the audit log. */
export function UsersPage() {
  const me = useCurrentUser().data
  return (
    <div className="page stack">
      <Panel title="Users" query={useUsers()} className="panel-wide">
        {({ items }) => (
          <>
            <NewUserForm />
            <table className="table">
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th>Created</th>
                  <th>Last login</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((user) => (
                  <UserRow key={user.id} user={user} isMe={user.id === me?.id} />
                ))}
              </tbody>
            </table>
          </>
        )}
      </Panel>
      <AuditLog />
    </div>
  )
}
