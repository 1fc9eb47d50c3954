/**
 * `npm run bench -- messages`: channel messages on PostgreSQL + NATS + Redis, one reef node.
 *
 * Workloads (closed loop: every sender has one message in flight, `POST /api/channels/:id/messages`,
 * answered after the row is written):
 *   - busy: BENCH_MSG_SENDERS senders (members) post into ONE channel whose 100 members listen on
 *     native /ws sockets joined to the channel room;
 *   - quiet: the same number of senders post into 1,000 channels (100 spaces × 10 channels), a random
 *     channel per message.
 * Reported per target: acknowledged sends/s, send→ack p50/p99, send→delivery p50/p99 (busy: the
 * sender's request start → `message:new` on a member socket, one clock: the driver's; measured on
 * BENCH_MSG_PROBES of the 100 sockets, every socket's deliveries are counted), deliveries missing.
 *
 * Baseline, in the same run, alternating rounds: this file in baseline mode (BENCH_MSG_BASELINE=1),
 * the straightforward server: per message verify the same JWT, read the author (and global ban),
 * check the channel's space membership, INSERT the message (its own statement), publish it on NATS,
 * and write it to the channel's WebSockets. Same database, tables, bus, tokens and driver; no
 * permission bitfields, overrides, ordering, unread/mention rows, notifications or triggers.
 * Knobs (env): BENCH_MSG_SENDERS (default 64), BENCH_MSG_PROBES (default 10), BENCH_MSG_WORKLOADS
 * (default `busy,quiet`), BENCH_MSG_REEF_NODE_OPTIONS (NODE_OPTIONS of the reef process only, e.g.
 * `--import <a profiler preload>`).
 *
 * Nothing here waits without a deadline: a send gives up after SEND_TIMEOUT_MS (counted as failed,
 * with its cause), a listener socket that does not open and join within LISTEN_TIMEOUT_MS (or closes
 * before) fails the run with a message, and the baseline's pool and statements have timeouts.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import WebSocket, { WebSocketServer } from 'ws';
import pg from 'pg';
import { jwtVerify } from 'jose';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { BenchContext } from '../lib/context.ts';
import { api, closedLoop, median, pct, post } from '../lib/sends.ts';

export const name = 'messages';
export const description =
  'channel messages: sends/s and send→ack / send→delivery p50/p99, one busy channel (100 listeners) and 1,000 quiet channels, reef vs one INSERT per message';

const NONCE = 'bench ';
const LISTEN_TIMEOUT_MS = 20_000;

interface Sender {
  url: (channelId: string) => string;
  token: string;
}
interface Workload {
  senders: Sender[];
  channels: string[];
  listeners: string[];
  join?: (ws: WebSocket, channelId: string) => Promise<void>;
}
interface RoundResult {
  acked: number;
  failed: number;
  seconds: number;
  ack: number[];
  delivery: number[];
  missing: number;
  /** Server process CPU (user + system) per acknowledged send, µs; null off Linux. */
  cpuUs: number | null;
  /** The driver's own CPU over the round, % of one core (near 100: the driver limits the figure). */
  driverCpu: number;
  /** Failed sends by cause ('503 SERVICE_UNAVAILABLE', 'timeout', ...). */
  why: Map<string, number>;
}

const LISTEN_ATTEMPTS = 3;

/**
 * Open the listener sockets (joined to the busy channel); `probes` of them time their deliveries.
 * A socket that closes or errs before it joined is opened again (up to LISTEN_ATTEMPTS; `onRetry`
 * hears why); one that still cannot join fails the run rather than leave it waiting forever.
 */
async function listen(
  w: Workload,
  probes: number,
  onFrame: (nonce: string | null, probe: boolean) => void,
  onRetry: (why: string) => void,
): Promise<WebSocket[]> {
  const every = Math.max(1, Math.floor(w.listeners.length / probes));
  const open = async (url: string, i: number): Promise<WebSocket> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await openListener(w, url, i % every === 0, onFrame);
      } catch (err) {
        const why = `listener ${i}: ${(err as Error).message}`;
        if (attempt >= LISTEN_ATTEMPTS) throw new Error(`${why} (after ${attempt} attempts)`);
        onRetry(why);
      }
    }
  };
  return Promise.all(w.listeners.map(open));
}

