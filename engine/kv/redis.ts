/** Redis kv (ioredis). The rate limiter is one Lua script, so it is atomic across nodes. */
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Kv } from './index.ts';

// Sliding-window log on a sorted set, timed by the Redis server's clock so nodes agree.
const RATE_LIMIT_LUA = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

const INCR_LUA = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v
`;

export function createRedisClient(url: string, log: Logger, forBullmq = false): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    // BullMQ requires null; for kv calls a bounded retry turns an outage into a clear error.
    maxRetriesPerRequest: forBullmq ? null : 2,
    retryStrategy: (n) => Math.min(n * 200, 2000),
  });
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  return client;
}

export async function createRedisKv(url: string, namespace: string, log: Logger): Promise<Kv> {
  const r = createRedisClient(url, log);
  await r.ping();
  const k = (key: string) => `${namespace}:${key}`;
  let seq = 0;
  return {
    mode: 'redis',
    get: (key) => r.get(k(key)),
    async set(key, value, ttlMs) {
      if (ttlMs && ttlMs > 0) await r.set(k(key), value, 'PX', ttlMs);
      else await r.set(k(key), value);
    },
    async setIfAbsent(key, value, ttlMs) {
      const res =
        ttlMs && ttlMs > 0 ? await r.set(k(key), value, 'PX', ttlMs, 'NX') : await r.set(k(key), value, 'NX');
      return res === 'OK';
    },
    async del(key) {
      await r.del(k(key));
    },
    async incr(key, by = 1, ttlMs = 0) {
      return Number(await r.eval(INCR_LUA, 1, k(key), by, ttlMs));
    },
    async expire(key, ttlMs) {
      await r.pexpire(k(key), ttlMs);
    },
    async rateLimit(key, limit, windowMs) {
      const member = `${process.pid}-${Date.now()}-${++seq}`;
      const [ok, remaining, retry] = (await r.eval(
        RATE_LIMIT_LUA,
        1,
        k(`rl:${key}`),
        limit,
        windowMs,
        member,
      )) as [number, number, number];
      return { allowed: ok === 1, remaining, retryAfterMs: retry };
    },
    async ping() {
      await r.ping();
    },
    state: () => (r.status === 'ready' ? 'ready' : r.status === 'end' ? 'closed' : 'reconnecting'),
    async close() {
      await r.quit().catch(() => r.disconnect());
    },
  };
}
