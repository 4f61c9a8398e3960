import { useState } from 'react'
import type { FormEvent } from 'react'
import type { Campaign, NewCampaign } from '../api'
import { useCategories } from '../hooks/useCategories'
import { AudienceCount } from './AudienceCount'
import { ErrorMessage } from './ErrorMessage'
import { FieldError } from './FieldError'

type FirstKind = 'text' | 'template'

interface CampaignFormProps {
  /** The draft being edited, or nothing for a new one. */
  campaign?: Campaign
  saving: boolean
  error: Error | null
  onSave: (body: NewCampaign) => void
}

/** What the form holds, from a draft or empty. */
function initialValues(campaign?: Campaign) {
  const first = campaign?.first_message ?? {}
  return {
    categoryIds: campaign?.category_ids ?? [],
    kind: (first.template ? 'template' : 'text') as FirstKind,
  }
}

/** Name, categories (with the live audience), first message as text or template, second message. */
export function CampaignForm({ campaign, saving, error, onSave }: CampaignFormProps) {
  const categories = useCategories()
  const initial = initialValues(campaign)
  const [categoryIds, setCategoryIds] = useState<number[]>(initial.categoryIds)
  const [kind, setKind] = useState<FirstKind>(initial.kind)

  const toggle = (id: number, on: boolean) =>
    setCategoryIds((ids) => (on ? [...ids.filter((other) => other !== id), id] : ids.filter((other) => other !== id)))

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const field = (name: string) => String(data.get(name) ?? '').trim()
    onSave({
      name: field('name'),
      category_ids: [...categoryIds].sort((a, b) => a - b),
      first_message: kind === 'text' ? { text: field('first_text') } : { template: field('template'), language: field('language') },
      second_message: { text: field('second_text') },
    })
  }

  return (
    <form className="stack composer" data-testid="campaign-form" onSubmit={submit} noValidate>
      <label>
        Name
        <input name="name" defaultValue={campaign?.name} placeholder="Spring offer" autoComplete="off" maxLength={200} />
        <FieldError error={error} field="name" />
      </label>
      <fieldset className="checks">
        <legend>Categories</legend>
        {categories.data?.items.map((category) => (
          <label key={category.id} className="check">
            <input
              type="checkbox"
              name="category_ids"
              value={category.id}
              checked={categoryIds.includes(category.id)}
              onChange={(event) => toggle(category.id, event.target.checked)}
            />
            {category.name} <span className="muted small">({category.contact_count})</span>
          </label>
        ))}
        {categories.data?.items.length === 0 && <span className="muted small">No categories yet.</span>}
        {categories.isPending && <span className="muted small">Loading…</span>}
        <FieldError error={error} field="category_ids" />
      </fieldset>
      <AudienceCount categoryIds={categoryIds} />
      <fieldset className="first-message">
        <legend>First message</legend>
        <div className="segmented" role="group" aria-label="First message kind">
          {(['text', 'template'] as const).map((option) => (
            <button
              key={option}
              type="button"
              className={option === kind ? 'is-active' : undefined}
              aria-pressed={option === kind}
              onClick={() => setKind(option)}
            >
              {option === 'text' ? 'Text' : 'Template'}
            </button>
          ))}
        </div>
        {kind === 'text' ? (
          <label>
            Text
            <textarea name="first_text" rows={3} defaultValue={campaign?.first_message.text} />
          </label>
        ) : (
          <div className="row">
            <label>
              Template name
              <input name="template" defaultValue={campaign?.first_message.template} placeholder="spring_offer" />
            </label>
            <label>
              Language
              <input name="language" defaultValue={campaign?.first_message.language ?? 'en'} placeholder="en_US" />
            </label>
          </div>
        )}
        <FieldError error={error} field="first_message" />
      </fieldset>
      <label>
        Second message (sent once a contact answers)
        <textarea name="second_text" rows={3} defaultValue={campaign?.second_message.text} />
        <FieldError error={error} field="second_message" />
      </label>
      <div className="row">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save draft'}
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
    </form>
  )
}
