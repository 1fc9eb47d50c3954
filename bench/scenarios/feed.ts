/**
 * `npm run bench -- feed`: GET /api/follows/feed on a social graph of 10,000 users (a skewed
 * follower distribution: five accounts with ~5,000 followers, most users following 5–200, 30 % of
 * follows returned) and 1,000,000 posts (80 % public, 15 % followers, 5 % private, 3 % reposts),
 * bulk-loaded once with INSERT ... SELECT generate_series into its own PostgreSQL database
 * (`reef_bench_feed`, reused by later runs).
 *
 * Two viewers: a typical user (150 follows, skewed towards popular accounts) and a heavy one
 * (5,000 follows, the maximum). Measured:
 * 1. the feed page in SQL, sequentially, as reef runs it (viewer graph + one keyset query built by
 *    domain/social/visibility.ts) against a baseline written the obvious way (one query, OR over
 *    LEFT JOINs to follows), same answers checked first; p50/p99 per viewer, first and deep pages;
 * 2. EXPLAIN (ANALYZE, BUFFERS) of both queries;
 * 3. the HTTP endpoint at one connection (latency) and under load (reef vs reef-b noise pair).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import type { Database } from '../../engine/db/schema.ts';
import { feedSources } from '../../domain/social/feed.service.ts';
import { feedPage, FEED_WINDOW_PER_POST, type FeedStrategy } from '../../domain/social/posts.repository.ts';
import { feedByAuthorQuery, feedWindowQuery } from '../../domain/social/visibility.ts';
import { createSpacesSocial } from '../../domain/social/spaces-adapter.ts';
import '../../domain/social/tables.ts';
import '../../domain/accounts/tables.ts';

export const name = 'feed';
export const description =
  'GET /api/follows/feed on 10k users / 1M posts: typical and heavy user, reef query vs an OR-over-joins baseline';

const DB_NAME = 'reef_bench_feed';
const USERS = 10_000;
const POSTS = 1_000_000;
/** Bench user ids: far below real snowflakes, so they never collide with ids reef draws. */
const BASE = 1_000_000;
const SEED_VERSION = `v1:${USERS}:${POSTS}`;
const PASSWORD = 'correct horse battery';
const PAGE = 10;
const REEF_EPOCH = 1_704_067_200_000;

type Db = Kysely<Database>;

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const r = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
    if (r.rowCount === 0) await admin.query(`create database ${DB_NAME}`);
  } finally {
    await admin.end();
  }
}

type Step = (what: string, q: ReturnType<typeof sql>) => Promise<void>;

/** Users, handles and the follow graph. */
async function seedGraph(run: Step): Promise<void> {
  await run(
    'users',
    sql`insert into users (id, email, email_lower, username, username_lower, display_name)
      select ${BASE} + i, 'bf' || i || '@bench.test', 'bf' || i || '@bench.test', 'bf' || i, 'bf' || i, 'Bench ' || i
      from generate_series(1, ${USERS}) i on conflict do nothing`,
  );
  await run(
    'handles',
    sql`insert into handles (handle_lower, kind, owner_id)
      select 'bf' || i, 'user', ${BASE} + i from generate_series(1, ${USERS}) i on conflict do nothing`,
  );
  // Most users follow 5–200 accounts chosen with a strong skew towards low ids (popular ones).
  await run(
    'follows (skewed)',
    sql`insert into follows (follower_id, followee_id, status, created_at)
      select distinct ${BASE} + f, ${BASE} + 1 + floor(${USERS} * power(random(), 3))::int, 'accepted', now()
      from generate_series(1, ${USERS}) f
      cross join lateral generate_series(1, (5 + floor(195 * power(random(), 2)) + 0 * f)::int) k
      on conflict do nothing`,
  );
  await run(
    'follows (5 accounts with ~5,000 followers)',
    sql`insert into follows (follower_id, followee_id, status, created_at)
      select ${BASE} + f, ${BASE} + c, 'accepted', now()
      from generate_series(1, 5) c, generate_series(1, ${USERS}) f where random() < 0.5
      on conflict do nothing`,
  );
  await run(
    'follows (30 % returned)',
    sql`insert into follows (follower_id, followee_id, status, created_at)
      select followee_id, follower_id, 'accepted', now() from follows
      where follower_id between ${BASE + 1} and ${BASE + USERS} and random() < 0.3
      on conflict do nothing`,
  );
  await run('no self-follows', sql`delete from follows where follower_id = followee_id`);
}

