import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { auditQuery, createUser, updateUser, userKeys, usersQuery } from '../api'
import type { AuditParams, UserPatch } from '../api'

// Accounts are an admin's page and change rarely: no optimistic update, the list is asked again after each
// write (a refused write, say a duplicate email, shows its message and changes nothing).

export function useUsers() {
  return useQuery(usersQuery())
}

export function useCreateUser() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: createUser,
    onSettled: () => client.invalidateQueries({ queryKey: userKeys.lists() }),
  })
}

/** Changes a role, deactivates or reactivates an account. */
export function useUpdateUser() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: UserPatch }) => updateUser(id, patch),
    onSettled: () => client.invalidateQueries({ queryKey: userKeys.lists() }),
  })
}

export function useAudit(params: AuditParams) {
  return useInfiniteQuery(auditQuery(params))
}
