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
  offer(item: T, priority: Priority, options: { force?: boolean } = {}): AdmissionOutcome<T> {
    const queue = priority === 'interactive' ? this.interactive : this.batch;
    if (options.force) {
      queue.push(item);
      return { admitted: true };
    }
    const capacity = priority === 'interactive' ? this.options.interactiveCapacity : this.options.batchCapacity;
    const total = this.options.interactiveCapacity + this.options.batchCapacity;
    if (queue.length < capacity && this.size < total) {
      queue.push(item);
      return { admitted: true };
    }
    if (this.options.policy === 'reject') return { admitted: false, reason: 'full' };
    const dropped = this.batch.length > 0 ? this.batch.shift() : this.interactive.shift();
    if (dropped === undefined) return { admitted: false, reason: 'full' };
    queue.push(item);
    return { admitted: true, dropped };
  }

  remove(item: T): boolean {
    for (const queue of [this.interactive, this.batch]) {
      const index = queue.indexOf(item);
      if (index >= 0) {
        queue.splice(index, 1);
        return true;
      }
    }
    return false;
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

  /** Removes and returns the first item (in service order) the predicate accepts. */
  takeFirst(accept: (item: T) => boolean): T | undefined {
    for (const queue of [this.interactive, this.batch]) {
      const index = queue.findIndex(accept);
      if (index >= 0) return queue.splice(index, 1)[0];
    }
    return undefined;
  }
}
