import { defineConfig } from 'vitest/config';

// The workspace page: Preact through Vite's own JSX transform (no plugin needed). `pnpm build`
// writes web/dist, which the emulator serves at `/`; `pnpm dev:web` serves the page with live
// reload and sends `/_emulator` to a running emulator (SLACK_EMULATOR_URL, default :3999).
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: { '/_emulator': process.env.SLACK_EMULATOR_URL ?? 'http://127.0.0.1:3999' },
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
