/**
 * TestContext: starts reef in-process on a free port, on fresh state, and talks real HTTP to it.
 * Embedded adapters by default; with REEF_TEST_SERVICES=1 the real PostgreSQL, NATS and Redis
 * (failing loudly if one is unreachable). Each context gets its own namespace, so contexts and test
 * files run in parallel against long-lived services.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../engine/config.ts';
import type { Email, Mailer } from '../engine/email.ts';
import type { Clock } from '../engine/clock.ts';
import { startReef, type Reef } from '../http/app.ts';

export const SERVICES = process.env.REEF_TEST_SERVICES === '1';
export const SERVICE_URLS = {
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/**
 * A snowflake node id no other live test node uses (services mode). Test files run side by side on
 * one PostgreSQL: two nodes with the same NODE_ID minting ids in the same millisecond would mint the
 * same id. Ids come from an atomic counter in Redis, spread over 16–1023 (below 16 is left to
 * fixtures that pick their own). Embedded mode: each node has its own database; `fallback` stands.
 */
export async function allocateNodeId(fallback = '0'): Promise<string> {
  if (!SERVICES) return fallback;
  const redis = new Redis(SERVICE_URLS.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const n = await redis.incr('reef-test:node-id');
    return String(16 + (n % 1008));
  } finally {
    redis.disconnect();
  }
}

/** A short unique suffix for names (users, spaces) so tests never collide. */
export function uniq(prefix = 'u'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this exact payload (string/Buffer/FormData) instead of JSON-encoding `body`. */
  raw?: NonNullable<RequestInit['body']>;
}

/** '/users/me' → '/api/users/me'; paths outside the REST prefix are kept. */
function fullPath(p: string): string {
  return /^\/(api|uploads|socket\.io|ws|1)(\/|$)/.test(p) ? p : `/api${p}`;
}

export class CapturingMailer implements Mailer {
  readonly mode = 'outbox' as const;
  readonly sent: Email[] = [];
  private waiters: Array<() => void> = [];
  async send(email: Email): Promise<void> {
    this.sent.push(email);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Wait for an email to `to` matching `pred`, up to `timeoutMs`. */
  async waitFor(to: string, pred: (e: Email) => boolean = () => true, timeoutMs = 5000): Promise<Email> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.sent].reverse().find((e) => e.to === to && pred(e));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no email to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

export interface TestContextOptions {
  env?: Record<string, string>;
  clock?: Clock;
}

export class TestContext {
  readonly mailer = new CapturingMailer();
  private constructor(
    readonly reef: Reef,
    readonly config: Config,
    private readonly dataDir: string,
  ) {}

  static async start(opts: TestContextOptions = {}): Promise<TestContext> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-test-'));
    const env: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      PASSWORD_SCRYPT_N: '1024',
      NAMESPACE: uniq('t'),
      SHUTDOWN_TIMEOUT_MS: '2000',
      // Functional tests log in many times from one IP; rate-limit tests set their own low limit.
      RATE_LIMIT_AUTH: '10000/60',
      ...(SERVICES ? SERVICE_URLS : { PGLITE_PATH: 'memory://' }),
      ...(!SERVICES && process.env.REEF_TEST_PGLITE_SEED
        ? { PGLITE_SEED: process.env.REEF_TEST_PGLITE_SEED }
        : {}),
      ...opts.env,
    };
    // Services mode: a node id of its own, whatever the test asked (distinct nodes stay distinct).
    env.NODE_ID = await allocateNodeId(env.NODE_ID);
    const config = loadConfig(env);
    const ctx = new TestContext(null as unknown as Reef, config, dataDir);
    const reef = await startReef(config, {
      mailer: ctx.mailer,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    (ctx as { reef: Reef }).reef = reef;
    return ctx;
  }

  get url(): string {
    return this.reef.url;
  }

  async api<T = any>(method: string, urlPath: string, opts: ApiOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: RequestInit['body'] = opts.raw;
    if (body === undefined && opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.url + fullPath(urlPath), {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  async close(): Promise<void> {
    await this.reef.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
