export * from './task-store.js';
