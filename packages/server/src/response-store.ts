import type { ChatMessage } from '@switchyard/core';
import type { StateStore } from '@switchyard/store';

/** One stored response (Responses API `store`): what GET returns, and the conversation a follow-up continues. */
export interface StoredResponse {
  /** The response object exactly as it was answered. */
  readonly response: Record<string, unknown>;
  /** This response's own turns (its input and its output), without `instructions`, which never carry over. */
  readonly turns: readonly ChatMessage[];
  /** This response's input items as `GET /v1/responses/{id}/input_items` lists them (absent on responses stored before). */
  readonly input?: readonly (Record<string, unknown> & { id: string; type: string })[];
  /** The response it continued: the conversation is the chain's turns, oldest first (stored once each, not copied). */
  readonly previous?: string;
  /** The session the chain counts against (its first response's id): TTL, turn limit and token budget. */
  readonly session: string;
}

/**
 * Responses kept in the state store (SQLite under dataDir: they survive a restart) under the retention limits.
 * Each keeps only its own turns and a link to the one it continued, so a long chain costs linear space.
 */
export class ResponseStore {
  constructor(private readonly state: StateStore) {}

  get(id: string): StoredResponse | undefined {
    return this.state.getResponse<StoredResponse>(id);
  }

  put(id: string, value: StoredResponse): void {
    this.state.putResponse(id, value);
  }

  delete(id: string): boolean {
    return this.state.deleteResponse(id);
  }

  /**
   * The conversation a follow-up of `id` continues: every turn of the chain ending at `id`, oldest first, and the
   * ids of the chain's responses; undefined when `id` is not stored, `{ missing }` when an earlier response of the
   * chain is gone (deleted or expired).
   */
  conversation(id: string): { stored: StoredResponse; turns: ChatMessage[]; responses: ReadonlySet<string> } | { missing: string } | undefined {
    const stored = this.get(id);
    if (!stored) return undefined;
    const chain: (readonly ChatMessage[])[] = [stored.turns];
    const seen = new Set([id]);
    for (let previous = stored.previous; previous !== undefined; ) {
      const earlier = seen.has(previous) ? undefined : this.get(previous);
      if (!earlier) return { missing: previous };
      seen.add(previous);
      chain.push(earlier.turns);
      previous = earlier.previous;
    }
    return { stored, turns: chain.reverse().flat(), responses: seen };
  }
}
