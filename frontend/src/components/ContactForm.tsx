import type { FormEvent } from 'react'
import { ApiError } from '../api'
import { useCategories } from '../hooks/useCategories'
import { useCreateContact } from '../hooks/useContacts'
import { useCan } from '../hooks/useSession'
import { ErrorMessage } from './ErrorMessage'

/** The server's messages for one field of a failed creation, if any. */
function FieldError({ error, field }: { error: Error | null; field: string }) {
  const messages = error instanceof ApiError ? error.details[field] : undefined
  if (!messages) return null
  return <span className="field-error">{([] as unknown[]).concat(messages).join(' ')}</span>
}

/** Contact creation; the new contact shows in the stats and counts before the server answers. Not for a viewer. */
export function ContactForm() {
  const categories = useCategories()
  const create = useCreateContact()
  const can = useCan()

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const input = {
      phone: String(data.get('phone') ?? '').trim(),
      name: String(data.get('name') ?? '').trim(),
      category_ids: data.getAll('category_ids').map(Number),
    }
    // Cleared only on success, so a refused contact can be corrected rather than retyped.
    create.mutate(input, { onSuccess: () => form.reset() })
  }

  if (!can('contacts.write')) return null
  return (
    <section className="panel panel-form">
      <header className="panel-header">
        <h2>New contact</h2>
      </header>
      <form className="stack" data-testid="contact-form" onSubmit={submit} noValidate>
        <label>
          Phone
          <input name="phone" type="tel" placeholder="+14155550123" autoComplete="off" required />
          <FieldError error={create.error} field="phone" />
        </label>
        <label>
          Name
          <input name="name" placeholder="Ada Lovelace" autoComplete="off" required maxLength={200} />
          <FieldError error={create.error} field="name" />
        </label>
        <fieldset className="checks">
          <legend>Categories</legend>
          {categories.data?.items.map((category) => (
            <label key={category.id} className="check">
              <input type="checkbox" name="category_ids" value={category.id} />
              {category.name}
            </label>
          ))}
          {categories.data?.items.length === 0 && <span className="muted small">No categories yet.</span>}
          {categories.isPending && <span className="muted small">Loading…</span>}
          <FieldError error={create.error} field="category_ids" />
        </fieldset>
        <div className="row">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Add contact'}
          </button>
        </div>
        {create.isError && <ErrorMessage error={create.error} />}
      </form>
    </section>
  )
}
