// `npm start`: serves the demo config with the real local models (PaddleOCR v4, Silero VAD) on 127.0.0.1.
// The root script builds the packages first; this file only wires the app to the server and prints how to call it.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSwitchyardApp, SwitchyardError } from '@switchyard/core';
import { closeOnSignals, createServerForApp } from '@switchyard/server';

const here = dirname(fileURLToPath(import.meta.url));
const CLOUD_KEY_ENV = 'OPENAI_API_KEY';
const CLOUD_PREFIX = 'openai:';

/** Answers the cloud route with a clear 503 until a key is set; everything else goes to the real orchestrator. */
function gateCloudRoute(orchestrator, env) {
  if (env[CLOUD_KEY_ENV]) return orchestrator;
  const disabled = (model) =>
    new SwitchyardError({
      code: 'ENGINE_UNAVAILABLE',
      message: `The cloud route '${model}' is disabled in this demo: set ${CLOUD_KEY_ENV} and restart \`npm start\` to enable it. Local models (paddleocr-v4, silero-vad) need no key.`,
      details: { engine: 'openai' },
    });
  return {
    run: (request, options) => (request.model.startsWith(CLOUD_PREFIX) ? Promise.reject(disabled(request.model)) : orchestrator.run(request, options)),
    stream: (request, options) =>
      request.model.startsWith(CLOUD_PREFIX)
        ? (async function* () {
            yield* [];
            throw disabled(request.model);
          })()
        : orchestrator.stream(request, options),
    openStreamSession: (model, options) => orchestrator.openStreamSession(model, options),
  };
}

function curlCommands(url, cwd) {
  const path = (file) => {
    const rel = relative(cwd, file);
    return rel.startsWith('..') ? file : rel;
  };
  const image = path(join(here, 'assets', 'receipt.png'));
  const wav = path(join(here, '..', '..', 'packages', 'model-silero-vad', 'test', 'speech-with-pauses.wav'));
  const sse = `curl -sN ${url}/v2/tasks -H 'content-type: application/json' -H 'accept: text/event-stream' --data-binary @-`;
  return [
    ['OCR (PaddleOCR v4) on the demo image, streamed as SSE', `{ printf '{"model_ref":"paddleocr-v4","inputs":{"image_base64":"'; base64 < ${image} | tr -d '\\n'; printf '"}}'; } | ${sse}`],
    ['Speech segments (Silero VAD) in the committed WAV', `{ printf '{"model_ref":"silero-vad","inputs":{"audio_wav_base64":"'; base64 < ${wav} | tr -d '\\n'; printf '"}}'; } | ${sse}`],
    ['Models on the OpenAI-compatible API', `curl -s ${url}/v1/models`],
    [
      `Cloud chat (disabled until ${CLOUD_KEY_ENV} is set)`,
      `curl -s ${url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"openai:gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}]}'`,
    ],
  ];
}

async function main() {
  const env = process.env;
  const app = await createSwitchyardApp({ configPath: join(here, 'switchyard.config.yaml') });
  const port = env.PORT !== undefined ? Number(env.PORT) : 8787;
  const server = await createServerForApp(app, {
    port,
    host: '127.0.0.1',
    orchestrator: gateCloudRoute(app.orchestrator, env),
    logger: env.SWITCHYARD_LOG ? { level: env.SWITCHYARD_LOG } : false,
  });
  const url = await server.listen();
  const lines = [
    '',
    `Switchyard demo serving at ${url}`,
    `  engines: ${app.engines.map((engine) => engine.id).join(', ')}   models: paddleocr-v4, silero-vad (local ONNX, no keys, no network)`,
    env[CLOUD_KEY_ENV] ? '  cloud route openai:gpt-4o-mini: enabled' : `  cloud route openai:gpt-4o-mini: disabled (set ${CLOUD_KEY_ENV} to enable)`,
    '',
    'Try (from this directory):',
  ];
  for (const [title, command] of curlCommands(url, process.cwd())) lines.push('', `# ${title}`, command);
  lines.push('', 'Also: /v2/meta/capabilities, /metrics, /healthz. Ctrl-C stops gracefully.', '');
  console.log(lines.join('\n'));
  closeOnSignals(server, (result) => {
    console.log(`stopped${result.canceled ? ` (${result.canceled} task(s) canceled)` : ''}`);
    process.exit(0);
  });
}

main().catch((error) => {
  const message = SwitchyardError.isInstance(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  console.error(`demo failed to start: ${message}`);
  process.exit(1);
});
