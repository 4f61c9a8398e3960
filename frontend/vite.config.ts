import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'

// The Flask app serves chatbot/static at /static and GET / returns this build's index.html.
const outDir = fileURLToPath(new URL('../chatbot/static/dashboard', import.meta.url))

/** Keeps the build output out of git: emptyOutDir wipes the folder, so the ignore file is rewritten each build. */
function ignoreBuildOutput(): Plugin {
  return {
    name: 'ignore-build-output',
    apply: 'build',
    async closeBundle() {
      await writeFile(resolve(outDir, '.gitignore'), '# build output of frontend/ (npm run build)\n*\n')
    },
  }
}

export default defineConfig({
  base: '/static/dashboard/',
  plugins: [react(), ignoreBuildOutput()],
  build: {
    outDir,
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
})