/** The graph and the posts, once per database (a marker in system_settings says it is done). */
async function seed(db: Db, progress: (m: string) => void): Promise<void> {
  const done = await db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', 'bench_feed_seed')
    .executeTakeFirst();
  if (done?.value === SEED_VERSION) return progress('feed: dataset already loaded');
  const run = async (what: string, q: ReturnType<typeof sql>) => {
    const t0 = Date.now();
    await q.execute(db);
    progress(`feed: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  const graphDone = await db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', 'bench_feed_graph')
    .executeTakeFirst();
  if (graphDone?.value !== SEED_VERSION) await seedGraph(run);
  await db
    .insertInto('system_settings')
    .values({ key: 'bench_feed_graph', value: SEED_VERSION })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: SEED_VERSION }))
    .execute();
  await sql`delete from posts where author_id between ${BASE + 1} and ${BASE + USERS}`.execute(db);
  // Posts one every 30 s up to now, ids as snowflakes of their time; authors skewed (active
  // accounts post more); every 33rd post (after the first 2,000) reposts one of the 1,000 before it.
  const t0 = Date.now() - POSTS * 30_000;
  const batch = 100_000;
  for (let from = 1; from <= POSTS; from += batch) {
    const to = Math.min(POSTS, from + batch - 1);
    const pid = (i: ReturnType<typeof sql>) =>
      sql`((((${t0}::bigint + (${i})::bigint * 30000) - ${REEF_EPOCH}) << 22) | ((${i})::bigint % 4096))`;
    await run(
      `posts ${from}–${to}`,
      sql`insert into posts (id, author_id, body, visibility, repost_of_id, created_at)
        select ${pid(sql`i`)},
          ${BASE} + 1 + floor(${USERS} * power(x.a, 2))::int,
          'post ' || i || ' about #topic' || (i % 100),
          case when x.v < 0.80 then 'public' when x.v < 0.95 then 'followers' else 'private' end,
          case when i % 33 = 0 and i > 2000 then ${pid(sql`i - 1 - floor(x.r * 1000)::int`)} end,
          to_timestamp((${t0}::bigint + i::bigint * 30000) / 1000.0)
        from generate_series(${from}::int, ${to}::int) i
        cross join lateral (select random() + 0 * i as a, random() + 0 * i as v, random() + 0 * i as r) x`,
    );
  }
  await run('analyze', sql`analyze`);
  await db
    .insertInto('system_settings')
    .values({ key: 'bench_feed_seed', value: SEED_VERSION })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: SEED_VERSION }))
    .execute();
}

interface Viewer {
  label: string;
  id: string;
  token: string;
}

/** A viewer registered through reef's API (once), its follows wired in SQL like the rest. */
async function viewer(
  db: Db,
  url: string,
  username: string,
  label: string,
  follows: ReturnType<typeof sql>,
): Promise<Viewer> {
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('username_lower', '=', username)
    .executeTakeFirst();
  if (!existing) {
    const reg = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `${username}@bench.test`,
        username,
        displayName: label,
        password: PASSWORD,
      }),
    });
    if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${await reg.text()}`);
  }
  const id = (
    await db.selectFrom('users').select('id').where('username_lower', '=', username).executeTakeFirstOrThrow()
  ).id;
  // Wired once (a viewer whose wiring failed half-way gets it on the next run).
  const wired = await db
    .selectFrom('follows')
    .select('followee_id')
    .where('follower_id', '=', id)
    .executeTakeFirst();
  if (!wired) {
    await sql`insert into follows (follower_id, followee_id, status, created_at)
      select ${id}::bigint, f, 'accepted', now() from (${follows}) s(f) on conflict do nothing`.execute(db);
    await sql`insert into follows (follower_id, followee_id, status, created_at)
      select followee_id, follower_id, 'accepted', now() from follows
      where follower_id = ${id} and random() < 0.3 on conflict do nothing`.execute(db);
    await sql`analyze follows`.execute(db);
  }
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: username, password: PASSWORD }),
  });
  const session = (await login.json()) as { accessToken?: string };
  if (!session.accessToken) throw new Error(`login ${username}: ${login.status}`);
  return { label, id, token: session.accessToken };
}

const spaces = createSpacesSocial(() => ({ managedSocialSpaces: async () => [] }));
const sourcesOf = (viewerId: string) => feedSources(viewerId, spaces);

