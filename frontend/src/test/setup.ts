import { cleanup } from '@testing-library/react'
import { afterEach, expect } from 'vitest'
import { driftFromOpenApi } from './fakeApi'

// Each test starts with an empty page and session storage (the API token lives there).
afterEach(() => {
  cleanup()
  sessionStorage.clear()
})

// The fake API may only answer what the real one describes (src/api/openapi.json).
afterEach(() => {
  expect(driftFromOpenApi.splice(0), "fake API answers outside the OpenAPI description").toEqual([])
})
