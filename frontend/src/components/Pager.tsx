interface PagerProps {
  label: string
  hasPrevious: boolean
  hasNext: boolean
  onPrevious: () => void
  onNext: () => void
}

/** Previous / next buttons around a "page x of y" label. */
export function Pager({ label, hasPrevious, hasNext, onPrevious, onNext }: PagerProps) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button-secondary" disabled={!hasPrevious} onClick={onPrevious}>
        ‹ Previous
      </button>
      <span className="pager-label">{label}</span>
      <button type="button" className="button-secondary" disabled={!hasNext} onClick={onNext}>
        Next ›
      </button>
    </nav>
  )
}
