/**
 * The kv port: short-lived shared state (presence, counters, rate limits, one-time tokens). In memory
 * on embedded defaults, Redis (ioredis) when REDIS_URL is set. Keys are namespaced by the adapter.
 */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** When refused: how long until one more request would be allowed. */
  retryAfterMs: number;
}

export interface Kv {
  readonly mode: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only if absent; true when this call created the key (a claim). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Atomic add; `ttlMs` applies when the key is created by this call. Returns the new value. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  expire(key: string, ttlMs: number): Promise<void>;
  /** Sliding-window log limiter, atomic across nodes: at most `limit` hits per `windowMs`. */
  rateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  ping(): Promise<void>;
  state(): 'ready' | 'reconnecting' | 'closed';
  close(): Promise<void>;
}
