import { cleanup } from '@testing-library/react'
import { afterEach, expect } from 'vitest'
import { resetSession } from '../api'
import { driftFromOpenApi } from './fakeApi'

// Each test starts with an empty page, no session's CSRF token kept, and empty session storage.
afterEach(() => {
  cleanup()
  resetSession()
  sessionStorage.clear()
})

// The fake API may only answer what the real one describes (src/api/openapi.json).
afterEach(() => {
  expect(driftFromOpenApi.splice(0), "fake API answers outside the OpenAPI description").toEqual([])
})
