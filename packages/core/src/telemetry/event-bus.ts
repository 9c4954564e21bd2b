import type { SwitchyardEventName, SwitchyardEvents } from './telemetry-events.js';

export type EventListener<K extends SwitchyardEventName> = (payload: SwitchyardEvents[K]) => void;
export type AnyEventListener = <K extends SwitchyardEventName>(name: K, payload: SwitchyardEvents[K]) => void;

/**
 * Typed, synchronous event bus. A throwing listener never breaks the emitter (telemetry must not fail inference);
 * its error is handed to `onListenerError`.
 */
export class EventBus {
  private readonly listeners = new Map<SwitchyardEventName, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<AnyEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<K extends SwitchyardEventName>(name: K, listener: EventListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Listens to every event (used by the log sink and tests). */
  onAny(listener: AnyEventListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<K extends SwitchyardEventName>(name: K, payload: SwitchyardEvents[K]): void {
    const set = this.listeners.get(name);
    if (set) {
      for (const listener of set) {
        try {
          (listener as EventListener<K>)(payload);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
    for (const listener of this.anyListeners) {
      try {
        listener(name, payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get hasListeners(): boolean {
    return this.anyListeners.size > 0 || [...this.listeners.values()].some((s) => s.size > 0);
  }
}
