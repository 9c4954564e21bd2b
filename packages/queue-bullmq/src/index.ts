export { RedisTaskQueue, createRedisTaskQueue } from './redis-task-queue.js';
export { TaskWorker, type TaskWorkerOptions, type WorkerJobData } from './task-worker.js';
export { RedisKeys, connectRedis, bullConnection } from './frame-log.js';
