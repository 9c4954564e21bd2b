// The Lua scripts of the distributed sessions (RedisSessions), defined as commands on every connection (connectRedis).

/**
 * Counts a turn of a session kept in Redis (a hash with a sliding TTL): 1 = out of turns, 2 = out of budget, 0 =
 * counted. ARGV: now, ttlMs, maxTurns, tokenBudget.
 */
export const SESSION_TOUCH = `
local s = redis.call('HMGET', KEYS[1], 'turns', 'tokens')
if tonumber(s[1] or '0') >= tonumber(ARGV[3]) then return 1 end
if tonumber(s[2] or '0') >= tonumber(ARGV[4]) then return 2 end
redis.call('HSETNX', KEYS[1], 'created_at', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'turns', 1)
redis.call('HSET', KEYS[1], 'last_used_at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

/** Adds a finished task's tokens to its session, unless the session expired meanwhile. */
export const SESSION_TOKENS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[1])
`;
