// Display helpers shared by the views.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An API timestamp in the operator's locale, or a dash. */
export function formatDateTime(value: string | null | undefined): string {
  return value ? dateTime.format(new Date(value)) : '—'
}

/** A share of a total as a whole percentage. */
export function percent(part: number, total: number): string {
  return total > 0 ? `${Math.round((part / total) * 100)}%` : '—'
}

/** A status as words: `no_interaction` reads "no interaction". */
export function statusLabel(status: string): string {
  return status.replaceAll('_', ' ')
}
