import type { FormEvent } from 'react'
import { useCreateCategory } from '../hooks/useCategories'
import { useCan } from '../hooks/useSession'
import { ErrorMessage } from './ErrorMessage'

/** A one-line form to add a category, for those who may. */
export function NewCategoryForm() {
  const create = useCreateCategory()
  const can = useCan()

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const description = String(data.get('description') ?? '').trim()
    create.mutate(
      { name: String(data.get('name') ?? '').trim(), ...(description && { description }) },
      { onSuccess: () => form.reset() },
    )
  }

  if (!can('categories.write')) return null
  return (
    <form className="inline-form" data-testid="category-form" onSubmit={submit}>
      <input name="name" placeholder="New category" aria-label="Category name" required maxLength={100} />
      <input name="description" placeholder="Description (optional)" aria-label="Description" maxLength={500} />
      <button type="submit" disabled={create.isPending}>
        Add
      </button>
      {create.isError && <ErrorMessage error={create.error} compact />}
    </form>
  )
}
