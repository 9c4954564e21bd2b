import { Cancellation, type CallSignal } from '@switchyard/spec';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Marks an attempt that hit its timeout (translated to TIMEOUT; counts against the circuit). */
export class AttemptTimeout extends Error {}

/**
 * Work its caller runs when an attempt's work settles (also after a timeout, when the late outcome is discarded),
 * without an async frame of its own: one object per caller, the per-call state is `attempt.context`. Its return
 * value is what the caller receives on success.
 */
export interface AttemptFinisher {
  workSettled(attempt: GuardedAttempt, value: unknown, failed: boolean): unknown;
}

/** What an attempt reports back when it settles (the guard releases its slot and records the outcome). */
export interface AttemptOwner {
  finish(attempt: GuardedAttempt, error: unknown, failed: boolean): unknown;
}

let capturing: GuardedAttempt | undefined;
/** Promise executor shared by every attempt (no closure per call): hands resolve/reject to `capturing`. */
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturing!.resolveOuter = resolve;
  capturing!.rejectOuter = reject;
}

/**
 * One guarded attempt, itself the attempt's Cancellation: its deadline in the guard's shared deadline list and
 * its membership in the caller signal's link. Its AbortController is created only when someone reads `signal`
 * (per attempt, never pooled — an engine may keep the signal past the call); an engine that takes the AbortCheck
 * (`doRunChecked`) and only reads `aborted` costs no controller at all. `settle(pending)` returns what the caller
 * awaits: the engine's outcome, or TIMEOUT at the deadline even if the engine ignores its cancellation.
 */
export class GuardedAttempt extends Cancellation {
  /** The deadline list (AttemptDeadlines), ordered by deadline. */
  prev: GuardedAttempt | undefined = undefined;
  next: GuardedAttempt | undefined = undefined;
  /** The caller signal's attempts (ParentLink). */
  parentPrev: GuardedAttempt | undefined = undefined;
  parentNext: GuardedAttempt | undefined = undefined;
  link: ParentLink | undefined = undefined;
  /** The caller's finisher and its per-call state (settle's optional arguments). */
  finisher: AttemptFinisher | undefined = undefined;
  context: unknown = undefined;
  resolveOuter: ((value: unknown) => void) | undefined = undefined;
  rejectOuter: ((error: unknown) => void) | undefined = undefined;
  settled = false;

  /** performance.now() time at which the attempt times out (Infinity: never). */
  readonly deadline: number;

  constructor(
    readonly owner: AttemptOwner,
    /** The caller's signal (its abort is forwarded to this attempt). */
    readonly caller: CallSignal,
    readonly limitMs: number,
    /** Opaque to the attempt: what the owner needs back in finish() (the circuit admission). */
    readonly ticket: unknown,
  ) {
    super();
    this.deadline = Number.isFinite(limitMs) ? performance.now() + limitMs : Infinity;
  }

  settle<T>(pending: Promise<T>): Promise<T>;
  /** With a finisher, the caller receives what `finisher.workSettled` returns for the work's value. */
  settle<T>(pending: Promise<unknown>, finisher: AttemptFinisher): Promise<T>;
  settle<T>(pending: Promise<unknown>, finisher?: AttemptFinisher): Promise<T> {
    this.finisher = finisher;
    capturing = this;
    const outer = new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: unknown) => void) => void);
    capturing = undefined;
    void this.watch(pending);
    return outer;
  }

  private async watch(pending: Promise<unknown>): Promise<void> {
    let value: unknown;
    try {
      value = await pending;
    } catch (error) {
      this.finisher?.workSettled(this, error, true);
      if (this.settled) return;
      this.settled = true;
      this.rejectOuter!(this.owner.finish(this, error, true));
      return;
    }
    if (this.finisher) value = this.finisher.workSettled(this, value, false);
    if (this.settled) return;
    this.settled = true;
    this.owner.finish(this, undefined, false);
    this.resolveOuter!(value);
  }

  /** Called by the deadline list at the deadline. */
  expire(): void {
    if (this.settled) return;
    this.settled = true;
    const timeout = new AttemptTimeout();
    this.cancel(timeout);
    this.rejectOuter!(this.owner.finish(this, timeout, true));
  }
}

