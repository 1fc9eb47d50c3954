/**
 * Process lifecycle, as an operator sees it: `node main.ts` as a child process. First start on an
 * empty DATA_DIR, a bad env value, SIGTERM with a request in flight, a restart on the same data, and
 * (with REEF_TEST_SERVICES=1) PostgreSQL and Redis going away behind a TCP proxy and coming back.
 */
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigSchema } from '../engine/config.ts';
import { SERVICES, SERVICE_URLS, uniq } from './context.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface ReefChild {
  proc: ChildProcess;
  port: number;
  url: string;
  /** pino JSON lines from stdout. */
  logs: Array<Record<string, any>>;
  stderr(): string;
  exited: Promise<Exit>;
}

const children: ChildProcess[] = [];
const tempDirs: string[] = [];
const killChildren = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
after(() => {
  killChildren();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});
// If the runner stops this file (a timeout sends SIGTERM), take the reef children along rather
// than leave them running with nobody to stop them.
process.once('exit', killChildren);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });

/** The environment without any reef setting of the parent, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(ConfigSchema.entries)) delete base[key];
  return { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', PASSWORD_SCRYPT_N: '1024', ...env };
}

/** Start `node main.ts`; with `listen`, resolve once it logs 'reef listening' (with its port). */
function spawnReef(env: Record<string, string>, listen = true): Promise<ReefChild> {
  const proc = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const logs: Array<Record<string, any>> = [];
  let stderr = '';
  let partial = '';
  const exited = new Promise<Exit>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a half-started reef behind on its DATA_DIR
      const seen = logs.map((l) => l.msg).join('; ');
      reject(new Error(`reef did not listen in 90 s; logged: ${seen}; stderr: ${stderr}`));
    }, 90_000);
    proc.stderr!.on('data', (d) => (stderr += d));
    proc.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, any>;
        logs.push(entry);
        if (entry.msg === 'reef listening' && listen) {
          clearTimeout(timer);
          const port = Number(entry.port);
          resolve({ proc, port, url: `http://127.0.0.1:${port}`, logs, stderr: () => stderr, exited });
        }
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      if (listen) reject(new Error(`reef exited (${exit.code}) before listening; stderr: ${stderr}`));
      else resolve({ proc, port: 0, url: '', logs, stderr: () => stderr, exited });
    });
  });
}