/**
 * reef's feed page, as PostReader.feed runs it before presenting (posts.repository's feedPage: the
 * window query, and the per-followee query when the window falls short; or one of them).
 */
async function reefPage(
  db: Db,
  viewerId: string,
  before?: string,
  strategy: FeedStrategy = 'auto',
): Promise<string[]> {
  return (await feedPage(db, viewerId, sourcesOf, { before, limit: PAGE }, strategy)).map((p) => p.id);
}

/**
 * The same rules written the obvious way: one query, the viewer's relationships as LEFT JOINs to
 * follows (for the author and for a repost's original author) and an OR of the cases.
 */
function baselineQuery(viewerId: string, before?: string) {
  const notBlocked = (author: ReturnType<typeof sql>) => sql`not exists (select 1 from user_blocks b
    where (b.blocker_id = ${viewerId} and b.blocked_id = ${author}) or (b.blocker_id = ${author} and b.blocked_id = ${viewerId}))`;
  return sql<{ id: string }>`
    select p.id from posts p
    left join follows f on f.follower_id = ${viewerId} and f.followee_id = p.author_id and f.status = 'accepted'
    left join follows m on m.follower_id = p.author_id and m.followee_id = ${viewerId} and m.status = 'accepted'
    left join posts o on o.id = p.repost_of_id
    left join follows of on of.follower_id = ${viewerId} and of.followee_id = o.author_id and of.status = 'accepted'
    left join follows om on om.follower_id = o.author_id and om.followee_id = ${viewerId} and om.status = 'accepted'
    where (
      (p.space_id is null and p.author_id = ${viewerId})
      or (p.space_id is null and f.follower_id is not null
          and not exists (select 1 from user_mutes u where u.user_id = ${viewerId} and u.muted_id = p.author_id)
          and ${notBlocked(sql`p.author_id`)}
          and (p.visibility = 'public' or (p.visibility = 'followers' and m.follower_id is not null)))
      or p.space_id in (select sm.space_id from space_members sm join spaces s on s.id = sm.space_id
          where sm.user_id = ${viewerId} and s.settings->>'socialEnabled' = 'true')
    )
    and (p.repost_of_id is null or (o.id is not null and (o.space_id is not null or o.author_id = ${viewerId}
      or (o.visibility = 'public' and ${notBlocked(sql`o.author_id`)})
      or (o.visibility = 'followers' and of.follower_id is not null and om.follower_id is not null))))
    ${before ? sql`and p.id < ${before}` : sql``}
    order by p.id desc limit ${PAGE}`;
}

