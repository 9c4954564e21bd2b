import type { AbortCheck } from './engine/v1/engine-v1.js';

/** An abort listener: a function or an object with `handleEvent`, as EventTarget takes them. */
export type AbortListener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * A call's cancellation that makes no AbortSignal until someone reads `signal` (see `Cancellation`). It reads and
 * listens like an AbortSignal: `aborted`, `reason` and `abort` listeners.
 */
export interface CallCancellation extends AbortCheck {
  addEventListener(type: 'abort', listener: AbortListener, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

/** What a call takes to be cancelled: an AbortSignal, or a `CallCancellation` that makes one only on demand. */
export type CallSignal = AbortSignal | CallCancellation;

/** The AbortSignal of a call signal (a CallCancellation makes its signal now), for code that needs a real one (fetch, streams). */
export function abortSignalOf(signal: CallSignal): AbortSignal {
  return 'signal' in signal ? signal.signal : signal;
}

/**
 * A cancellation whose AbortSignal is made only when something reads `signal`. On Node 20 every AbortSignal costs
 * several microseconds to make and slows code that runs while signals are made, so a server that creates one per
 * request for calls that mostly never read it pays for nothing. `cancel(reason)` aborts it (once): listeners are
 * called and a signal already made fires; a signal made later is born aborted.
 */
export class Cancellation implements CallCancellation {
  private controller: AbortController | undefined = undefined;
  private listeners: AbortListener[] | undefined = undefined;
  private cancelled = false;
  private cancelReason: unknown = undefined;

  get aborted(): boolean {
    return this.cancelled;
  }

  get reason(): unknown {
    return this.cancelReason;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (!controller) {
      controller = this.controller = new AbortController();
      if (this.cancelled) controller.abort(this.cancelReason);
    }
    return controller.signal;
  }

  /** Cancels the call; the reason defaults to an AbortError, as `AbortController.abort()` gives. */
  cancel(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.cancelReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (!listeners) return;
    const event = new Event('abort');
    for (const listener of listeners) {
      try {
        if (typeof listener === 'function') listener.call(this, event);
        else listener.handleEvent(event);
      } catch (error) {
        // As EventTarget does: a throwing listener does not stop the others; its error is reported as uncaught.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Every listener fires at most once (a call is cancelled once); as on an aborted AbortSignal, one added after the abort never fires. */
  addEventListener(type: 'abort', listener: AbortListener): void {
    if (type !== 'abort' || this.cancelled) return;
    const listeners = (this.listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: AbortListener): void {
    const listeners = this.listeners;
    if (type !== 'abort' || !listeners) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }
}
