import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createMemoryRouter, RouterProvider } from 'react-router'
import { createQueryClient, meKeys, startSession } from '../api'
import { currentFakeSession } from './fakeApi'

interface RenderOptions {
  /**
   * Start as a page that already knows the fake API's session (its user in the cache, its CSRF token kept), as
   * the dashboard's shell does before any page shows; false starts with nothing known (the login's tests).
   */
  signedIn?: boolean
}

/** Renders with a fresh QueryClient made with the app's own settings. */
export function renderWithClient(ui: ReactElement, { signedIn = true }: RenderOptions = {}) {
  const client = createQueryClient()
  const session = signedIn ? currentFakeSession() : null
  if (session) {
    client.setQueryData(meKeys.all(), session)
    startSession(session.csrf_token)
  }
  const result = render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>)
  return { client, ...result }
}

/** Renders `ui` as the page at `path` of an in-memory router (for its links and search params); `router` tells the address. */
export function renderAtRoute(ui: ReactElement, path = '/', options: RenderOptions = {}) {
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: [path] })
  return { router, ...renderWithClient(<RouterProvider router={router} />, options) }
}
