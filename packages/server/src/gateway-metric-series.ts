import type { Metric, Registry } from 'prom-client';

/** One labelled series; created once per label set, so the hot path only adds numbers. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Series cached by their label values in nested maps (up to four labels): a lookup allocates nothing, unlike
 * prom-client's `inc(labels)`/`labels(...)`, which hash a label object on every call.
 */
class SeriesTree<S extends Series> {
  private readonly root = new Map<string, unknown>();
  readonly all: S[] = [];

  constructor(
    private readonly labelNames: readonly string[],
    private readonly create: (labels: Record<string, string>) => S,
  ) {
    if (labelNames.length < 1 || labelNames.length > 4) throw new RangeError('a series tree takes 1 to 4 labels');
  }

  get(a: string, b = '', c = '', d = ''): S {
    const depth = this.labelNames.length;
    let level = this.root;
    for (let i = 0; i < depth - 1; i++) {
      const value = i === 0 ? a : i === 1 ? b : c;
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const last = depth === 1 ? a : depth === 2 ? b : depth === 3 ? c : d;
    let series = level.get(last) as S | undefined;
    if (!series) {
      const values = [a, b, c, d];
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
      series = this.create(labels);
      level.set(last, series);
      this.all.push(series);
    }
    return series;
  }

  clear(): void {
    this.root.clear();
    this.all.length = 0;
  }
}

interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
}

/** The shape prom-client's Registry reads from a metric (`get()` at scrape time, `reset()`). */
abstract class CustomMetric {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum' as const;

  constructor(options: MetricOptions) {
    this.name = options.name;
    this.help = options.help;
    // The Registry only calls name/help/type/aggregator/get/reset; its Metric type is a union of its own classes.
    options.registry.registerMetric(this as unknown as Metric);
  }

  abstract get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: { value: number; labels: Record<string, string | number>; metricName?: string }[] }>;
  abstract reset(): void;
}

export interface CounterSeries extends Series {
  value: number;
}

/** A counter (or a gauge read at scrape time) whose series are cached per label set. */
export class LabeledCounter extends CustomMetric {
  readonly type: 'counter' | 'gauge';
  private readonly tree: SeriesTree<CounterSeries>;

  private readonly labelNames: readonly string[];

  constructor(options: MetricOptions & { readonly type?: 'counter' | 'gauge' }) {
    super(options);
    this.type = options.type ?? 'counter';
    this.labelNames = options.labelNames;
    this.tree = new SeriesTree(options.labelNames, (labels) => ({ labels, value: 0 }));
  }

  /** The series of these label values (in `labelNames` order); add to `.value`. */
  at(a: string, b?: string, c?: string, d?: string): CounterSeries {
    return this.tree.get(a, b, c, d);
  }

  /** prom-client's `inc(labels, by)`, without hashing the label object. */
  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    this.seriesOf(labels).value += by;
  }

  /** A gauge's `set(labels, value)`. */
  set(labels: Readonly<Record<string, string>>, value: number): void {
    this.seriesOf(labels).value = value;
  }

  private seriesOf(labels: Readonly<Record<string, string>>): CounterSeries {
    const names = this.labelNames;
    return this.tree.get(labels[names[0]!] ?? '', names.length > 1 ? (labels[names[1]!] ?? '') : '', names.length > 2 ? (labels[names[2]!] ?? '') : '', names.length > 3 ? (labels[names[3]!] ?? '') : '');
  }

  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.tree.all.map((s) => ({ value: s.value, labels: s.labels })) };
  }

  reset(): void {
    this.tree.clear();
  }
}

export class HistogramSeries implements Series {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/** A histogram whose series are cached per label set; observing is a bucket scan and three additions. */
export class LabeledHistogram extends CustomMetric {
  readonly type = 'histogram' as const;
  private readonly tree: SeriesTree<HistogramSeries>;
  private readonly bounds: readonly number[];

  constructor(options: MetricOptions & { readonly buckets: readonly number[] }) {
    super(options);
    const bounds = [...options.buckets].sort((x, y) => x - y);
    this.bounds = bounds;
    this.tree = new SeriesTree(options.labelNames, (labels) => new HistogramSeries(labels, bounds));
  }

  at(a: string, b?: string, c?: string, d?: string): HistogramSeries {
    return this.tree.get(a, b, c, d);
  }

  async get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const series of this.tree.all) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: i < this.bounds.length ? this.bounds[i]! : '+Inf' }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.tree.clear();
  }
}
