import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createMemoryRouter, RouterProvider } from 'react-router'
import { createQueryClient } from '../api'

/** Renders with a fresh QueryClient made with the app's own settings. */
export function renderWithClient(ui: ReactElement) {
  const client = createQueryClient()
  const result = render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>)
  return { client, ...result }
}

/** Renders `ui` as the page at `path` of an in-memory router (for its links and search params); `router` tells the address. */
export function renderAtRoute(ui: ReactElement, path = '/') {
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: [path] })
  return { router, ...renderWithClient(<RouterProvider router={router} />) }
}
