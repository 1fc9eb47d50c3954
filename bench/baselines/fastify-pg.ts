/**
 * Baseline for the `http` scenario: the same two endpoints as reef, written as a plain Fastify app
 * over a pg pool, doing the same work per request:
 * - GET /api/health: `select 1` on PostgreSQL and PING on Redis, then reef's health JSON.
 * - GET /api/users/me: verify the HS256 access token (jose, same secret and claims), run reef's
 *   authentication query (users left join user_bans by id), then its profile query (the users row),
 *   and answer the same JSON.
 * Env: DATABASE_URL, REDIS_URL, JWT_SECRET, DB_POOL_SIZE (default 10), PORT (default 0).
 * Prints `listening <port>` when ready.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

// int8 as a string, as reef's drivers return it.
pg.types.setTypeParser(20, (v) => v);
const pool = new pg.Pool({
  connectionString: env('DATABASE_URL'),
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 2 });
const key = new TextEncoder().encode(env('JWT_SECRET'));

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  bio: string | null;
  is_admin: boolean;
  base_color: string | null;
  accent_color: string | null;
  status: string;
  created_at: Date;
  email: string;
  email_verified: boolean;
  totp_enabled: boolean;
}

const error = (code: string, message: string) => ({ error: { code, message } });

const app = Fastify({ logger: false });

app.get('/api/health', async (_req, reply) => {
  const [db, kv] = await Promise.allSettled([pool.query('select 1'), redis.ping()]);
  const port = (mode: string, r: PromiseSettledResult<unknown>) =>
    r.status === 'fulfilled' ? { mode, state: 'up' } : { mode, state: 'down', error: String(r.reason) };
  const ports = {
    db: port('postgres', db),
    bus: { mode: 'nats', state: 'up' },
    kv: port('redis', kv),
    jobs: { mode: 'bullmq', state: kv.status === 'fulfilled' ? 'ready' : 'reconnecting' },
  };
  const ok = db.status === 'fulfilled' && kv.status === 'fulfilled';
  return reply
    .code(ok ? 200 : 503)
    .send({ status: ok ? 'ok' : 'degraded', node: `fastify-${process.pid}`, ports });
});

app.get('/api/users/me', async (req, reply) => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return reply.code(401).send(error('UNAUTHORIZED', 'Authentication required'));
  let sub: string;
  try {
    const { payload } = await jwtVerify(m[1]!, key, { algorithms: ['HS256'] });
    if (payload.typ !== 'access' || typeof payload.sub !== 'string') throw new Error('wrong token type');
    sub = payload.sub;
  } catch {
    return reply.code(401).send(error('UNAUTHORIZED', 'Invalid or expired access token'));
  }
  const auth = await pool.query<{ id: string; banned: string | null }>(
    'select users.id, users.username, users.is_admin, user_bans.user_id as banned from users left join user_bans on user_bans.user_id = users.id where users.id = $1',
    [sub],
  );
  const who = auth.rows[0];
  if (!who) return reply.code(401).send(error('UNAUTHORIZED', 'Account no longer exists'));
  if (who.banned) return reply.code(403).send(error('FORBIDDEN', 'Your account has been suspended'));
  const { rows } = await pool.query<UserRow>('select * from users where id = $1', [who.id]);
  const u = rows[0];
  if (!u) return reply.code(401).send(error('UNAUTHORIZED', 'Account no longer exists'));
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    avatarUrl: u.avatar_url,
    bio: u.bio,
    isAdmin: u.is_admin,
    baseColor: u.base_color,
    accentColor: u.accent_color,
    status: u.status,
    createdAt: u.created_at.toISOString(),
    email: u.email,
    emailVerified: u.email_verified,
    totpEnabled: u.totp_enabled,
  };
});

const shutdown = async () => {
  await app.close();
  await pool.end();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
