// Builds the console's front end into dist/console/ui: hashed file names under assets/, no inline scripts or
// styles (the CSP forbids them), nothing fetched from elsewhere at run time.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/_sklad/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No data: URLs for assets and no module-preload polyfill: both would need inline content.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
  },
});
