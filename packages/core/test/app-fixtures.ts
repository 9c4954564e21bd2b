// Test helper: writes a config and plugin modules into a temp directory (plugins are plain ESM, no imports).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ECHO_PLUGIN_SOURCE = `
export default {
  name: 'echo',
  version: '1.2.3',
  core: '^0.1.0',
  configSchema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string', default: 'hi' } } },
  register(ctx) {
    ctx.registerEngine({
      specificationVersion: 'v1',
      id: 'echo',
      capabilities: { workloads: ['completion'], targets: ['local'], features: ['streaming'] },
      async doLoad() {},
      async doRun() { return { output: { kind: 'text', text: ctx.options.greeting } }; },
      async *doStream() {},
      async doUnload() {},
      async health() { return { ok: true }; },
    });
  },
};
`;

/** Creates a temp dir holding the given files (relative path -> content); returns its path. */
export async function writeFixture(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-app-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
