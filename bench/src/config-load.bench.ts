/**
 * Cost of our config path (YAML with node ranges, env interpolation, ajv allErrors/verbose, located issues)
 * against the bare minimum (yaml.parse + one precompiled ajv validator) on the demo-sized config.
 */
import { Ajv } from 'ajv';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { CONFIG_SCHEMA, parseConfig } from '@switchyard/core';
import { defineBenchmark } from '../harness.js';

const TEXT = `version: 1
plugins:
  - "@switchyard/plugin-onnx"
  - package: "@switchyard/plugin-cloud-llm"
    options:
      providers:
        - { id: openai, kind: openai, apiKeyEnv: OPENAI_API_KEY }
        - { id: local-vllm, kind: openai-compatible, baseURL: "\${env:VLLM_URL:-http://127.0.0.1:8000/v1}" }
models:
  dirs: [models, ../shared-models]
  overrides:
    whisper-tiny: { engine: onnx, target: local }
    paddleocr-v4: { engine: onnx, target: local, options: { intraOpThreads: 2 } }
engines:
  openai: { target: cloud }
  onnx: { target: local }
server:
  host: 127.0.0.1
  port: 8787
telemetry:
  logLevel: warn
`;

export default defineBenchmark({
  name: 'config-load',
  warmup: 50,
  iterations: 300,
  setup: async () => {
    const validate = new Ajv({ strict: false }).compile(CONFIG_SCHEMA);
    return { validate, ours: undefined as unknown, bare: undefined as unknown };
  },
  cases: {
    parseConfig: (state) => {
      state.ours = parseConfig('/app/switchyard.config.yaml', TEXT, { env: {} }).config;
    },
    yamlPlusAjv: (state) => {
      const value = parse(TEXT.replace('${env:VLLM_URL:-http://127.0.0.1:8000/v1}', 'http://127.0.0.1:8000/v1')) as unknown;
      if (!state.validate(value)) throw new Error('invalid');
      state.bare = value;
    },
  },
  baseline: 'yamlPlusAjv',
  report: async (state) => ({ sameConfig: isDeepStrictEqual(state.ours, state.bare) }),
});
