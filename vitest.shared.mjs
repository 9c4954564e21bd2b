// Shared vitest settings: resolve workspace packages to their TypeScript sources ("@switchyard/source" export condition)
// so tests never depend on a stale dist/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
    testTimeout: 30000,
    hookTimeout: 30000,
    pool: 'forks',
  },
});
