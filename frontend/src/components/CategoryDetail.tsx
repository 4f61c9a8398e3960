import type { FormEvent } from 'react'
import type { Category } from '../api'
import { formatDateTime } from '../format'
import { useCategory, useUpdateCategory } from '../hooks/useCategories'
import { useCan } from '../hooks/useSession'
import { ErrorMessage } from './ErrorMessage'

function EditCategoryForm({ category }: { category: Category }) {
  const update = useUpdateCategory()

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const patch = { name: String(data.get('name') ?? '').trim(), description: String(data.get('description') ?? '') }
    update.mutate({ id: category.id, patch })
  }

  // Keyed by the saved values so the fields show the server's text again after a save or a rollback.
  return (
    <form className="stack" data-testid="category-edit-form" onSubmit={submit} key={`${category.name}|${category.description}`}>
      <label>
        Name
        <input name="name" defaultValue={category.name} required maxLength={100} />
      </label>
      <label>
        Description
        <textarea name="description" defaultValue={category.description ?? ''} maxLength={500} rows={2} />
      </label>
      <div className="row">
        <button type="submit" disabled={update.isPending}>
          Save
        </button>
        {update.isError && <ErrorMessage error={update.error} compact />}
      </div>
    </form>
  )
}

/** The selected category, read through its own detail query, with its edit form. */
export function CategoryDetail({ id, onClose }: { id: number; onClose: () => void }) {
  const { data: category, error, isPending } = useCategory(id)
  const can = useCan()
  return (
    <div className="detail" data-testid="category-detail">
      <div className="detail-header">
        <h3>{category?.name ?? 'Category'}</h3>
        <button type="button" className="button-secondary small" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {category ? (
        <>
          <p className="muted small">
            {category.contact_count} contacts · created {formatDateTime(category.created_at)} · updated{' '}
            {formatDateTime(category.updated_at)}
          </p>
          {can('categories.write') && <EditCategoryForm category={category} />}
        </>
      ) : error ? (
        <ErrorMessage error={error} />
      ) : (
        isPending && <div className="loading">Loading…</div>
      )}
    </div>
  )
}
