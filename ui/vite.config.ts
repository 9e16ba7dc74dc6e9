import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));

// The console is built into dist/ui and served by Herald at `/` (same origin as the API).
// Relative asset paths plus hash routes let it work wherever it is mounted.
export default defineConfig({
  root: uiRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development: forward API calls to a local Herald.
    proxy: { '/v1': process.env.HERALD_URL ?? 'http://127.0.0.1:8080' },
  },
});
