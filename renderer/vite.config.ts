// Builds the lab bench into dist/renderer/. `base: './'` keeps every asset URL relative, so the
// Electron shell can load index.html from its app:// origin and the web host can serve it from any
// path. Paths are relative to the package folder, where `npm run build:renderer` runs.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte()],
  build: {
    // Relative to root: <package>/dist/renderer.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  worker: { format: 'es' },
});
