import { ApiError } from '../api'

/** Every message under a field of a 422's `details`, nested ones too (`first_message: {text: [...]}`). */
export function messagesOf(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.flatMap(messagesOf)
  if (typeof value === 'object') return Object.values(value).flatMap(messagesOf)
  return [String(value)]
}

/** The server's messages for one field of a failed write, next to that field. */
export function FieldError({ error, field }: { error: Error | null; field: string }) {
  const messages = error instanceof ApiError ? messagesOf(error.details[field]) : []
  if (messages.length === 0) return null
  return (
    <span className="field-error" data-field-error={field}>
      {messages.join(' ')}
    </span>
  )
}
