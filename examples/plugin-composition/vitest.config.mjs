import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.mjs';

// The third-party plugin is loaded from its built dist (as an app would); inline it so its `@switchyard/spec`
// import resolves through vite like the rest of the workspace (Node alone cannot load spec's "source" .ts entry).
export default mergeConfig(
  shared,
  defineConfig({ test: { include: ['*.test.ts'], server: { deps: { inline: [/example-third-party-plugin/] } } } }),
);
