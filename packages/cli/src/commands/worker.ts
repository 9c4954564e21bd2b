import type { Command } from 'commander';
import { resolveResilience, SwitchyardError, type ResilienceConfig } from '@switchyard/core';
import { TaskWorker } from '@switchyard/queue-bullmq';
import { createAppFromConfig } from '../config-app.js';
import { fail, print, printError } from '../output.js';
import { nonEmpty } from '../repeatable-option.js';

export interface WorkerFlags {
  readonly config: string;
  /** Only serve these engines (default: every engine the config loads). */
  readonly engines?: string;
}

/**
 * Creates the app from the config (plugins, engines) and serves tasks from the BullMQ queues of `queue.redis`:
 * per engine, as many at once as `server.admission.concurrency` (else the resilience bulkhead) allows.
 */
export async function startWorker(flags: WorkerFlags): Promise<{ worker: TaskWorker; summary: string; shutdown(): Promise<void> }> {
  const { app, loaded } = await createAppFromConfig(flags.config);
  const queue = app.config.queue;
  if (!queue?.redis) {
    await app.shutdown();
    throw new SwitchyardError({ code: 'CONFIG_INVALID', message: `${loaded.shownAs}: switchyard worker needs queue.redis (e.g. queue: { redis: "redis://127.0.0.1:6379" })`, details: { pointer: '/queue/redis', expected: 'redis:// URL' } });
  }
  const only = flags.engines?.split(',').map((id) => id.trim()).filter(Boolean);
  const engines = app.engines.filter((engine) => !only || only.includes(engine.id));
  if (only) for (const id of only) if (!app.engines.some((engine) => engine.id === id)) {
    await app.shutdown();
    throw new SwitchyardError({ code: 'NO_SUCH_ENGINE', message: `--engines: no engine '${id}' in ${loaded.shownAs} (engines: ${app.engines.map((engine) => engine.id).join(', ') || 'none'})`, details: { field: '--engines', found: id } });
  }
  const server = (app.config.server ?? {}) as { admission?: { concurrency?: { default?: number; engines?: Record<string, number> } }; retention?: { maxAgeMs?: number }; taskRetentionMs?: number };
  const resilience = app.config.resilience as ResilienceConfig | undefined;
  const concurrency = Object.fromEntries(
    engines.map((engine) => [engine.id, server.admission?.concurrency?.engines?.[engine.id] ?? resolveResilience(resilience, engine.id).bulkhead.maxConcurrent ?? server.admission?.concurrency?.default ?? 2]),
  );
  const worker = new TaskWorker({
    redis: queue.redis,
    orchestrator: app.orchestrator,
    engines,
    concurrency,
    ...(queue.prefix ? { prefix: queue.prefix } : {}),
    ...(queue.heartbeatTtlMs ? { heartbeatTtlMs: queue.heartbeatTtlMs } : {}),
    ...(queue.lockDurationMs ? { lockDurationMs: queue.lockDurationMs } : {}),
    retentionMs: server.retention?.maxAgeMs ?? server.taskRetentionMs ?? 24 * 3_600_000,
    // Through the app's logger: telemetry.logLevel applies (error and above; `silent`/`fatal` drop them).
    log: (line) => app.logger.error(line),
  });
  await worker.start();
  const summary = `switchyard worker ${worker.id} serving ${Object.entries(concurrency).map(([id, n]) => `${id} x${n}`).join(', ') || 'no engines'} from ${queue.redis.replace(/\/\/[^@]*@/, '//***@')}`;
  let stopped: Promise<void> | undefined;
  return {
    worker,
    summary,
    shutdown() {
      stopped ??= worker.drain().then(() => app.shutdown());
      return stopped;
    },
  };
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run tasks from the distributed queue (queue.redis); SIGTERM or POST /v2/pools/<worker id>/drain = finish in-flight work, then leave')
    .option('-c, --config <file>', 'config file or directory holding switchyard.config.yaml|.yml|.json', nonEmpty, '.')
    .option('--engines <ids>', 'comma-separated engine ids to serve (default: all engines of the config)')
    .action(async (flags: WorkerFlags, command: Command) => {
      try {
        const { worker, summary, shutdown } = await startWorker(flags);
        print(command, summary);
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(143);
          stopping = true;
          printError(command, `worker ${worker.id}: draining (finishing ${worker.inFlight} task(s))`);
          void shutdown().then(() => process.exit(0), () => process.exit(1));
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        await worker.drained();
        await shutdown();
        printError(command, `worker ${worker.id}: drained, leaving`);
        process.exit(0);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
