/** The parsed, validated shape of switchyard.config.yaml (see schemas/config.schema.json and docs/config.md). */
export interface PluginEntryConfig {
  /** npm package name or path relative to the config file. `name` is accepted as a synonym. */
  readonly package?: string;
  readonly name?: string;
  readonly options?: Record<string, unknown>;
  readonly enabled?: boolean;
}

export type PluginConfig = string | PluginEntryConfig;

export interface ModelOverrideConfig {
  readonly engine?: string;
  /** Passed to the engine's doLoad as the model's options. */
  readonly options?: Record<string, unknown>;
}

export interface SwitchyardConfig {
  readonly $schema?: string;
  readonly version?: 1;
  readonly plugins?: readonly PluginConfig[];
  readonly models?: {
    readonly dirs?: readonly string[];
    /** Module of the app's generated registry (`npx switchyard codegen`), relative to the config file. */
    readonly registry?: string;
    /** Model packs: npm packages whose root holds model_metadata.json. */
    readonly packages?: readonly string[];
    readonly cacheDir?: string;
    readonly overrides?: Readonly<Record<string, ModelOverrideConfig>>;
  };
  /** `switchyard codegen` settings. */
  readonly codegen?: { readonly out?: string };
  /** Per-engine switches: `enabled: false` keeps a registered engine out of the app, router and server. */
  readonly engines?: Readonly<Record<string, { readonly enabled?: boolean }>>;
  /** Owned by the orchestrator (policy rules); permissive here. */
  readonly policy?: Readonly<Record<string, unknown>>;
  readonly routing?: Readonly<Record<string, unknown>>;
  readonly resilience?: Readonly<Record<string, unknown>>;
  /** Owned by @switchyard/server; permissive here. */
  readonly server?: Readonly<Record<string, unknown>>;
  /** Distributed mode (BullMQ on Redis); read by `switchyard serve` and `switchyard worker`. */
  readonly queue?: { readonly redis: string; readonly prefix?: string; readonly heartbeatTtlMs?: number; readonly lockDurationMs?: number };
  readonly telemetry?: Readonly<Record<string, unknown>>;
}

/** A position in the config file (1-based line and column), when the parser knows it. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One located problem: `file:line:col: /pointer: message`. */
export interface ConfigIssue {
  readonly file: string;
  readonly pointer: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly expected?: string;
  readonly found?: string;
  /** For unset `${env:NAME}` references: NAME. */
  readonly variable?: string;
}
