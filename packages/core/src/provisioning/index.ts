export * from './model-provisioner.js';
export * from './model-sources.js';
export * from './file-hash.js';
export * from './catalog-file-provisioner.js';
export * from './path-safety.js';
