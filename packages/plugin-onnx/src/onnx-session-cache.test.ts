import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { createOnnxEngine } from './index.js';
import { OnnxSessionCache } from './onnx-session-cache.js';
import { fixture, signal } from '../test/fixtures.js';

/** A stand-in session that records whether it was released (the cache logic is the unit under test). */
class CountingSession {
  static live = 0;
  released = false;
  constructor() {
    CountingSession.live += 1;
  }
  async release(): Promise<void> {
    if (this.released) throw new Error('released twice');
    this.released = true;
    CountingSession.live -= 1;
  }
}

describe('OnnxSessionCache', () => {
  it('keeps at most maxSize idle sessions over 10,000 lease/release cycles and never hands out a released one', async () => {
    CountingSession.live = 0;
    const cache = new OnnxSessionCache<CountingSession>(4);
    let created = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = `file-${(i * 7) % 11}.onnx`;
      const lease = await cache.acquire(key, async () => {
        created += 1;
        return new CountingSession();
      });
      expect(lease.session.released).toBe(false);
      await lease.release();
      await lease.release(); // a second release of the same lease is a no-op
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect(CountingSession.live).toBe(cache.size);
    expect(cache.releasedCount).toBe(created - cache.size);
    await cache.clear();
    expect(cache.size).toBe(0);
    expect(CountingSession.live).toBe(0);
  });

  it('shares a session between leases and never releases a leased one', async () => {
    const cache = new OnnxSessionCache<CountingSession>(1);
    const a1 = await cache.acquire('a', async () => new CountingSession());
    const a2 = await cache.acquire('a', async () => new CountingSession());
    expect(a2.session).toBe(a1.session);
    const b = await cache.acquire('b', async () => new CountingSession());
    // over the bound, but both are leased: nothing may be released under a caller
    expect(cache.size).toBe(2);
    expect(a1.session.released).toBe(false);
    await a1.release();
    expect(a1.session.released).toBe(false);
    await a2.release();
    expect(a1.session.released).toBe(true);
    expect(cache.has('a')).toBe(false);
    await b.release();
    expect(b.session.released).toBe(false);
  });

  it('does not cache a failed create', async () => {
    const cache = new OnnxSessionCache<CountingSession>(2);
    await expect(cache.acquire('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(cache.size).toBe(0);
    const lease = await cache.acquire('x', async () => new CountingSession());
    expect(lease.session.released).toBe(false);
  });

  it('cycles real onnxruntime sessions through 10,000 engine load/unload cycles without growing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-cache-'));
    const files = Array.from({ length: 5 }, (_, i) => {
      const path = join(dir, `g${i}.onnx`);
      copyFileSync(fixture('add-mul.onnx'), path);
      return path;
    });
    const engine = createOnnxEngine({ sessionCacheSize: 2 });
    const seen = new Set<ort.InferenceSession>();
    const releasedSessions = new Set<ort.InferenceSession>();
    const originalRelease = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype.release;
    // runs of 100 loads of one file, then the next of 5 files: 100 evicting misses and 9,900 cache hits
    for (let i = 0; i < 10_000; i++) {
      const file = files[Math.floor(i / 100) % files.length]!;
      await engine.doLoad({ id: 'g', files: { 'g.onnx': file } }, signal());
      const stage = (engine as unknown as { models: Map<string, { stages: { session: ort.InferenceSession }[] }> }).models.get('g')!.stages[0]!;
      expect(releasedSessions.has(stage.session)).toBe(false);
      if (!seen.has(stage.session)) {
        seen.add(stage.session);
        const session = stage.session;
        session.release = async () => {
          releasedSessions.add(session);
          return originalRelease.call(session);
        };
      }
      await engine.doUnload('g', signal());
      expect(engine.sessions.size).toBeLessThanOrEqual(2);
    }
    expect(seen.size).toBe(100);
    expect(releasedSessions.size).toBe(seen.size - engine.sessions.size);
    await engine.close();
    expect(engine.sessions.size).toBe(0);
  });
});
