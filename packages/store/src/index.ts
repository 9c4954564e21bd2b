export { StateStore, DEFAULT_RETENTION, type RetentionLimits, type StateStoreOptions, type StoredTask, type StoredFrame, type StoredArtifactMeta, type StoredSession } from './state-store.js';
