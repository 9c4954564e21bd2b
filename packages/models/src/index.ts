export * from './generated/index.js';
export const VERSION = '0.1.0';
