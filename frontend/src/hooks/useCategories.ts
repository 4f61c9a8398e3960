import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { categoriesQuery, categoryKeys, categoryQuery, createCategory, targetsOf, updateCategory } from '../api'
import type { Category, CategoryPatch, ItemList } from '../api'
import { cancelAndSnapshot, invalidateTargets, rollback } from './optimistic'

/** What editing a category refreshes, as the events map (api/events.ts) says: the lists and that detail. */
const updatedTargets = (id: number) => targetsOf([{ name: 'category.updated', params: { category_id: [id] } }])

export function useCategories() {
  return useQuery(categoriesQuery())
}

/** One category, through its own detail query. */
export function useCategory(id: number) {
  return useQuery(categoryQuery(id))
}

const byName = (a: Category, b: Category) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })

/** Renames or redescribes a category, on screen at once, rolled back if the server refuses. */
export function useUpdateCategory() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: CategoryPatch }) => updateCategory(id, patch),
    onMutate: async ({ id, patch }) => {
      const snapshot = await cancelAndSnapshot(client, updatedTargets(id))
      const edit = (category: Category): Category => (category.id === id ? { ...category, ...patch } : category)
      // The server sorts the list by name, so a rename may move the row.
      client.setQueryData<ItemList<Category>>(
        categoryKeys.list(),
        (list) => list && { ...list, items: list.items.map(edit).sort(byName) },
      )
      client.setQueryData<Category>(categoryKeys.detail(id), (category) => category && edit(category))
      return { snapshot }
    },
    onError: (_error, _vars, context) => rollback(client, context?.snapshot),
    onSettled: (_category, _error, { id }) => invalidateTargets(client, updatedTargets(id)),
  })
}

/** Creates a category; only the list changes (a new category has no contacts yet). */
export function useCreateCategory() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: createCategory,
    onSettled: (category) =>
      invalidateTargets(client, targetsOf([{ name: 'category.created', params: { category_id: category ? [category.id] : [] } }])),
  })
}
