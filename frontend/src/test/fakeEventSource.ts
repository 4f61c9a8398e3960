import type { EventSourceLike } from '../api'

// A stand-in for the browser's EventSource: the test plays the server's frames (`emit`) and drops the
// connection (`fail`); every stream opened is kept in `opened`, in order.

export class FakeEventSource implements EventSourceLike {
  readonly url: string
  closed = false
  onerror: ((event: Event) => void) | null = null
  private readonly listeners = new Map<string, Array<(event: MessageEvent<string>) => void>>()

  constructor(url: string) {
    this.url = url
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  close(): void {
    this.closed = true
  }

  /** The server sends one frame: `event: type`, `data: JSON`, and `id:` when given. */
  emit(type: string, data: unknown = {}, id?: string): void {
    const event = new MessageEvent<string>(type, { data: JSON.stringify(data), lastEventId: id ?? '' })
    this.listeners.get(type)?.forEach((listener) => listener(event))
  }

  /** The connection drops (or the server refuses the ticket), as EventSource reports it: an `error`. */
  fail(): void {
    this.onerror?.(new Event('error'))
  }

  /** The query string of the URL it was opened with. */
  get query(): URLSearchParams {
    return new URL(this.url, 'http://dashboard.test').searchParams
  }
}

/** An `open` for LiveStream that records every stream; `latest()` is the one opened last. */
export function fakeEventSources() {
  const opened: FakeEventSource[] = []
  return {
    opened,
    open: (url: string) => {
      const source = new FakeEventSource(url)
      opened.push(source)
      return source
    },
    latest: (): FakeEventSource => {
      const source = opened.at(-1)
      if (!source) throw new Error('no stream opened yet')
      return source
    },
  }
}
