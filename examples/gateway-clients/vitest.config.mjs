import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.mjs';

// eventsource-parser (used by the AI SDK) also exports a "source" condition pointing at .ts files; let vite
// transform it instead of Node loading it raw under the workspace's "source" condition.
export default mergeConfig(shared, defineConfig({ test: { include: ['*.test.ts'], server: { deps: { inline: ['eventsource-parser', /@ai-sdk\//, 'ai'] } } } }));
