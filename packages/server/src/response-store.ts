import type { ChatMessage } from '@switchyard/core';
import type { StateStore } from '@switchyard/store';

/** One stored response (Responses API `store`): what GET returns, and the conversation a follow-up continues. */
export interface StoredResponse {
  /** The response object exactly as it was answered. */
  readonly response: Record<string, unknown>;
  /** The conversation through this response (input turns and its output), without `instructions`, which never carry over. */
  readonly context: readonly ChatMessage[];
  /** The session the chain counts against (its first response's id): TTL, turn limit and token budget. */
  readonly session: string;
}

/** Responses kept in the state store (SQLite under dataDir: they survive a restart), deleted with task retention. */
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
}