function openListener(
  w: Workload,
  url: string,
  probe: boolean,
  onFrame: (nonce: string | null, probe: boolean) => void,
): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    // The driver parses every frame of 100 sockets: skip UTF-8 validation (same for both targets).
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    let state: 'ready' | 'joining' | 'live' | 'failed' = 'ready';
    const fail = (why: string) => {
      if (state === 'live' || state === 'failed') return;
      clearTimeout(timer);
      state = 'failed';
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`not joined within ${LISTEN_TIMEOUT_MS} ms`), LISTEN_TIMEOUT_MS);
    ws.once('close', (code, reason) =>
      fail(`closed before joining (${state}): ${code} ${reason.toString()}`),
    );
    ws.on('error', (err) => fail(err.message));
    ws.on('message', (raw: Buffer) => {
      if (state === 'ready') {
        state = 'joining';
        const join = w.join?.(ws, w.channels[0]!) ?? Promise.resolve();
        join.then(
          () => {
            if (state !== 'joining') return;
            clearTimeout(timer);
            state = 'live';
            resolve(ws);
          },
          (err: Error) => fail(err.message),
        );
        return;
      }
      // Only message:new frames (reef also sends channel:activity to the space room).
      if (state !== 'live' || raw.indexOf('"message:new"') < 0) return;
      if (!probe) return onFrame(null, false);
      const s = raw.toString();
      const at = s.indexOf(NONCE);
      onFrame(at < 0 ? null : s.slice(at + NONCE.length, at + NONCE.length + 16), true);
    });
  });
}

async function drive(
  w: Workload,
  seconds: number,
  probes: number,
  listeners: boolean,
  onRetry: (why: string) => void = () => undefined,
): Promise<RoundResult> {
  const sentAt = new Map<string, number>();
  const ack: number[] = [];
  const delivery: number[] = [];
  let frames = 0;
  const sockets = listeners
    ? await listen(
        w,
        probes,
        (nonce, probe) => {
          if (!probe) return void frames++;
          if (nonce === null) return;
          frames++;
          const at = sentAt.get(nonce);
          if (at !== undefined) delivery.push(performance.now() - at);
        },
        onRetry,
      )
    : [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: w.senders.length });
  const cpuStart = process.cpuUsage();
  let acked = 0;
  let failed = 0;
  const why = new Map<string, number>();
  const onFail = (cause: string) => void why.set(cause, (why.get(cause) ?? 0) + 1);
  const elapsed = await closedLoop(w.senders, seconds, async (s) => {
    const nonce = randomBytes(8).toString('hex');
    const channel = w.channels[Math.floor(Math.random() * w.channels.length)]!;
    const t0 = performance.now();
    sentAt.set(nonce, t0);
    const headers = { authorization: `Bearer ${s.token}` };
    const ok = await post(s.url(channel), headers, JSON.stringify({ content: NONCE + nonce }), agent, onFail);
    if (ok) {
      acked++;
      ack.push(performance.now() - t0);
    } else failed++;
  });
  const used = process.cpuUsage(cpuStart);
  const driverCpu = (used.user + used.system) / 1e4 / elapsed;
  const expected = acked * sockets.length;
  const settle = performance.now() + 3000;
  while (frames < expected && performance.now() < settle) await new Promise((r) => setTimeout(r, 20));
  agent.destroy();
  for (const ws of sockets) ws.close();
  return {
    acked,
    failed,
    seconds: elapsed,
    ack,
    delivery,
    missing: Math.max(0, expected - frames),
    cpuUs: null,
    driverCpu,
    why,
  };
}

/** A native /ws client's channel:join, acknowledged. */
function joinReef(ws: WebSocket, channelId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMsg = (raw: Buffer) => {
      const f = JSON.parse(raw.toString()) as { t: string; id?: number; d?: { ok?: boolean } };
      if (f.t !== 'ack' || f.id !== 1) return;
      ws.off('message', onMsg);
      if (f.d?.ok) resolve();
      else reject(new Error(`channel:join refused: ${raw.toString()}`));
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'channel:join', d: { channelId }, id: 1 }));
  });
}

