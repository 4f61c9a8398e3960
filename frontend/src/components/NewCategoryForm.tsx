import type { FormEvent } from 'react'
import { useCreateCategory } from '../hooks/useCategories'
import { ErrorMessage } from './ErrorMessage'

/** A one-line form to add a category. */
export function NewCategoryForm() {
  const create = useCreateCategory()

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
