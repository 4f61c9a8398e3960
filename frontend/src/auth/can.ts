import type { Role } from '../api'

// Who may do what in the dashboard: the one place it is said; every page and panel asks `can()` (through
// hooks/useSession.ts `useCan`). It mirrors the server's rule (shared/CONTRACT.md "Operator accounts": a viewer
// reads only, an operator does everything but accounts and the audit, an admin everything), which still
// decides: hiding a control is a courtesy, the API answers 403 all the same.

export type Action =
  | 'contacts.write' // create, edit, opt out, delete contacts
  | 'contacts.import'
  | 'categories.write'
  | 'campaigns.write' // create, edit, delete drafts
  | 'campaigns.run' // launch, pause, resume
  | 'users.manage'
  | 'audit.read'

const EVERYONE_WHO_WRITES: readonly Role[] = ['admin', 'operator']
const ADMINS: readonly Role[] = ['admin']

export const RULES: Record<Action, readonly Role[]> = {
  'contacts.write': EVERYONE_WHO_WRITES,
  'contacts.import': EVERYONE_WHO_WRITES,
  'categories.write': EVERYONE_WHO_WRITES,
  'campaigns.write': EVERYONE_WHO_WRITES,
  'campaigns.run': EVERYONE_WHO_WRITES,
  'users.manage': ADMINS,
  'audit.read': ADMINS,
}

/** Whether this role may do this; no role (not known yet) may do nothing. */
export function can(role: Role | null | undefined, action: Action): boolean {
  return role != null && RULES[action].includes(role)
}
