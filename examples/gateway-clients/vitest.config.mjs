import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.mjs';

// The AI SDK and its eventsource-parser are inlined so vite transforms them like the workspace's own sources.
export default mergeConfig(shared, defineConfig({ test: { include: ['*.test.ts'], server: { deps: { inline: ['eventsource-parser', /@ai-sdk\//, 'ai'] } } } }));
