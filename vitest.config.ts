import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reference oracle and CLI tests start subprocesses; give them room on a busy machine.
    testTimeout: 30_000,
  },
});