export async function run(ctx: BenchContext): Promise<void> {
  const sendersN = Number(process.env.BENCH_MSG_SENDERS ?? '64');
  const probes = Number(process.env.BENCH_MSG_PROBES ?? '10');
  const workloads = (process.env.BENCH_MSG_WORKLOADS ?? 'busy,quiet')
    .split(',')
    .filter((k): k is 'busy' | 'quiet' => k === 'busy' || k === 'quiet');
  const reefNodeOptions = process.env.BENCH_MSG_REEF_NODE_OPTIONS;
  const ns = `benchmsg${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(30).toString('base64url');
  const reef = await ctx.startReef('reef', {
    ...ctx.services,
    NAMESPACE: ns,
    NODE_ID: '201',
    JWT_SECRET: secret,
    RATE_LIMIT_AUTH: '100000/60',
    WS_RATE_LIMIT: '1000000/1',
    PASSWORD_SCRYPT_N: '1024',
    DB_POOL_SIZE: '20',
    ...(reefNodeOptions ? { NODE_OPTIONS: reefNodeOptions } : {}),
  });
  const base = await ctx.startBaseline('baseline', 'bench/scenarios/messages.ts', {
    ...ctx.services,
    BENCH_MSG_BASELINE: '1',
    BENCH_MSG_NS: ns,
    JWT_SECRET: secret,
  });

  // Seed through reef's API, as clients would.
  const reg = (u: string) =>
    api<{ accessToken: string; user: { id: string } }>(reef.url, 'POST', '/api/auth/register', {
      email: `${u}@bench.test`,
      username: u,
      displayName: u,
      password: 'correct horse battery',
    });
  const tag = randomBytes(3).toString('hex');
  const owner = await reg(`o${tag}`);
  const space = await api<{ id: string }>(
    reef.url,
    'POST',
    '/api/spaces',
    { name: 'busy', slug: `busy${tag}` },
    owner.accessToken,
  );
  const channels = await api<Array<{ id: string; name: string }>>(
    reef.url,
    'GET',
    `/api/spaces/${space.id}/channels`,
    undefined,
    owner.accessToken,
  );
  const busy = channels.find((c) => c.name === 'general')!.id;
  const invite = await api<{ code: string }>(
    reef.url,
    'POST',
    `/api/spaces/${space.id}/invites`,
    {},
    owner.accessToken,
  );
  ctx.progress('seeding 100 members of the busy channel');
  const members: Array<{ accessToken: string }> = [];
  for (let i = 0; i < 100; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, k) => reg(`m${tag}${i + k}`)));
    await Promise.all(
      batch.map((m) => api(reef.url, 'POST', '/api/spaces/join', { code: invite.code }, m.accessToken)),
    );
    members.push(...batch);
  }
  ctx.progress('seeding 1,000 quiet channels (100 spaces × 10)');
  const quiet: string[] = [];
  for (let s = 0; s < 100; s += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        const sp = await api<{ id: string }>(
          reef.url,
          'POST',
          '/api/spaces',
          { name: 'quiet', slug: `q${tag}${s + k}` },
          owner.accessToken,
        );
        const cs = await api<Array<{ id: string; name: string }>>(
          reef.url,
          'GET',
          `/api/spaces/${sp.id}/channels`,
          undefined,
          owner.accessToken,
        );
        quiet.push(cs.find((c) => c.name === 'general')!.id);
        for (let c = 0; c < 9; c++)
          quiet.push(
            (
              await api<{ id: string }>(
                reef.url,
                'POST',
                `/api/spaces/${sp.id}/channels`,
                { name: `q${c}` },
                owner.accessToken,
              )
            ).id,
          );
      }),
    );
  }

  const reefSend = (c: string) => `${reef.url}/api/channels/${c}/messages`;
  const baseSend = (c: string) => `${base.url}/api/channels/${c}/messages`;
  const wsBase = (u: string) => u.replace('http', 'ws');
  const sendersOf = (url: (c: string) => string, who: Array<{ accessToken: string }>) =>
    Array.from({ length: sendersN }, (_, i) => ({ url, token: who[i % who.length]!.accessToken }));
  const targets = [
    {
      label: 'reef',
      server: reef,
      busy: {
        senders: sendersOf(reefSend, members),
        channels: [busy],
        listeners: members.map((m) => `${wsBase(reef.url)}/ws?token=${encodeURIComponent(m.accessToken)}`),
        join: joinReef,
      },
      quiet: { senders: sendersOf(reefSend, [owner]), channels: quiet, listeners: [] },
    },
    {
      label: 'baseline: INSERT per message',
      server: base,
      busy: {
        senders: sendersOf(baseSend, members),
        channels: [busy],
        listeners: members.map(() => `${wsBase(base.url)}/ws?channel=${busy}`),
      },
      quiet: { senders: sendersOf(baseSend, [owner]), channels: quiet, listeners: [] },
    },
  ];

  const { durationS, warmupS, rounds } = ctx.options;
  const rows: string[] = [];
  for (const kind of workloads) {
    for (const t of targets) {
      ctx.progress(`${kind}: warm-up ${t.label}`);
      await drive(t[kind], warmupS, probes, false);
    }
    const results = new Map<string, RoundResult[]>(targets.map((t) => [t.label, []]));
    for (let r = 1; r <= rounds; r++)
      for (const t of targets) {
        const cpu0 = t.server.cpuMs();
        const res = await drive(t[kind], durationS, probes, kind === 'busy', (why) =>
          ctx.progress(`${t.label}: reopening a listener socket (${why})`),
        );
        const cpu1 = t.server.cpuMs();
        // Includes the listeners' join and the settle wait (small next to the round).
        if (cpu0 !== null && cpu1 !== null && res.acked > 0) res.cpuUs = ((cpu1 - cpu0) * 1000) / res.acked;
        results.get(t.label)!.push(res);
        ctx.progress(
          `${kind} round ${r}/${rounds} ${t.label}: ${Math.round(res.acked / res.seconds)} sends/s, ack p99 ${pct(res.ack, 99).toFixed(1)} ms` +
            (res.cpuUs !== null ? `, server CPU ${Math.round(res.cpuUs)} µs/send` : '') +
            `, driver CPU ${Math.round(res.driverCpu)}%` +
            (kind === 'busy' ? `, delivery p99 ${pct(res.delivery, 99).toFixed(1)} ms` : '') +
            (res.failed ? `, failed: ${[...res.why].map(([k, n]) => `${n} × ${k}`).join(', ')}` : ''),
        );
      }
    const summary = targets.map((t) => {
      const rs = results.get(t.label)!;
      return {
        label: t.label,
        rate: median(rs.map((x) => x.acked / x.seconds)),
        ack50: median(rs.map((x) => pct(x.ack, 50))),
        ack99: median(rs.map((x) => pct(x.ack, 99))),
        del50: median(rs.map((x) => pct(x.delivery, 50))),
        del99: median(rs.map((x) => pct(x.delivery, 99))),
        missing: rs.reduce((n, x) => n + x.missing, 0),
        failed: rs.reduce((n, x) => n + x.failed, 0),
        cpu: rs.every((x) => x.cpuUs !== null) ? median(rs.map((x) => x.cpuUs!)) : null,
      };
    });
    const baseRate = summary[1]!.rate;
    for (const s of summary)
      rows.push(
        `| ${kind === 'busy' ? '1 busy channel, 100 listeners' : '1,000 quiet channels'} | ${s.label} | ${Math.round(s.rate)} | ${(s.rate / baseRate).toFixed(2)} | ${s.ack50.toFixed(1)} / ${s.ack99.toFixed(1)} ms | ${kind === 'busy' ? `${s.del50.toFixed(1)} / ${s.del99.toFixed(1)} ms` : '—'} | ${kind === 'busy' ? s.missing : '—'} | ${s.failed} | ${s.cpu === null ? '—' : Math.round(s.cpu)} |`,
      );
  }
  ctx.note(
    `${sendersN} closed-loop senders (one message in flight each); ${rounds} rounds of ${durationS} s per target, alternating; medians over rounds. Delivery latency on ${probes} of the 100 sockets (all 100 counted for "missing").`,
  );
  ctx.note(
    '| workload | target | sends/s | ratio | send→ack p50 / p99 | send→delivery p50 / p99 | deliveries missing | failed sends | server CPU µs/send |',
  );
  ctx.note('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) ctx.note(r);
}

// ---- baseline server (this file run as a script with BENCH_MSG_BASELINE=1) ----------------------

async function serveBaseline(): Promise<void> {
  const ns = process.env.BENCH_MSG_NS ?? 'benchmsg';
  const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
  // Deadlines on everything, so a stuck connection fails a send (counted) instead of hanging the run.
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: 20,
    connectionTimeoutMillis: 10_000,
    query_timeout: 15_000,
    statement_timeout: 10_000,
  });
  await pool.query(`create table if not exists bench_msg_baseline (
    id bigint primary key, space_id bigint not null, channel_id bigint not null, author_id bigint not null,
    content text not null, created_at timestamptz not null default now())`);
  await pool.query(
    'create index if not exists bench_msg_baseline_channel on bench_msg_baseline (channel_id, id)',
  );
  const nats = await natsConnect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const listeners = new Map<string, Set<WebSocket>>();
  nats.subscribe(`${ns}.bmsg.>`, {
    callback: (_err, msg) => {
      const channelId = msg.subject.split('.').pop()!;
      const text = new TextDecoder().decode(msg.data);
      for (const ws of listeners.get(channelId) ?? []) ws.send(text);
    },
  });
  let seq = 0;
  const fail = (res: http.ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: String(status), message } }));
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      try {
        const m = /^\/api\/channels\/(\d+)\/messages$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return fail(res, 404, 'not found');
        const channelId = m[1]!;
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }).catch(() => ({
          payload: null,
        }));
        if (!payload || payload['typ'] !== 'access' || typeof payload.sub !== 'string')
          return fail(res, 401, 'unauthorized');
        const user = await pool.query<{ id: string; username: string; banned: string | null }>(
          'select u.id, u.username, b.user_id as banned from users u left join user_bans b on b.user_id = u.id where u.id = $1',
          [payload.sub],
        );
        const author = user.rows[0];
        if (!author || author.banned) return fail(res, 403, 'forbidden');
        const member = await pool.query<{ space_id: string }>(
          'select c.space_id from channels c join space_members m on m.space_id = c.space_id and m.user_id = $2 where c.id = $1',
          [channelId, author.id],
        );
        const spaceId = member.rows[0]?.space_id;
        if (!spaceId) return fail(res, 403, 'not a member');
        const { content } = JSON.parse(body) as { content: string };
        const id = (BigInt(Date.now() - 1_704_067_200_000) << 22n) | (1023n << 12n) | BigInt(seq++ & 0xfff);
        const row = await pool.query<{ created_at: Date }>(
          'insert into bench_msg_baseline (id, space_id, channel_id, author_id, content) values ($1, $2, $3, $4, $5) returning created_at',
          [id.toString(), spaceId, channelId, author.id, content],
        );
        const out = JSON.stringify({
          id: id.toString(),
          channelId,
          spaceId,
          authorId: author.id,
          author: { id: author.id, username: author.username },
          content,
          createdAt: row.rows[0]!.created_at.toISOString(),
        });
        nats.publish(`${ns}.bmsg.${channelId}`, JSON.stringify({ t: 'message:new', d: JSON.parse(out) }));
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(out);
      } catch (err) {
        fail(res, 500, String(err));
      }
    });
  });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const channelId = new URL(req.url ?? '/', 'http://x').searchParams.get('channel') ?? '';
    let set = listeners.get(channelId);
    if (!set) listeners.set(channelId, (set = new Set()));
    set.add(ws);
    ws.on('close', () => set.delete(ws));
    ws.send(JSON.stringify({ t: 'ready' }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    console.log(`listening ${typeof addr === 'object' && addr ? addr.port : 0}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void Promise.allSettled([nats.close(), pool.end()]).then(() => process.exit(0));
  });
}

if (process.env.BENCH_MSG_BASELINE === '1') void serveBaseline();
