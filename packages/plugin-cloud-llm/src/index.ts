import { createCloudLlmPlugin } from './cloud-llm-plugin.js';

export { createCloudLlmPlugin, createCloudLlmEngine } from './cloud-llm-plugin.js';
export { CloudLlmEngine } from './cloud-llm-engine.js';
export { OpenAiChatEngine } from './cloud-llm-openai-engine.js';
export { AnthropicChatEngine } from './cloud-llm-anthropic-engine.js';
export { cloudLlmConfigSchema, cloudLlmModelOptionsSchema } from './cloud-llm-options.js';
export type { CloudLlmPluginOptions, CloudLlmProviderOptions, CloudLlmProviderKind, CloudLlmPrice } from './cloud-llm-options.js';
export { retryAfterMs, toCloudLlmError } from './cloud-llm-errors.js';
export { VERSION } from './cloud-llm-version.js';

export default createCloudLlmPlugin();
