export * from './xyb-manifest.js';
export * from './xyb-bundle.js';
export * from './xyb-write.js';
