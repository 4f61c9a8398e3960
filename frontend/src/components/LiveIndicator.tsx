import type { LiveState } from '../api'

const LABELS: Record<LiveState, { text: string; title: string }> = {
  live: { text: 'Live', title: 'Changes from every tab and the webhooks show here within a second.' },
  reconnecting: { text: 'Reconnecting…', title: 'The live stream is away; the views refresh on focus meanwhile.' },
  degraded: {
    text: 'Not live',
    title: 'Live updates are paused (Redis unavailable); the views refresh on focus and as they age.',
  },
}

/** The live stream's state, small, in the top bar. */
export function LiveIndicator({ state }: { state: LiveState }) {
  const { text, title } = LABELS[state]
  return (
    <span className={`live-indicator live-${state}`} data-testid="live-indicator" data-state={state} title={title}>
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  )
}
