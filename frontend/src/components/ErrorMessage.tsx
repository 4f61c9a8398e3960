import { ApiError } from '../api'

/** Messages of one field of a 422 `details`, whatever nesting the server used. */
function flatten(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(flatten)
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => flatten(inner).map((text) => `${key}: ${text}`))
  }
  return value === undefined || value === null ? [] : [String(value)]
}

/** The server's message, and for a validation error each field with its messages. */
export function ErrorMessage({ error, compact = false }: { error: Error; compact?: boolean }) {
  const details = error instanceof ApiError ? Object.entries(error.details) : []
  return (
    <div className={`error ${compact ? 'error-compact' : ''}`} role="alert">
      <strong>{error.message}</strong>
      {details.length > 0 && (
        <ul className="error-details">
          {details.map(([field, messages]) => (
            <li key={field}>
              <code>{field}</code> {flatten(messages).join(' ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
