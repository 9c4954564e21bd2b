export type Priority = 'interactive' | 'batch';
export type AdmissionPolicy = 'reject' | 'drop-lru';

export interface AdmissionQueueOptions {
  readonly interactiveCapacity: number;
  readonly batchCapacity: number;
  readonly policy: AdmissionPolicy;
}

export type AdmissionOutcome<T> =
  | { readonly admitted: true; readonly dropped?: T }
  | { readonly admitted: false; readonly reason: 'full' };

/** The outcomes that carry no item are shared (no object per offer). */
const ADMITTED = { admitted: true } as const;
const FULL = { admitted: false, reason: 'full' } as const;

/**
 * Two bounded FIFO queues, interactive served before batch. Under `drop-lru` a full queue makes room by
 * dropping the oldest batch task, then the oldest interactive one; an interactive arrival may take a freed
 * batch slot, so the total never exceeds interactiveCapacity + batchCapacity.
 */
export class AdmissionQueue<T> {
  private readonly interactive: T[] = [];
  private readonly batch: T[] = [];

  constructor(private readonly options: AdmissionQueueOptions) {}

  get policy(): AdmissionPolicy {
    return this.options.policy;
  }

  get size(): number {
    return this.interactive.length + this.batch.length;
  }

  depth(priority: Priority): number {
    return priority === 'interactive' ? this.interactive.length : this.batch.length;
  }

  /** `force` (tasks recovered after a restart) skips the capacity check: they were admitted before. */
  offer(item: T, priority: Priority, options?: { force?: boolean }): AdmissionOutcome<T> {
    const queue = priority === 'interactive' ? this.interactive : this.batch;
    if (options?.force) {
      queue.push(item);
      return ADMITTED;
    }
    const capacity = priority === 'interactive' ? this.options.interactiveCapacity : this.options.batchCapacity;
    const total = this.options.interactiveCapacity + this.options.batchCapacity;
    if (queue.length < capacity && this.size < total) {
      queue.push(item);
      return ADMITTED;
    }
    if (this.options.policy === 'reject') return FULL;
    const dropped = this.batch.length > 0 ? this.batch.shift() : this.interactive.shift();
    if (dropped === undefined) return FULL;
    queue.push(item);
    return { admitted: true, dropped };
  }

  remove(item: T): boolean {
    return removeFrom(this.interactive, item) || removeFrom(this.batch, item);
  }

  /** 0-based position in service order (interactive first), or -1 when not queued. */
  positionOf(item: T): number {
    const index = this.interactive.indexOf(item);
    if (index >= 0) return index;
    const batchIndex = this.batch.indexOf(item);
    return batchIndex >= 0 ? this.interactive.length + batchIndex : -1;
  }

  /** Items in service order. */
  *ordered(): IterableIterator<T> {
    yield* this.interactive;
    yield* this.batch;
  }

  /** The items of one priority in service order (read-only; the hot paths loop over these, not `ordered()`). */
  items(priority: Priority): readonly T[] {
    return priority === 'interactive' ? this.interactive : this.batch;
  }

  /** Removes and returns the first item (in service order) the predicate accepts. */
  takeFirst(accept: (item: T) => boolean): T | undefined {
    return takeFrom(this.interactive, accept) ?? takeFrom(this.batch, accept);
  }
}

function removeFrom<T>(queue: T[], item: T): boolean {
  const index = queue.indexOf(item);
  if (index < 0) return false;
  if (index === 0) queue.shift();
  else queue.splice(index, 1);
  return true;
}

function takeFrom<T>(queue: T[], accept: (item: T) => boolean): T | undefined {
  for (let index = 0; index < queue.length; index++) {
    const item = queue[index]!;
    if (!accept(item)) continue;
    if (index === 0) queue.shift();
    else queue.splice(index, 1);
    return item;
  }
  return undefined;
}
