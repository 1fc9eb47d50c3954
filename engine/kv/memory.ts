/** In-memory kv for embedded mode. Expiry is lazy on read plus a periodic sweep. */
import type { Clock } from '../clock.ts';
import type { Kv } from './index.ts';

interface Entry {
  value: string;
  expiresAt: number; // 0 = never
}

export function createMemoryKv(clock: Clock): Kv {
  const map = new Map<string, Entry>();
  const windows = new Map<string, number[]>();
  let closed = false;
  const live = (key: string): Entry | undefined => {
    const e = map.get(key);
    if (e && e.expiresAt !== 0 && e.expiresAt <= clock.now()) {
      map.delete(key);
      return undefined;
    }
    return e;
  };
  const sweep = setInterval(() => {
    const now = clock.now();
    for (const [k, e] of map) if (e.expiresAt !== 0 && e.expiresAt <= now) map.delete(k);
    for (const [k, w] of windows)
      if (w.length === 0 || (w.at(-1) ?? 0) < now - 24 * 3600_000) windows.delete(k);
  }, 30_000);
  sweep.unref();
  const exp = (ttlMs?: number) => (ttlMs && ttlMs > 0 ? clock.now() + ttlMs : 0);

  return {
    mode: 'memory',
    get: async (key) => live(key)?.value ?? null,
    async set(key, value, ttlMs) {
      map.set(key, { value, expiresAt: exp(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      map.set(key, { value, expiresAt: exp(ttlMs) });
      return true;
    },
    async del(key) {
      map.delete(key);
    },
    async incr(key, by = 1, ttlMs) {
      const e = live(key);
      if (!e) {
        map.set(key, { value: String(by), expiresAt: exp(ttlMs) });
        return by;
      }
      const n = Number(e.value) + by;
      e.value = String(n);
      return n;
    },
    async expire(key, ttlMs) {
      const e = live(key);
      if (e) e.expiresAt = exp(ttlMs);
    },
    async rateLimit(key, limit, windowMs) {
      const now = clock.now();
      const hits = (windows.get(key) ?? []).filter((t) => t > now - windowMs);
      if (hits.length < limit) {
        hits.push(now);
        windows.set(key, hits);
        return { allowed: true, remaining: limit - hits.length, retryAfterMs: 0 };
      }
      windows.set(key, hits);
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, (hits[0] ?? now) + windowMs - now) };
    },
    ping: async () => undefined,
    state: () => (closed ? 'closed' : 'ready'),
    async close() {
      closed = true;
      clearInterval(sweep);
    },
  };
}
