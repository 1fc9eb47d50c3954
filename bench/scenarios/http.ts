/**
 * `npm run bench -- http`: the REST edge under load. Two reef processes (identical: their ratio is
 * the noise floor) and a Fastify + pg baseline doing the same work, all on PostgreSQL, Redis and
 * NATS, measured in alternating rounds on:
 * - GET /api/health (a `select 1` and a Redis PING per request),
 * - GET /api/users/me with a bearer token (HS256 verify, the auth query, the profile query).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BenchContext, Target } from '../lib/context.ts';
import type { ServerProcess } from '../lib/procs.ts';

export const name = 'http';
export const description =
  'GET /api/health and GET /api/users/me: reef vs Fastify + pg (+ reef A-vs-A noise)';

async function getJson(url: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: await res.json() };
}

export async function run(ctx: BenchContext): Promise<void> {
  const { DATABASE_URL, REDIS_URL, NATS_URL } = ctx.services;
  const JWT_SECRET = randomBytes(36).toString('base64url');
  const namespace = `bench${randomBytes(4).toString('hex')}`;
  const reefEnv = { DATABASE_URL, REDIS_URL, NATS_URL, JWT_SECRET, NAMESPACE: namespace, DB_POOL_SIZE: '10' };

  // 1. reef first (it migrates the database), then its twin and the baseline together.
  const reef = await ctx.startReef('reef', reefEnv);
  const [reefB, fastify] = await Promise.all([
    ctx.startReef('reef-b', reefEnv),
    ctx.startBaseline('fastify-pg', 'bench/baselines/fastify-pg.ts', {
      DATABASE_URL,
      REDIS_URL,
      JWT_SECRET,
      DB_POOL_SIZE: '10',
    }),
  ]);

  // 2. A user registered through reef's API, as a client would.
  const username = `bench${randomBytes(5).toString('hex')}`;
  const reg = await fetch(`${reef.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `${username}@bench.test`,
      username,
      displayName: 'Bench User',
      password: 'correct horse battery',
    }),
  });
  const session = (await reg.json()) as { accessToken?: string };
  if (reg.status !== 201 || !session.accessToken)
    throw new Error(`register failed: ${reg.status} ${JSON.stringify(session)}`);
  const token = session.accessToken;

  // 3. Same answers from every target before measuring anything.
  const servers: ServerProcess[] = [reef, fastify, reefB];
  const me = await Promise.all(servers.map((s) => getJson(`${s.url}/api/users/me`, token)));
  for (const r of me) assert.deepEqual(r, me[0], 'every target answers GET /api/users/me alike');
  assert.equal(me[0]!.body.username, username);
  const health = await Promise.all(servers.map((s) => getJson(`${s.url}/api/health`)));
  for (const h of health) {
    assert.equal(h.status, 200);
    assert.deepEqual(Object.keys(h.body.ports), ['db', 'bus', 'kv', 'jobs']);
  }
  ctx.note(
    'reef and reef-b are identical processes (their ratio is the noise floor); fastify-pg is bench/baselines/fastify-pg.ts (Fastify 5, pg pool, jose), same queries and JSON.',
  );
  ctx.note(
    'All three use PostgreSQL, Redis and NATS on this machine; the database is not pinned and shares the cores.',
  );

  // 4. Alternating rounds per workload: reef, fastify, reef-b, reef, fastify, reef-b, ...
  const targets = (path: string, headers?: Record<string, string>): Target[] =>
    servers.map((server, i) => ({
      label: ['reef', 'fastify-pg', 'reef-b'][i]!,
      server,
      path,
      ...(headers ? { headers } : {}),
    }));
  await ctx.compare({
    workload: 'GET /api/health',
    targets: targets('/api/health'),
    baseline: 'fastify-pg',
    noisePair: ['reef', 'reef-b'],
  });
  await ctx.compare({
    workload: 'GET /api/users/me',
    targets: targets('/api/users/me', { authorization: `Bearer ${token}` }),
    baseline: 'fastify-pg',
    noisePair: ['reef', 'reef-b'],
  });
}
