import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-shared/**/*.test.ts', 'src-renderer/**/*.test.ts', 'test-support/**/*.test.ts', 'bench/**/*.test.mjs'],
    environment: 'node',
    // The data plane runs in a worker thread, which needs its entry bundled to JavaScript first.
    globalSetup: ['test-support/dataplane-global-setup.ts'],
    setupFiles: ['test-support/dataplane-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real sockets and processes: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
  },
});
