// The API module: query keys, the events' map of keys, fetchers, query options and the HTTP client. Import from here.
export * from './auth'
export * from './events'
export * from './fetchers'
export * from './http'
export * from './keys'
export * from './queries'
export * from './queryClient'
export type * from './types'
