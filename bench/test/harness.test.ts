import { describe, expect, it } from 'vitest';
import { defineBenchmark, formatTable, median, percentile, roundOrder, runBenchmark, summarize } from '../harness.js';

describe('stats', () => {
  it('computes nearest-rank percentiles and the median', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([3, 1, 2].sort())).toBe(2);
  });

  it('summarizes unsorted samples', () => {
    const s = summarize([5, 1, 3]);
    expect(s).toMatchObject({ samples: 3, medianMs: 3, minMs: 1, maxMs: 5, meanMs: 3 });
  });
});

describe('runBenchmark', () => {
  it('interleaves cases, rotating the order each round, and reports ratios against the baseline', async () => {
    const order: string[] = [];
    const events: string[] = [];
    const bench = defineBenchmark({
      name: 'order',
      warmup: 1,
      iterations: 3,
      setup: () => {
        events.push('setup');
        return { n: 0 };
      },
      cases: {
        ours: (s) => {
          s.n++;
          order.push('ours');
        },
        base: () => {
          order.push('base');
        },
      },
      baseline: 'base',
      report: (s) => ({ calls: s.n }),
      teardown: () => {
        events.push('teardown');
      },
    });
    const result = await runBenchmark(bench);
    // warm-up (ours, base) then rounds rotating: ours,base / base,ours / ours,base
    expect(order).toEqual(['ours', 'base', 'ours', 'base', 'base', 'ours', 'ours', 'base']);
    expect(events).toEqual(['setup', 'teardown']);
    expect(result.report).toEqual({ calls: 4 });
    expect(Object.keys(result.ratios)).toEqual(['ours']);
    // CPU time beside wall time, and the load the run saw
    expect(Object.keys(result.cpuRatios!)).toEqual(['ours']);
    expect(result.cases.ours!.cpuMedianMs).toBeGreaterThanOrEqual(0);
    expect(result.machine.loadAverage!.start).toHaveLength(3);
    expect(result.cases.ours!.samples).toBe(3);
    expect(result.machine.node).toBe(process.version);
    expect(formatTable(result)).toContain('base (baseline)');
  });

  it('shuffles the order per round (seeded) and measures named pairs', async () => {
    const order: string[] = [];
    let tick = 0;
    const bench = defineBenchmark({
      name: 'pairs',
      warmup: 0,
      iterations: 40,
      setup: () => null,
      cases: {
        a: () => void order.push('a'),
        b: () => void order.push('b'),
        c: () => {
          order.push('c');
          tick += 1;
        },
      },
      baseline: 'c',
      order: 'shuffle',
      pairs: { 'a-vs-b': ['a', 'b'] },
    });
    const result = await runBenchmark(bench);
    const rounds = Array.from({ length: 40 }, (_, i) => order.slice(i * 3, i * 3 + 3).join(''));
    // every round runs each case once, and not always in the same cyclic order
    expect(rounds.every((r) => [...r].sort().join('') === 'abc')).toBe(true);
    expect(new Set(rounds).size).toBeGreaterThan(3);
    expect(tick).toBe(40);
    const pair = result.pairs!['a-vs-b']!;
    expect(pair).toMatchObject({ ours: 'a', theirs: 'b' });
    expect(pair.ratio).toBeCloseTo(result.cases.a!.medianMs / result.cases.b!.medianMs, 10);
    expect(pair.pairedRatio).toBeGreaterThan(0);
    expect(formatTable(result)).toContain('pair a-vs-b: a / b = ');
  });

  it('orders a round by rotation or by a seeded shuffle', () => {
    const names = ['a', 'b', 'c', 'd'];
    expect(roundOrder(names, 1, 'rotate', () => 0)).toEqual(['b', 'c', 'd', 'a']);
    // random() always 0: Fisher-Yates swaps each position with the first
    expect(roundOrder(names, 0, 'shuffle', () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect(roundOrder(names, 0, 'shuffle', () => 0.999)).toEqual(names);
  });

  it('runs phases one after the other, each with its own warm-up', async () => {
    const order: string[] = [];
    const bench = defineBenchmark({
      name: 'phases',
      warmup: 1,
      iterations: 2,
      setup: () => null,
      cases: { a: () => void order.push('a'), b: () => void order.push('b'), c: () => void order.push('c') },
      baseline: 'a',
      phases: [['c'], ['a', 'b']],
    });
    const result = await runBenchmark({ ...bench, batches: { c: 3 } });
    // c: 1 warm-up call, then 2 samples of 3 calls each
    expect(order).toEqual(['c', 'c', 'c', 'c', 'c', 'c', 'c', 'a', 'b', 'a', 'b', 'b', 'a']);
    expect(result.cases.c!.callsPerSample).toBe(3);
    expect(result.cases.a!.callsPerSample).toBeUndefined();
    expect(() => defineBenchmark({ ...bench, phases: [['a'], ['a', 'b']] })).toThrow("phases: 'a' must be in exactly one phase; 'c' must be in exactly one phase");
  });

  it('refuses a pair naming an unknown case', () => {
    expect(() =>
      defineBenchmark({ name: 'x', setup: () => 0, cases: { a: () => 0, b: () => 0 }, baseline: 'a', pairs: { p: ['a', 'z' as 'a'] } }),
    ).toThrow("pair 'p' names z, not one of its cases");
  });

  it('tears down even when a case throws', async () => {
    let tornDown = false;
    const bench = defineBenchmark({
      name: 'boom',
      warmup: 0,
      iterations: 1,
      setup: () => null,
      cases: { ours: () => { throw new Error('boom'); }, base: () => undefined },
      baseline: 'base',
      teardown: () => { tornDown = true; },
    });
    await expect(runBenchmark(bench)).rejects.toThrow('boom');
    expect(tornDown).toBe(true);
  });

  it('refuses a baseline that is not a case', () => {
    expect(() => defineBenchmark({ name: 'x', setup: () => 0, cases: { a: () => 0, b: () => 0 }, baseline: 'c' as 'a' })).toThrow(
      "baseline 'c' is not one of its cases (a, b)",
    );
  });
});

describe('state type inference', () => {
  // Regression: with `async setup() {}` method syntax the state was inferred as unknown (tsc -p bench fails if so).
  it('types case, report and teardown state from a setup method', async () => {
    const bench = defineBenchmark({
      name: 'method-setup',
      warmup: 0,
      iterations: 1,
      async setup() {
        return { count: 0, label: 'x' };
      },
      cases: {
        ours: (s) => void (s.count += 1),
        base: (s) => void s.label.toUpperCase(),
      },
      baseline: 'base',
      report: async (s) => ({ count: s.count }),
      teardown: (s) => void s.label.length,
    });
    expect((await runBenchmark(bench)).report).toEqual({ count: 1 });
  });
});
