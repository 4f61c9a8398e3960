import { useQueryClient } from '@tanstack/react-query'
import { createContext, useContext, useEffect, useRef, useState } from 'react'
import { LiveStream } from '../api'
import type { LiveState, LiveStreamOptions } from '../api'

/** The live stream's state for the views below the dashboard (the cache metrics poll unless it is live). */
export const LiveStateContext = createContext<LiveState>('degraded')

export const useLiveState = () => useContext(LiveStateContext)

/**
 * Opens the dashboard's one live stream while the component is mounted, feeding the QueryClient, and returns
 * its state. Where there is no EventSource (tests without a fake) nothing is pushed: `degraded`, the queries
 * refetch as they always did. `options` is read once (tests pass a fake EventSource and ticket).
 */
export function useLiveStream(options?: LiveStreamOptions): LiveState {
  const client = useQueryClient()
  const optionsRef = useRef(options)
  const canOpen = Boolean(options?.open) || typeof EventSource !== 'undefined'
  const [state, setState] = useState<LiveState>(canOpen ? 'reconnecting' : 'degraded')
  useEffect(() => {
    if (!canOpen) return
    // Made here, not at render: StrictMode's second effect run gets a stream of its own.
    const stream = new LiveStream(client, optionsRef.current)
    const unsubscribe = stream.subscribe(() => setState(stream.getState()))
    stream.start()
    return () => {
      unsubscribe()
      stream.stop()
    }
  }, [client, canOpen])
  return state
}
