import { useState } from 'react'
import { createBrowserRouter, createMemoryRouter, RouterProvider } from 'react-router'
import type { LiveStreamOptions } from './api'
import { appRoutes } from './router'

interface AppProps {
  live?: LiveStreamOptions
  /** Start at this URL in memory instead of the browser's address (tests). */
  path?: string
}

/** The dashboard: its pages under one router, inside the app's QueryClientProvider. */
export function App({ live, path }: AppProps = {}) {
  // One router for the app's lifetime: made once, never on a re-render.
  const [router] = useState(() =>
    path === undefined ? createBrowserRouter(appRoutes(live)) : createMemoryRouter(appRoutes(live), { initialEntries: [path] }),
  )
  return <RouterProvider router={router} />
}
