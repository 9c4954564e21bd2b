/**
 * CPU profile of the gateway's server process: `node --import tsx bench/profile-gateway.ts [calls]` forks a child
 * that hosts the fake upstream and `switchyard` (the gateway-tool-stream setup) under `--cpu-prof`, drives it with
 * the openai client from this process (tool-calling streams), then prints the child's top functions by self time
 * (idle excluded) and writes bench/results/profiles/gateway-server.txt. The raw .cpuprofile stays in a temp dir.
 * Note: on a loaded machine `writev` self time includes the time the server was descheduled when its write woke
 * the client; compare CPU time (bench results) rather than that line.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const benchDir = dirname(fileURLToPath(import.meta.url));
const calls = Number(process.argv[2] ?? 3000);
const profDir = mkdtempSync(join(tmpdir(), 'sy-gateway-prof-'));
const child = fork(join(benchDir, 'src', 'gateway-stream-server.ts'), [], { execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${profDir}`] });
const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', resolve as (message: unknown) => void));
const client = new OpenAI({ apiKey: 'no-key', baseURL: `${url}/v1`, maxRetries: 0 });
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const start = performance.now();
for (let i = 0; i < calls; i++) {
  const stream = await client.chat.completions.create({ model: 'upstream:bench-model', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) void chunk;
}
console.log(`${calls} tool-calling streams, ${((performance.now() - start) / calls).toFixed(3)} ms each (server under the profiler)`);
child.send('close');
await new Promise((resolve) => child.once('exit', resolve));

const file = readdirSync(profDir).map((name) => join(profDir, name)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] };
const counts = new Map<number, number>();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const byFunction = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const { functionName, url: source, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  const n = counts.get(node.id) ?? 0;
  busy += n;
  const where = source.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/packages\//, '');
  const key = `${functionName || '(anonymous)'}  ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + n);
}
const lines = [`gateway server process: top self time over ${busy} busy samples (${calls} streams)`, 'self %  function'];
for (const [key, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`${((n / busy) * 100).toFixed(1).padStart(6)}  ${key}`);
console.log(lines.join('\n'));
writeFileSync(join(benchDir, 'results', 'profiles', 'gateway-server.txt'), lines.join('\n') + '\n');
console.log(`raw profile: ${file}`);
