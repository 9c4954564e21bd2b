import type { RedactionKind } from './safety-transforms.js';

export interface PolicyRuleConfig {
  readonly id: string;
  /** Expression over input.*, request.*, metrics.* (see docs/orchestration.md). */
  readonly when: string;
  readonly action: 'allow' | 'deny' | 'redact';
  readonly reason?: string;
  /** For `redact`: which kinds (default: all). */
  readonly redact?: readonly RedactionKind[];
}

/** `policy` section of the app config. */
export interface PolicyConfig {
  readonly rules?: readonly PolicyRuleConfig[];
  /** Characters; longer text inputs are denied before any rule runs. */
  readonly maxPromptLength?: number;
  /** Case-insensitive regular expressions; a match denies the request. */
  readonly blockedPatterns?: readonly string[];
  /** Outcome when no rule matches (default allow). */
  readonly defaultAction?: 'allow' | 'deny';
}
