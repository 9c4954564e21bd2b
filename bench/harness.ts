/**
 * Benchmark harness: a bench file default-exports `defineBenchmark({...})`; `npm run bench [-- <name>]`
 * runs it (bench/run.js -> bench/runner.ts) with warm-up and interleaved iterations of every case.
 */
import { cpus, totalmem, arch, platform, release, loadavg } from 'node:os';

export type BenchCase<S> = (state: S) => unknown | Promise<unknown>;

export interface BenchmarkDefinition<S = unknown, C extends string = string> {
  readonly name: string;
  /** Untimed runs of every case before measuring (default 5). */
  readonly warmup?: number;
  /** Timed samples per case (default 50; BENCH_ITERATIONS overrides). */
  readonly iterations?: number;
  /** Calls per timed sample for sub-microsecond cases; each sample is reported per call (default 1). */
  readonly batch?: number;
  readonly setup: () => S | Promise<S>;
  readonly cases: Record<C, BenchCase<S>>;
  /** Name of the case every other case is compared against. */
  readonly baseline: NoInfer<C>;
  /**
   * Case order within a round. `rotate` (default): the same cyclic order, started one case later each round.
   * `shuffle`: a fresh seeded random order each round, so no case always runs right after the same other case
   * (e.g. a cheap case after one that leaves native threads busy, ORT's spinning intra-op pool).
   */
  readonly order?: 'rotate' | 'shuffle';
  /**
   * Named comparisons `[ours, theirs]` besides the baseline ratios: reported as median(ours) / median(theirs), in CPU
   * time too, and as the median over rounds of ours / theirs measured in the same round.
   */
  readonly pairs?: Readonly<Record<string, readonly [NoInfer<C>, NoInfer<C>]>>;
  /**
   * Cases measured apart: each phase (warm-up, then its rounds) runs after the previous one, so e.g. cheap CPU-only
   * cases are not timed among cases that leave other threads busy. Every case in exactly one phase. Default: one phase.
   */
  readonly phases?: readonly (readonly NoInfer<C>[])[];
  /** Calls per timed sample for particular cases (overrides `batch` for them); each sample is reported per call. */
  readonly batches?: Readonly<Partial<Record<NoInfer<C>, number>>>;
  /** Extra JSON fields for the result (e.g. output agreement between ours and the baseline). */
  readonly report?: (state: S) => Record<string, unknown> | Promise<Record<string, unknown>>;
  readonly teardown?: (state: S) => void | Promise<void>;
}

export interface CaseStats {
  readonly samples: number;
  readonly medianMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stddevMs: number;
  /**
   * Median CPU time of this process (all its threads) per call. Unlike wall time it barely moves when other
   * processes load the machine; it does not see work done in other processes (e.g. a server-load client).
   */
  readonly cpuMedianMs?: number;
  /** Calls per timed sample when the definition's `batches` sets it for this case. */
  readonly callsPerSample?: number;
}

export interface PairRatio {
  readonly ours: string;
  readonly theirs: string;
  /** median(ours) / median(theirs), wall time. */
  readonly ratio: number;
  /** cpuMedian(ours) / cpuMedian(theirs). */
  readonly cpuRatio: number;
  /** Median over rounds of ours / theirs (wall time) timed in the same round. */
  readonly pairedRatio: number;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly arch: string;
  readonly platform: string;
  readonly osRelease: string;
  readonly totalMemMb: number;
  readonly node: string;
  /** os.loadavg() (1, 5, 15 min) when the run started and when it ended. */
  readonly loadAverage?: { readonly start: readonly number[]; readonly end: readonly number[] };
}

export interface BenchmarkResult {
  readonly name: string;
  readonly date: string;
  readonly machine: MachineInfo;
  readonly warmup: number;
  readonly iterations: number;
  readonly batch: number;
  readonly baseline: string;
  readonly cases: Readonly<Record<string, CaseStats>>;
  /** median(case) / median(baseline) for every non-baseline case: < 1 means faster than the baseline. */
  readonly ratios: Readonly<Record<string, number>>;
  /** cpuMedian(case) / cpuMedian(baseline): the same comparison in CPU time. */
  readonly cpuRatios?: Readonly<Record<string, number>>;
  /** The definition's `pairs`, measured. */
  readonly pairs?: Readonly<Record<string, PairRatio>>;
  readonly report?: Record<string, unknown>;
}

