import type { QueryClient, QueryFilters, QueryKey } from '@tanstack/react-query'
import { categoryKeys, statsKeys } from '../api'
import type { Category, ItemList, Stats } from '../api'

// The optimistic-update recipe shared by every write: the same list of filters (the targets the
// events map, api/events.ts, gives for the write's event) is cancelled, snapshotted, rolled back
// and finally invalidated, so a write can never refetch more, or less, than what it touched.

/** Every cached query matched by the targets, with the data it held before the write. */
export type Snapshot = ReadonlyArray<readonly [QueryKey, unknown]>

/** Stops in-flight reads of the targets (their answer would overwrite our update) and records their data. */
export async function cancelAndSnapshot(client: QueryClient, targets: QueryFilters[]): Promise<Snapshot> {
  await Promise.all(targets.map((filters) => client.cancelQueries(filters)))
  return targets.flatMap((filters) => client.getQueriesData(filters))
}

/** Puts back the data recorded by cancelAndSnapshot, under the very keys it was cached with. */
export function rollback(client: QueryClient, snapshot: Snapshot | undefined): void {
  snapshot?.forEach(([queryKey, data]) => client.setQueryData(queryKey, data))
}

/** Marks the targets stale and refetches those on screen; resolves when they are back. */
export async function invalidateTargets(client: QueryClient, targets: QueryFilters[]): Promise<void> {
  await Promise.all(targets.map((filters) => client.invalidateQueries(filters)))
}

/** Adds delta to the contacts total of the cached stats, if any. */
export function adjustContactTotal(client: QueryClient, delta: number): void {
  client.setQueryData<Stats>(statsKeys.all(), (stats) =>
    stats && { ...stats, contacts: { ...stats.contacts, total: stats.contacts.total + delta } },
  )
}

/** Adds delta to contact_count of these categories, in the list and in their cached details. */
export function adjustCategoryCounts(client: QueryClient, categoryIds: number[], delta: number): void {
  const ids = new Set(categoryIds)
  const bump = (category: Category): Category =>
    ids.has(category.id) ? { ...category, contact_count: Math.max(0, category.contact_count + delta) } : category

  client.setQueryData<ItemList<Category>>(categoryKeys.list(), (list) => list && { ...list, items: list.items.map(bump) })
  ids.forEach((id) => client.setQueryData<Category>(categoryKeys.detail(id), (category) => category && bump(category)))
}
