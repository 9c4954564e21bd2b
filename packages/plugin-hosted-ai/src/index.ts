import { createHostedAiPlugin } from './hosted-ai-plugin.js';

export { createHostedAiPlugin, createHostedAiEngine } from './hosted-ai-plugin.js';
export { HostedAiEngine } from './hosted-ai-engine.js';
export { hostedAiConfigSchema, hostedAiModelOptionsSchema, allocationRequirements } from './hosted-ai-options.js';
export type { HostedAiPluginOptions, HostedAiPoolOptions, HostedAiRequirements } from './hosted-ai-options.js';
export { VERSION } from './hosted-ai-version.js';

export default createHostedAiPlugin();
