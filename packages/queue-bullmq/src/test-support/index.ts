export { startRedis, hasRedisServer, redisSkipReason, type TestRedis } from './redis-server.js';
