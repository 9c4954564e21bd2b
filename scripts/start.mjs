#!/usr/bin/env node
// `npm start`: runs the demo (examples/demo/start.js). Until a checkout has it, shows what the CLI offers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const demo = fileURLToPath(new URL('../examples/demo/start.js', import.meta.url));
const cli = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const args = process.argv.slice(2);
const target = existsSync(demo) ? [demo, ...args] : [cli, '--help'];
if (!existsSync(demo)) console.log('examples/demo is not in this checkout; here is the switchyard CLI instead:\n');
const child = spawnSync(process.execPath, target, { stdio: 'inherit' });
process.exit(child.status ?? 1);
