import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

// Unit tests only: the browser test in e2e/ needs a running backend and is started by `npm run e2e`.
export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
    // Typing through user-event is slow on a loaded shared machine; 5 s (the default) timed out there.
    testTimeout: 15_000,
  },
})