export function defineBenchmark<S, C extends string>(definition: BenchmarkDefinition<S, C>): BenchmarkDefinition<S, C> {
  if (!(definition.baseline in definition.cases)) {
    throw new Error(`benchmark '${definition.name}': baseline '${definition.baseline}' is not one of its cases (${Object.keys(definition.cases).join(', ')})`);
  }
  for (const [name, pair] of Object.entries(definition.pairs ?? {})) {
    const unknown = pair.filter((c) => !(c in definition.cases));
    if (unknown.length) throw new Error(`benchmark '${definition.name}': pair '${name}' names ${unknown.join(', ')}, not one of its cases`);
  }
  if (definition.phases) {
    const listed = definition.phases.flat();
    const names = Object.keys(definition.cases);
    const problems = [
      ...names.filter((n) => listed.filter((l) => l === n).length !== 1).map((n) => `'${n}' must be in exactly one phase`),
      ...listed.filter((l) => !names.includes(l)).map((l) => `'${l}' is not one of its cases`),
    ];
    if (problems.length) throw new Error(`benchmark '${definition.name}': phases: ${[...new Set(problems)].join('; ')}`);
  }
  if (Object.keys(definition.cases).length < 2) {
    throw new Error(`benchmark '${definition.name}': needs at least two cases (ours and the baseline)`);
  }
  return definition;
}

/** Nearest-rank percentile over an ascending-sorted array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samplesMs: readonly number[]): CaseStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / n;
  const variance = sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0) / Math.max(1, n - 1);
  return {
    samples: n,
    medianMs: median(sorted),
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs: mean,
    minMs: sorted[0]!,
    maxMs: sorted[n - 1]!,
    stddevMs: Math.sqrt(variance),
  };
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    arch: arch(),
    platform: platform(),
    osRelease: release(),
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
  };
}

/** mulberry32: a small seeded PRNG, so a shuffled run is reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The case order of round `round`: rotated, or a Fisher-Yates shuffle drawn from `random`. */
export function roundOrder(names: readonly string[], round: number, order: 'rotate' | 'shuffle', random: () => number): string[] {
  if (order === 'rotate') return names.map((_, k) => names[(round + k) % names.length]!);
  const out = [...names];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function timeOnce<S>(fn: BenchCase<S>, state: S, batch: number): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) await fn(state);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / batch;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1e3 / batch };
}