/**
 * The guard's timer wheel: every in-flight attempt in deadline order, and ONE timer armed for the earliest deadline
 * (instead of a setTimeout + clearTimeout per call). Settled attempts leave the list; the timer is left armed (and
 * unref'd while nothing is in flight) and re-armed only when it fires or an earlier deadline arrives.
 */
export class AttemptDeadlines {
  private head: GuardedAttempt | undefined;
  private tail: GuardedAttempt | undefined;
  private live = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedAt = Infinity;
  private readonly onTimer = () => this.fire();

  add(attempt: GuardedAttempt): void {
    if (attempt.deadline === Infinity) return;
    // Deadlines mostly arrive in order (same limit, later start): search from the tail.
    let after = this.tail;
    while (after && after.deadline > attempt.deadline) after = after.prev;
    attempt.prev = after;
    attempt.next = after ? after.next : this.head;
    if (attempt.next) attempt.next.prev = attempt;
    else this.tail = attempt;
    if (after) after.next = attempt;
    else this.head = attempt;
    if (this.live++ === 0) this.timer?.ref();
    if (attempt.deadline < this.armedAt) this.arm(attempt.deadline);
  }

  remove(attempt: GuardedAttempt): void {
    if (attempt.deadline === Infinity) return;
    const { prev, next } = attempt;
    if (prev) prev.next = next;
    else if (this.head === attempt) this.head = next;
    else return; // not in the list (already expired)
    if (next) next.prev = prev;
    else this.tail = prev;
    attempt.prev = attempt.next = undefined;
    if (--this.live === 0) this.timer?.unref();
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = at;
    // setTimeout takes at most 2^31-1 ms (longer fires at once): a far deadline re-arms when this one fires
    this.timer = setTimeout(this.onTimer, Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - performance.now()))));
    if (this.live === 0) this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = performance.now();
    // Node may fire up to ~1 ms early (whole-ms delays); such an attempt is due.
    while (this.head && this.head.deadline <= now + 1) {
      const due = this.head;
      this.remove(due);
      due.expire();
    }
    if (this.head) this.arm(this.head.deadline);
  }
}

/**
 * The attempts running under one caller signal. The caller's signal gets ONE abort listener (this object, for the
 * signal's lifetime) however many attempts run under it, instead of an add/remove per attempt.
 */
class ParentLink {
  first: GuardedAttempt | undefined;

  constructor(private readonly signal: CallSignal) {}

  handleEvent(): void {
    for (let attempt = this.first; attempt; ) {
      const next = attempt.parentNext;
      attempt.cancel(this.signal.reason);
      attempt = next;
    }
  }
}

/** Where a caller signal keeps its link: a property of the signal (a WeakMap entry costs more, in set and in GC). */
const LINK = Symbol('switchyard.attemptLink');
type LinkedSignal = CallSignal & { [LINK]?: ParentLink };
/** For the rare signal that takes no properties (frozen/sealed). */
const sealedLinks = new WeakMap<CallSignal, ParentLink>();

/** Makes `attempt`'s signal fire when `parent` aborts (call `unlinkFromParent` when the attempt settles). */
export function linkToParent(attempt: GuardedAttempt, parent: CallSignal): void {
  const signal = parent as LinkedSignal;
  let link = signal[LINK] ?? sealedLinks.get(parent);
  if (!link) {
    link = new ParentLink(parent);
    if (Object.isExtensible(parent)) Object.defineProperty(parent, LINK, { value: link });
    else sealedLinks.set(parent, link);
    parent.addEventListener('abort', link, { once: true });
  }
  attempt.link = link;
  attempt.parentNext = link.first;
  if (link.first) link.first.parentPrev = attempt;
  link.first = attempt;
}

export function unlinkFromParent(attempt: GuardedAttempt): void {
  const link = attempt.link;
  if (!link) return;
  const { parentPrev, parentNext } = attempt;
  if (parentPrev) parentPrev.parentNext = parentNext;
  else link.first = parentNext;
  if (parentNext) parentNext.parentPrev = parentPrev;
  attempt.link = attempt.parentPrev = attempt.parentNext = undefined;
}
