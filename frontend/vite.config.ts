/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const backend = process.env.STEWARD_API ?? 'http://127.0.0.1:8080'

// https://vite.dev/config/
export default defineConfig({
  plugins: [react()],
  base: '/',
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: cache them apart.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
            // The charts (dashboard, usage) and the recharts/d3 they draw with.
            { name: 'charts', test: /node_modules[\\/](@mantine[\\/]charts|recharts|d3-[^\\/]+|victory-vendor)[\\/]/ },
            { name: 'mantine', test: /node_modules[\\/](@mantine|@floating-ui|@tabler)[\\/]/ },
            // The template editor's code editor: loaded only with the editor.
            { name: 'codemirror', test: /node_modules[\\/](@codemirror|@lezer|@marijn|crelt|style-mod|w3c-keyname)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    css: false,
    // The test files of a worker share its window and module cache instead of loading jsdom,
    // React, Mantine... again for each file (most of a short file's time). src/test/setup.ts
    // resets after every test what a test may leave behind.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: a single worker on the 2-core machines
    // this runs on (CI included). The main process mostly waits while tests run: use every core.
    maxWorkers: '100%',
    // jsdom with user-event typing is slow on a loaded 2-core machine (a Rust build beside two
    // workers leaves each a fraction of a core); a hung test still fails.
    testTimeout: 60_000,
    // Processed by Vitest (not loaded as is by Node) so that the recharts mock in src/test/setup.ts reaches the charts.
    server: { deps: { inline: ['@mantine/charts'] } },
  },
})