async function baselinePage(db: Db, viewerId: string, before?: string): Promise<string[]> {
  return (await baselineQuery(viewerId, before).execute(db)).rows.map((r) => String(r.id));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function explain(pool: pg.Pool, q: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  const res = await pool.query<Record<string, string>>(`explain (analyze, buffers, costs off) ${q.sql}`, [
    ...q.parameters,
  ]);
  return res.rows.map((row) => row['QUERY PLAN']).join('\n');
}

/**
 * EXPLAIN of `q` as reef runs it: a prepared statement past its first five executions (by then
 * PostgreSQL runs its generic plan, so the planning time shown is the plan cache's).
 */
async function explainPrepared(
  pool: pg.Pool,
  q: { sql: string; parameters: readonly unknown[] },
): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query(`prepare bench_feed_explain as ${q.sql}`);
    const args = `(${q.parameters.map((p) => `'${String(p).replaceAll("'", "''")}'`).join(', ')})`;
    for (let i = 0; i < 6; i++) await client.query(`execute bench_feed_explain${args}`);
    const res = await client.query<Record<string, string>>(
      `explain (analyze, buffers, costs off) execute bench_feed_explain${args}`,
    );
    return res.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('deallocate bench_feed_explain');
    client.release();
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  const { DATABASE_URL, REDIS_URL, NATS_URL } = ctx.services;
  await ensureDatabase(DATABASE_URL);
  const dbUrl = withDatabase(DATABASE_URL, DB_NAME);
  const env = {
    DATABASE_URL: dbUrl,
    REDIS_URL,
    NATS_URL,
    JWT_SECRET: randomBytes(36).toString('base64url'),
    NAMESPACE: `benchfeed${randomBytes(3).toString('hex')}`,
    DB_POOL_SIZE: '10',
    ACCESS_TOKEN_TTL_S: '86400',
    LOG_LEVEL: 'warn',
  };
  // 1. reef first: it migrates the bench database.
  const reef = await ctx.startReef('reef', { ...env, LOG_LEVEL: 'info' });
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await seed(db, ctx.progress);
    const typical = await viewer(
      db,
      reef.url,
      'bftypical',
      'typical (150 follows)',
      sql`select distinct ${BASE} + 1 + floor(${USERS} * power(random(), 3))::int from generate_series(1, 170) g`,
    );
    const heavy = await viewer(
      db,
      reef.url,
      'bfheavy',
      'heavy (5,000 follows)',
      sql`select ${BASE} + i from generate_series(1, ${USERS}) i order by random() limit 5000`,
    );
    // Quiet accounts (the least active thousand): their posts are ~0.1 % of all, so a scan of the
    // newest posts finds few of them; reef's per-followee query answers.
    const sparse = await viewer(
      db,
      reef.url,
      'bfsparse',
      'sparse (20 quiet follows)',
      sql`select ${BASE} + i from generate_series(${USERS - 999}::int, ${USERS}::int) i order by random() limit 20`,
    );
    const viewers = [typical, heavy, sparse];
    const counts = await sql<{ id: string; following: string; mutual: string }>`
      select f.follower_id as id, count(*) as following, count(r.follower_id) as mutual from follows f
      left join follows r on r.follower_id = f.followee_id and r.followee_id = f.follower_id
      where f.follower_id in (${sql.join(viewers.map((v) => v.id))}) group by f.follower_id`.execute(db);
    for (const c of counts.rows)
      ctx.note(
        `${viewers.find((v) => v.id === String(c.id))?.label}: ${c.following} follows, ${c.mutual} of them mutual`,
      );

    // 2. Same answers: reef's HTTP feed, reef's query (and each of its two strategies on its own),
    // the baseline; first page and deep pages.
    const cursors = new Map<string, Array<string | undefined>>();
    const windowHits = new Map<string, string>();
    for (const v of viewers) {
      const list: Array<string | undefined> = [undefined];
      let before: string | undefined;
      let hits = 0;
      let pages = 0;
      for (let page = 0; page < 30; page++) {
        const ids = await reefPage(db, v.id, before);
        assert.deepEqual(await baselinePage(db, v.id, before), ids, `${v.label}: baseline and reef agree`);
        assert.deepEqual(
          await reefPage(db, v.id, before, 'authors'),
          ids,
          `${v.label}: per-followee query agrees`,
        );
        if (page < 5)
          assert.deepEqual(
            await reefPage(db, v.id, before, 'window'),
            ids,
            `${v.label}: unbounded scan agrees`,
          );
        const window = PAGE * FEED_WINDOW_PER_POST;
        const inWindow = await feedWindowQuery(
          v.id,
          feedSources(v.id, spaces),
          { before, limit: PAGE },
          window,
        ).execute(db);
        if (inWindow.rows.length === PAGE) hits++;
        pages++;
        if (page === 0) {
          const res = await fetch(`${reef.url}/api/follows/feed?limit=${PAGE}`, {
            headers: { authorization: `Bearer ${v.token}` },
          });
          const body = (await res.json()) as Array<{ id: string }>;
          assert.deepEqual(
            body.map((p) => p.id),
            ids,
            `${v.label}: GET /api/follows/feed answers the same page`,
          );
        }
        before = ids[ids.length - 1];
        if (!before) break;
        if (page % 3 === 2) list.push(before);
      }
      // A deep cursor too: a month back.
      list.push((BigInt(Date.now() - 30 * 86400_000 - REEF_EPOCH) << 22n).toString());
      cursors.set(v.id, list);
      windowHits.set(v.id, `${hits}/${pages}`);
    }
    ctx.progress('feed: reef, baseline and HTTP answers agree');

    // 3. SQL level, sequential, alternating reef / baseline per request.
    const rows: string[] = [];
    for (const v of viewers) {
      const list = cursors.get(v.id)!;
      const reefMs: number[] = [];
      const baseMs: number[] = [];
      const n = 300;
      for (let i = 0; i < n; i++) {
        const before = i % 2 === 0 ? undefined : list[i % list.length];
        reefMs.push(await timeIt(() => reefPage(db, v.id, before)));
        baseMs.push(await timeIt(() => baselinePage(db, v.id, before)));
      }
      const line = `| ${v.label} | ${pct(reefMs, 50).toFixed(2)} | ${pct(reefMs, 99).toFixed(2)} | ${pct(baseMs, 50).toFixed(2)} | ${pct(baseMs, 99).toFixed(2)} | ${(pct(baseMs, 50) / pct(reefMs, 50)).toFixed(1)}× | ${(pct(baseMs, 99) / pct(reefMs, 99)).toFixed(1)}× |`;
      rows.push(line);
      ctx.progress(`feed SQL: ${line}`);
    }
    ctx.note(
      [
        `Feed page in SQL (${PAGE} posts; half first pages, half keyset pages up to a month deep; 300 each, sequential, ms):`,
        '',
        '| viewer | reef p50 | reef p99 | baseline p50 | baseline p99 | p50 speed-up | p99 speed-up |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...rows,
        '',
        "reef = posts.repository's feedPage: visibility.ts's window query (the newest",
        `${PAGE * FEED_WINDOW_PER_POST} posts below the cursor, follows checked by one primary-key probe per row), and when`,
        "that window holds fewer than a page, its per-followee query (LATERAL: each followee's newest posts",
        'below the cursor from posts_author_idx, merged); both run as per-connection prepared statements',
        '(PostgreSQL keeps a generic plan after five runs, so a page pays no planning). Pages the window answered alone: ' +
          viewers.map((v) => `${v.label} ${windowHits.get(v.id)}`).join(', ') +
          '. baseline = one query with the same rules as OR over LEFT JOINs to follows.',
      ].join('\n'),
    );

    // 4. Query plans (heavy viewer, first page).
    const page = { limit: PAGE };
    const reefQ = feedWindowQuery(
      heavy.id,
      feedSources(heavy.id, spaces),
      page,
      PAGE * FEED_WINDOW_PER_POST,
    ).compile(db);
    const sparseQ = feedByAuthorQuery(sparse.id, feedSources(sparse.id, spaces), page).compile(db);
    const baseQ = baselineQuery(heavy.id).compile(db);
    const shorten = (s: string) => s.replace(/\{[0-9,]{200,}\}/g, (m) => `{…${m.split(',').length} ids…}`);
    for (const [label, q, prepared] of [
      ['reef window query (heavy viewer, first page; prepared, as reef runs it)', reefQ, true],
      ['reef window query (heavy viewer, first page; planned afresh)', reefQ, false],
      ['baseline (heavy viewer, first page)', baseQ, false],
      ['reef per-followee query (sparse viewer, first page; prepared)', sparseQ, true],
    ] as const) {
      const plan = shorten(await (prepared ? explainPrepared(pool, q) : explain(pool, q)));
      ctx.note(`EXPLAIN ANALYZE, ${label}:\n\n\`\`\`\n${plan}\n\`\`\``);
      ctx.progress(`feed: ${label}\n${plan}`);
    }

    // 5. HTTP: latency at one connection, then throughput against an identical twin (noise floor).
    const reefB = await ctx.startReef('reef-b', { ...env, LOG_LEVEL: 'info' });
    const httpRows: string[] = [];
    for (const v of [typical, heavy]) {
      const r = await ctx.load({
        url: `${reef.url}/api/follows/feed`,
        headers: { authorization: `Bearer ${v.token}` },
        connections: 1,
        durationS: ctx.options.durationS,
      });
      httpRows.push(
        `| ${v.label} | ${Math.round(r.rps)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx + r.errors} |`,
      );
    }
    ctx.note(
      [
        'GET /api/follows/feed over HTTP at 1 connection (full response: authors, attachments, tags, reactions, counts):',
        '',
        '| viewer | req/s | p50 ms | p99 ms | errors |',
        '|---|---:|---:|---:|---:|',
        ...httpRows,
      ].join('\n'),
    );
    for (const v of [heavy, typical]) {
      const headers = { authorization: `Bearer ${v.token}` };
      await ctx.compare({
        workload: `GET /api/follows/feed, ${v.label}`,
        targets: [
          { label: 'reef', server: reef, path: '/api/follows/feed', headers },
          { label: 'reef-b', server: reefB, path: '/api/follows/feed', headers },
        ],
        baseline: 'reef',
        noisePair: ['reef', 'reef-b'],
      });
    }
    ctx.note(
      `Dataset: ${USERS.toLocaleString('en')} users, ${POSTS.toLocaleString('en')} posts in database ${DB_NAME} (loaded once, reused).`,
    );
  } finally {
    await db.destroy();
  }
}
