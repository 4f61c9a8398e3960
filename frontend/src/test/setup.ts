import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

// Each test starts with an empty page and session storage (the API token lives there).
afterEach(() => {
  cleanup()
  sessionStorage.clear()
})