async function api(base: string, method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A client that can connect, or the error code of the refusal. */
function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A TCP proxy we can cut and restore, standing in for a service that goes away. */
class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Refuse new connections and reset every open one, as a crashed service would. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

// The three groups below run concurrently: each is mostly waiting for a child process to start.
describe('reef as a process', { concurrency: true }, () => {
  // Sequential: each step needs the one before (subtests would inherit the parent's concurrency).
  describe('embedded defaults', { concurrency: 1 }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-life-'));
    tempDirs.push(dataDir);
    const name = uniq('life');
    const password = 'correct horse battery';
    let first: ReefChild;

    test('first start creates DATA_DIR/pglite and answers /api/health', async (t) => {
      fs.rmSync(dataDir, { recursive: true, force: true }); // start from nothing at all
      const started = Date.now();
      first = await spawnReef({ DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '5000' });
      const health = await api(first.url, 'GET', '/api/health');
      const ms = Date.now() - started;
      t.diagnostic(`first start: health answered ${ms} ms after spawn`);
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      assert.equal(health.body.ports.db.mode, 'pglite');
      assert.ok(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')), 'a PGlite database on disk');
      assert.ok(
        first.logs.some((l) => l.msg === 'migrations applied'),
        'migrations ran on the empty database',
      );
    });

    test('SIGTERM: the in-flight request completes, new connections are refused, exit 0 in time', async (t) => {
      assert.ok(first, 'needs the first start');
      // 1. Start a register request and stream only half of its body.
      const body = Buffer.from(
        JSON.stringify({
          email: `${name}@example.test`,
          username: name,
          displayName: 'Drain Test',
          password,
        }),
      );
      const sock = net.connect(first.port, '127.0.0.1');
      let response = '';
      sock.on('data', (d) => (response += d));
      const closed = new Promise<void>((r) => sock.on('close', () => r()));
      await new Promise<void>((r) => sock.on('connect', () => r()));
      sock.write(
        `POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      sock.write(body.subarray(0, 20));
      await sleep(100);
      // 2. SIGTERM while the body is still coming.
      const signalled = Date.now();
      first.proc.kill('SIGTERM');
      // The listener closes as soon as the child handles the signal (later on a busy machine).
      let refused = await tryConnect(first.port);
      for (let i = 0; i < 100 && refused === 'connected'; i++) {
        await sleep(100);
        refused = await tryConnect(first.port);
      }
      // Refused, or reset when the attempt sat in the accept backlog as the listener closed.
      assert.ok(
        refused === 'ECONNREFUSED' || refused === 'ECONNRESET',
        `new connections are refused: ${refused}`,
      );
      await sleep(200);
      assert.equal(first.proc.exitCode, null, 'still running while a request is in flight');
      assert.equal(response, '', 'the in-flight request has not been answered early');
      // 3. The rest of the body arrives; the request is served in full, then the connection closes.
      sock.write(body.subarray(20));
      await closed;
      assert.match(response, /^HTTP\/1\.1 201 Created/);
      assert.match(response, /connection: close/i);
      const user = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as {
        user: { username: string };
      };
      assert.equal(user.user.username, name);
      // 4. The process exits 0 within SHUTDOWN_TIMEOUT_MS.
      const exit = await first.exited;
      const ms = Date.now() - signalled;
      t.diagnostic(`exited ${ms} ms after SIGTERM`);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(ms < 5000, `exited after ${ms} ms`);
      assert.ok(first.logs.some((l) => l.msg === 'reef stopped'));
    });

    test('a restart on the same DATA_DIR keeps the data (the user registered during the drain)', async (t) => {
      const started = Date.now();
      const again = await spawnReef({ DATA_DIR: dataDir });
      t.diagnostic(`restart: listening after ${Date.now() - started} ms`);
      try {
        // Nothing the first start applied is applied again (a migration added since may be).
        const applied = (c: ReefChild): string[] =>
          c.logs.filter((l) => l.msg === 'migrations applied').flatMap((l) => l.applied as string[]);
        assert.ok(applied(first).length > 0);
        assert.deepEqual(
          applied(again).filter((m) => applied(first).includes(m)),
          [],
        );
        const login = await api(again.url, 'POST', '/api/auth/login', { login: name, password });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        const me = await api(again.url, 'GET', '/api/users/me', undefined, login.body.accessToken);
        assert.equal(me.body.username, name);
        assert.equal(me.body.displayName, 'Drain Test');
      } finally {
        again.proc.kill('SIGTERM');
        const exit = await again.exited;
        assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}; stderr: ${again.stderr()}`);
      }
    });
  });

  describe('backing services going away', { skip: !SERVICES && 'needs REEF_TEST_SERVICES=1' }, () => {
    test('PostgreSQL and Redis down: 503s in the spec shape, health names them, no crash; back when they return', async (t) => {
      const pgUrl = new URL(SERVICE_URLS.DATABASE_URL);
      const redisUrl = new URL(SERVICE_URLS.REDIS_URL);
      const pg = new TcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
      const redis = new TcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
      await pg.start();
      await redis.start();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-down-'));
      tempDirs.push(dataDir);
      const proxiedPg = new URL(pgUrl);
      proxiedPg.port = String(pg.port);
      const proxiedRedis = new URL(redisUrl);
      proxiedRedis.port = String(redis.port);
      const reef = await spawnReef({
        DATA_DIR: dataDir,
        DATABASE_URL: proxiedPg.toString(),
        REDIS_URL: proxiedRedis.toString(),
        NAMESPACE: uniq('down'),
      });
      try {
        const name = uniq('down');
        const reg = await api(reef.url, 'POST', '/api/auth/register', {
          email: `${name}@example.test`,
          username: name,
          displayName: 'Down Test',
          password: 'correct horse battery',
        });
        assert.equal(reg.status, 201);
        const token = reg.body.accessToken as string;

        // 1. PostgreSQL goes away.
        await pg.kill();
        const me = await api(reef.url, 'GET', '/api/users/me', undefined, token);
        assert.equal(me.status, 503);
        assert.deepEqual(me.body, {
          error: {
            code: 'SERVICE_UNAVAILABLE',
            message: 'A backing service is unavailable; try again shortly',
          },
        });
        const health = await api(reef.url, 'GET', '/api/health');
        assert.equal(health.status, 503);
        assert.equal(health.body.status, 'degraded');
        assert.equal(health.body.ports.db.state, 'down');
        assert.match(health.body.ports.db.error, /ECONNREFUSED|terminated|connect/i);
        assert.equal(health.body.ports.kv.state, 'up');
        t.diagnostic(`db down: ${health.body.ports.db.error}`);

        // 2. It comes back on the same address: requests succeed again without a restart.
        await pg.start();
        const back = await api(reef.url, 'GET', '/api/users/me', undefined, token);
        assert.equal(back.status, 200);
        assert.equal(back.body.username, name);

        // 3. Redis goes away: health names it; a rate-limited route answers a clear 503.
        await redis.kill();
        const h2 = await api(reef.url, 'GET', '/api/health');
        assert.equal(h2.status, 503);
        assert.equal(h2.body.ports.kv.state, 'down');
        assert.equal(h2.body.ports.db.state, 'up');
        assert.ok(h2.body.ports.kv.error, 'the error is named');
        t.diagnostic(`redis down: ${h2.body.ports.kv.error}`);
        const login = await api(reef.url, 'POST', '/api/auth/login', {
          login: name,
          password: 'correct horse battery',
        });
        assert.equal(login.status, 503);
        assert.equal(login.body.error.code, 'SERVICE_UNAVAILABLE');
        // Routes that do not need Redis still work.
        assert.equal((await api(reef.url, 'GET', '/api/users/me', undefined, token)).status, 200);

        // 4. Redis returns.
        await redis.start();
        let relogin = await api(reef.url, 'POST', '/api/auth/login', {
          login: name,
          password: 'correct horse battery',
        });
        for (let i = 0; i < 50 && relogin.status === 503; i++) {
          await sleep(100); // ioredis reconnects with backoff (up to 2 s)
          relogin = await api(reef.url, 'POST', '/api/auth/login', {
            login: name,
            password: 'correct horse battery',
          });
        }
        assert.equal(relogin.status, 200);
        assert.equal((await api(reef.url, 'GET', '/api/health')).status, 200);
        assert.equal(reef.proc.exitCode, null, 'never crashed');
        assert.deepEqual(
          reef.logs.filter((l) => /uncaught|unhandled/.test(l.msg)).map((l) => l.err?.message ?? l.msg),
          [],
          'every failure was handled where it happened',
        );
      } finally {
        reef.proc.kill('SIGTERM');
        const exit = await reef.exited;
        await pg.kill();
        await redis.kill();
        assert.equal(exit.code, 0);
      }
    });
  });

  test('a bad env value exits 1 naming the variable', async () => {
    const child = await spawnReef(
      { PORT: 'abc', NODE_ID: '5000', DATA_DIR: path.join(os.tmpdir(), uniq('reef-badenv-')) },
      false,
    );
    const exit = await child.exited;
    assert.equal(exit.code, 1);
    assert.match(child.stderr(), /invalid configuration/);
    assert.match(child.stderr(), /PORT: must be an integer/);
    assert.match(child.stderr(), /NODE_ID: must be <= 1023/);
  });
});
