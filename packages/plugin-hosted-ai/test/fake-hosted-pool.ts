import type { ServerResponse } from 'node:http';
import { pause, sendJson } from '@switchyard/testkit';
import type { RecordedRequest } from '@switchyard/testkit';

/**
 * A fake hosted vGPU pool speaking exactly the assumed protocol in this package's README (nothing more). It keeps real state (live
 * allocations, counters) so tests can assert nothing leaks, and can be told to fail the next N calls.
 */
export class FakeHostedPool {
  readonly live = new Map<string, { gpu: string; expiresAt: number }>();
  allocations = 0;
  releases = 0;
  inferences = 0;
  /** Statuses to answer the next allocations with (shifted per call), e.g. [503, 503]. */
  failAllocations: number[] = [];
  /** Statuses to answer the next inferences with. */
  failInferences: number[] = [];
  /** Lease length the pool grants. */
  leaseMs = 600_000;
  /** Delay before answering inference. */
  inferenceDelayMs = 0;
  poolStatus = 'available';

  readonly handle = async (request: RecordedRequest, response: ServerResponse): Promise<void> => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (request.method === 'GET' && request.path.startsWith('/v1/pools/')) {
      return sendJson(response, 200, { pool_id: decodeURIComponent(request.path.slice('/v1/pools/'.length)), status: this.poolStatus, available_gpus: 4 });
    }
    if (request.method === 'POST' && request.path === '/v1/allocations') {
      const failure = this.failAllocations.shift();
      if (failure) return sendJson(response, failure, { error: { message: failure === 409 ? 'no GPU satisfies the requirements' : 'pool busy' } }, failure === 429 ? { 'retry-after': '0' } : {});
      const requirements = body.requirements as { min_vram_mb: number; max_vram_mb: number; gpu_family?: string };
      if (requirements.max_vram_mb > 160_000) return sendJson(response, 409, { error: { message: `max_vram_mb ${requirements.max_vram_mb} exceeds every GPU in the pool` } });
      this.allocations++;
      const id = `alloc-${this.allocations}`;
      const expiresAt = Date.now() + this.leaseMs;
      this.live.set(id, { gpu: `${requirements.gpu_family ?? 'ampere'}-a100-${this.allocations}`, expiresAt });
      return sendJson(response, 201, { allocation_id: id, assigned_gpu: { id: `gpu-${this.allocations}`, family: requirements.gpu_family ?? 'ampere', vram_mb: 81920 }, status: 'active', expires_at: new Date(expiresAt).toISOString() });
    }
    if (request.method === 'DELETE' && request.path.startsWith('/v1/allocations/')) {
      const id = decodeURIComponent(request.path.slice('/v1/allocations/'.length));
      if (!this.live.delete(id)) return sendJson(response, 404, { error: { message: `no allocation ${id}` } });
      this.releases++;
      response.writeHead(204).end();
      return;
    }
    if (request.method === 'POST' && request.path.startsWith('/v1/inference/')) {
      const id = decodeURIComponent(request.path.slice('/v1/inference/'.length));
      if (!this.live.has(id)) return sendJson(response, 404, { error: { message: `allocation ${id} not found` } });
      const failure = this.failInferences.shift();
      if (failure) return sendJson(response, failure, { error: { message: `inference failed with ${failure}` } });
      if (this.inferenceDelayMs) await pause(this.inferenceDelayMs);
      if (response.destroyed) return;
      this.inferences++;
      const prompt = String(body.prompt);
      // Real, checkable output: the prompt's words in reverse, cut at max_tokens words.
      const max = (body.parameters as { max_tokens?: number } | undefined)?.max_tokens ?? 1000;
      const all = prompt.split(/\s+/).filter(Boolean).reverse();
      const words = all.slice(0, max);
      return sendJson(response, 200, { text: words.join(' '), tokens_used: words.length, duration_ms: 12, model_used: body.model, finish_reason: words.length < all.length ? 'length' : 'stop' });
    }
    return sendJson(response, 404, { error: { message: `unknown route ${request.method} ${request.path}` } });
  };
}