export interface RunOptions {
  readonly iterations?: number;
  readonly warmup?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs every case `warmup` times, then `iterations` rounds; each round runs every case once, in an order
 * rotated (or shuffled) per round, so drift (thermal, GC, JIT) spreads evenly over the cases instead of favouring one.
 */
export async function runBenchmark<S>(definition: BenchmarkDefinition<S>, options: RunOptions = {}): Promise<BenchmarkResult> {
  const warmup = options.warmup ?? definition.warmup ?? 5;
  const iterations = options.iterations ?? definition.iterations ?? 50;
  const batch = Math.max(1, Math.floor(definition.batch ?? 1));
  const names = Object.keys(definition.cases);
  const loadAtStart = loadavg();
  const state = await definition.setup();
  try {
    const samples = new Map<string, number[]>(names.map((n) => [n, []]));
    const cpuSamples = new Map<string, number[]>(names.map((n) => [n, []]));
    const random = seededRandom(0x5eed);
    const phases = definition.phases ?? [names];
    for (const [p, phase] of phases.entries()) {
      for (let w = 0; w < warmup; w++) {
        for (const name of phase) await definition.cases[name]!(state);
      }
      for (let i = 0; i < iterations; i++) {
        for (const name of roundOrder(phase, i, definition.order ?? 'rotate', random)) {
          const calls = Math.max(1, Math.floor((definition.batches as Record<string, number | undefined> | undefined)?.[name] ?? batch));
          const { wallMs, cpuMs } = await timeOnce(definition.cases[name]!, state, calls);
          samples.get(name)!.push(wallMs);
          cpuSamples.get(name)!.push(cpuMs);
        }
        options.onProgress?.(p * iterations + i + 1, phases.length * iterations);
      }
    }
    const cases: Record<string, CaseStats> = {};
    for (const name of names) {
      const calls = (definition.batches as Record<string, number | undefined> | undefined)?.[name];
      cases[name] = {
        ...summarize(samples.get(name)!),
        cpuMedianMs: median([...cpuSamples.get(name)!].sort((a, b) => a - b)),
        ...(calls !== undefined ? { callsPerSample: Math.max(1, Math.floor(calls)) } : {}),
      };
    }
    const baselineMedian = cases[definition.baseline]!.medianMs;
    const baselineCpu = cases[definition.baseline]!.cpuMedianMs!;
    const ratios: Record<string, number> = {};
    const cpuRatios: Record<string, number> = {};
    for (const name of names) {
      if (name === definition.baseline) continue;
      ratios[name] = cases[name]!.medianMs / baselineMedian;
      cpuRatios[name] = cases[name]!.cpuMedianMs! / baselineCpu;
    }
    const pairs: Record<string, PairRatio> = {};
    for (const [pairName, [ours, theirs]] of Object.entries(definition.pairs ?? {})) {
      const a = samples.get(ours)!;
      const b = samples.get(theirs)!;
      pairs[pairName] = {
        ours,
        theirs,
        ratio: cases[ours]!.medianMs / cases[theirs]!.medianMs,
        cpuRatio: cases[ours]!.cpuMedianMs! / cases[theirs]!.cpuMedianMs!,
        pairedRatio: median(a.map((x, i) => x / b[i]!).sort((x, y) => x - y)),
      };
    }
    const report = definition.report ? await definition.report(state) : undefined;
    return {
      name: definition.name,
      date: new Date().toISOString(),
      machine: { ...machineInfo(), loadAverage: { start: loadAtStart, end: loadavg() } },
      warmup,
      iterations,
      batch,
      baseline: definition.baseline,
      cases,
      ratios,
      cpuRatios,
      ...(definition.pairs ? { pairs } : {}),
      ...(report ? { report } : {}),
    };
  } finally {
    await definition.teardown?.(state);
  }
}

function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toPrecision(3);
}

/** A plain-text table: one row per case, times in ms, ratio against the baseline. */
export function formatTable(result: BenchmarkResult): string {
  const header = ['case', 'median ms', 'p50', 'p90', 'p99', 'ratio', 'cpu ms', 'cpu ratio'];
  const rows = Object.entries(result.cases).map(([name, s]) => [
    name === result.baseline ? `${name} (baseline)` : name,
    formatMs(s.medianMs),
    formatMs(s.p50Ms),
    formatMs(s.p90Ms),
    formatMs(s.p99Ms),
    name === result.baseline ? '1.00' : result.ratios[name]!.toFixed(2),
    s.cpuMedianMs === undefined ? '-' : formatMs(s.cpuMedianMs),
    name === result.baseline ? '1.00' : (result.cpuRatios?.[name]?.toFixed(2) ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const load = result.machine.loadAverage ? `, load ${result.machine.loadAverage.start.map((l) => l.toFixed(1)).join('/')}` : '';
  const title = `${result.name}  (${result.iterations} interleaved iterations, ${result.warmup} warm-up${result.batch > 1 ? `, ${result.batch} calls/sample` : ''}${load})`;
  const pairs = Object.entries(result.pairs ?? {}).map(
    ([name, p]) => `pair ${name}: ${p.ours} / ${p.theirs} = ${p.ratio.toFixed(2)} (cpu ${p.cpuRatio.toFixed(2)}, paired per round ${p.pairedRatio.toFixed(2)})`,
  );
  return [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...pairs].join('\n');
}
