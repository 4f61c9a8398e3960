import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createQueryClient } from '../api'

/** Renders with a fresh QueryClient made with the app's own settings. */
export function renderWithClient(ui: ReactElement) {
  const client = createQueryClient()
  const result = render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>)
  return { client, ...result }
}
