/**
 * `npm run bench -- dms`: 1:1 direct messages across two nodes on PostgreSQL + NATS + Redis.
 * P sender/recipient pairs, one conversation each; every sender posts DMs in a closed loop to node 1
 * (`POST /api/conversations/:id/messages`, answered after the write), its recipient listens on node 2
 * (native /ws, `dm:new`). Reported: acknowledged sends/s, send→delivery latency p50/p99 (sender's
 * request start → recipient's dm:new, one clock: the driver's), and messages lost.
 *
 * Baseline, in the same run, alternating rounds: two processes of this very file in baseline mode
 * (BENCH_DMS_BASELINE=1), doing the naive thing: each message is its own INSERT, then a NATS publish
 * to the recipient's node, which writes it to the recipient's WebSocket. Same database, same bus,
 * same driver; no ordering, no membership, no notifications, no push.
 *
 * reef does more per message (actor ordering and membership, group-commit write, ack after the
 * write, notifications, push dispatch), so the question is how much of the naive path's throughput
 * that costs, and what the group commit buys back under concurrency.
 * Two workloads: one message in flight per conversation (nothing to group), and eight.
 * Knobs (env): BENCH_DMS_PAIRS (default 50).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import WebSocket, { WebSocketServer } from 'ws';
import pg from 'pg';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { BenchContext } from '../lib/context.ts';
import type { ServerProcess } from '../lib/procs.ts';
import { cpuTimes } from './realtime/driver.ts';
import { api, closedLoop, median, pct, post } from '../lib/sends.ts';

export const name = 'dms';
export const description =
  '1:1 DMs across 2 nodes: sends/s and send→delivery p50/p99, reef vs one INSERT per message';

interface Pair {
  sendUrl: string;
  sendHeaders: Record<string, string>;
  sendBody: (content: string) => string;
  listenUrl: string;
}

interface RoundResult {
  /** CPU time (user + system) of the target's server processes during the round, in ms. */
  cpuMs?: number;
  sent: number;
  acked: number;
  delivered: number;
  latencies: number[];
  seconds: number;
}

/** Closed-loop senders for `seconds`; returns what was acknowledged and delivered. */
async function drive(
  pairs: Pair[],
  seconds: number,
  frame: (raw: string) => string | null,
  inFlight: number,
): Promise<RoundResult> {
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  const sockets = await Promise.all(
    pairs.map(
      (p) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(p.listenUrl);
          ws.on('message', (raw) => {
            const s = String(raw);
            if (s.includes('"ready"')) return resolve(ws);
            const nonce = frame(s);
            if (!nonce) return;
            const at = pending.get(nonce);
            if (at === undefined) return;
            pending.delete(nonce);
            delivered++;
            latencies.push(performance.now() - at);
          });
          ws.once('error', reject);
        }),
    ),
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: pairs.length * inFlight });
  let sent = 0;
  let acked = 0;
  const loops = pairs.flatMap((p) => Array.from({ length: inFlight }, () => p));
  const elapsed = await closedLoop(loops, seconds, async (p) => {
    const nonce = randomBytes(8).toString('hex');
    pending.set(nonce, performance.now());
    sent++;
    if (await post(p.sendUrl, p.sendHeaders, p.sendBody(`bench ${nonce}`), agent, fail)) acked++;
  });
  // Let the last deliveries land.
  const settle = performance.now() + 3000;
  while (pending.size > 0 && performance.now() < settle) await new Promise((r) => setTimeout(r, 20));
  agent.destroy();
  for (const ws of sockets) ws.close();
  return { sent, acked, delivered, latencies, seconds: elapsed };
}

/** Status codes of failed sends (and 'error' for transport errors), for the report. */
const failures = new Map<string, number>();
const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);

export async function run(ctx: BenchContext): Promise<void> {
  const pairsN = Number(process.env.BENCH_DMS_PAIRS ?? '50');
  const ns = `benchdm${randomBytes(4).toString('hex')}`;
  const reefEnv = (nodeId: number) => ({
    ...ctx.services,
    NAMESPACE: ns,
    NODE_ID: String(nodeId),
    JWT_SECRET: 'b'.repeat(40),
    RATE_LIMIT_AUTH: '100000/60',
    WS_RATE_LIMIT: '1000000/1',
    PASSWORD_SCRYPT_N: '1024',
    DB_POOL_SIZE: '20',
  });
  const [r1, r2] = [await ctx.startReef('reef-1', reefEnv(101)), await ctx.startReef('reef-2', reefEnv(102))];
  const baseEnv = (node: string) => ({
    ...ctx.services,
    BENCH_DMS_BASELINE: '1',
    BENCH_DMS_NS: ns,
    BENCH_DMS_NODE: node,
  });
  const b1 = await ctx.startBaseline('baseline-1', 'bench/scenarios/dms.ts', baseEnv('1'));
  const b2 = await ctx.startBaseline('baseline-2', 'bench/scenarios/dms.ts', baseEnv('2'));

  // Seed through reef's API, as clients would: pairs of users and their 1:1 conversation.
  ctx.progress(`seeding ${pairsN} pairs`);
  const reefPairs: Pair[] = [];
  const basePairs: Pair[] = [];
  for (let i = 0; i < pairsN; i++) {
    const reg = (u: string) =>
      api<{ accessToken: string; user: { id: string } }>(r1.url, 'POST', '/api/auth/register', {
        email: `${u}@bench.test`,
        username: u,
        displayName: u,
        password: 'correct horse battery',
      });
    const tag = randomBytes(4).toString('hex');
    const [s, r] = await Promise.all([reg(`s${tag}`), reg(`r${tag}`)]);
    const conv = await api<{ id: string }>(
      r1.url,
      'POST',
      `/api/conversations/with/${r.user.id}`,
      undefined,
      s.accessToken,
    );
    reefPairs.push({
      sendUrl: `${r1.url}/api/conversations/${conv.id}/messages`,
      sendHeaders: { authorization: `Bearer ${s.accessToken}` },
      sendBody: (content) => JSON.stringify({ content }),
      listenUrl: `${r2.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(r.accessToken)}`,
    });
    basePairs.push({
      sendUrl: `${b1.url}/send`,
      sendHeaders: {},
      sendBody: (content) => JSON.stringify({ conversationId: conv.id, authorId: s.user.id, content }),
      listenUrl: `${b2.url.replace('http', 'ws')}/ws?conversation=${conv.id}`,
    });
  }
  const reefFrame = (raw: string) => {
    const f = JSON.parse(raw) as { t: string; d?: { content?: string } };
    return f.t === 'dm:new' ? (f.d?.content?.slice(6) ?? null) : null;
  };
  const baseFrame = (raw: string) => {
    const f = JSON.parse(raw) as { content?: string };
    return f.content?.slice(6) ?? null;
  };

  const targets: Array<{
    label: string;
    pairs: Pair[];
    frame: (raw: string) => string | null;
    servers: ServerProcess[];
  }> = [
    { label: 'reef (2 nodes)', pairs: reefPairs, frame: reefFrame, servers: [r1, r2] },
    { label: 'baseline: INSERT per message', pairs: basePairs, frame: baseFrame, servers: [b1, b2] },
  ];
  const cpuOf = (servers: ServerProcess[]) =>
    servers.reduce((n, x) => {
      const c = cpuTimes(x.pid);
      return n + (c.userUs + c.systemUs) / 1000;
    }, 0);
  const { durationS, warmupS, rounds } = ctx.options;
  // Window 1: one message in flight per conversation (no batching possible); window 8: eight, so
  // the conversation actor's group commit has something to group.
  for (const inFlight of [1, 8]) {
    for (const t of targets) {
      ctx.progress(`window ${inFlight}: warm-up ${t.label}`);
      await drive(t.pairs, warmupS, t.frame, inFlight);
    }
    const results = new Map<string, RoundResult[]>(targets.map((t) => [t.label, []]));
    for (let r = 1; r <= rounds; r++)
      for (const t of targets) {
        ctx.progress(`window ${inFlight}: round ${r}/${rounds} ${t.label}`);
        const cpu0 = cpuOf(t.servers);
        const res = await drive(t.pairs, durationS, t.frame, inFlight);
        res.cpuMs = cpuOf(t.servers) - cpu0;
        results.get(t.label)!.push(res);
        ctx.progress(
          `${t.label}: ${Math.round(res.acked / res.seconds)} sends/s, p50 ${pct(res.latencies, 50).toFixed(1)} ms`,
        );
      }
    const summary = targets.map((t) => {
      const rs = results.get(t.label)!;
      return {
        label: t.label,
        rate: median(rs.map((x) => x.acked / x.seconds)),
        p50: median(rs.map((x) => pct(x.latencies, 50))),
        p99: median(rs.map((x) => pct(x.latencies, 99))),
        lost: rs.reduce((n, x) => n + (x.acked - x.delivered), 0),
        failed: rs.reduce((n, x) => n + (x.sent - x.acked), 0),
        cpuPerMsg: median(rs.map((x) => (x.cpuMs ?? 0) / Math.max(1, x.acked))),
      };
    });
    const base = summary[1]!.rate;
    ctx.note(
      `**${pairsN} 1:1 conversations, ${inFlight} message(s) in flight per conversation** (closed loop; senders on node 1, recipients on node 2; ${rounds} rounds of ${durationS} s, medians):`,
    );
    ctx.note(
      '| target | sends/s | ratio | send→delivery p50 | p99 | server CPU per message | lost | failed sends |',
    );
    ctx.note('|---|---|---|---|---|---|---|---|');
    for (const x of summary)
      ctx.note(
        `| ${x.label} | ${Math.round(x.rate)} | ${(x.rate / base).toFixed(2)} | ${x.p50.toFixed(1)} ms | ${x.p99.toFixed(1)} ms | ${x.cpuPerMsg.toFixed(2)} ms | ${x.lost} | ${x.failed} |`,
      );
  }
  if (failures.size) ctx.note(`failed sends by cause: ${JSON.stringify(Object.fromEntries(failures))}`);
  await Promise.all([r1, r2, b1, b2].map((p: ServerProcess) => p.stop()));
}

// ---- baseline server (this file run as a script with BENCH_DMS_BASELINE=1) ----------------------

async function serveBaseline(): Promise<void> {
  const ns = process.env.BENCH_DMS_NS ?? 'benchdm';
  const node = Number(process.env.BENCH_DMS_NODE ?? '1');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  await pool.query(`create table if not exists bench_dm_baseline (
    id bigint primary key, conversation_id bigint not null, author_id bigint not null,
    content text not null, created_at timestamptz not null default now())`);
  const nats = await natsConnect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const listeners = new Map<string, Set<WebSocket>>();
  nats.subscribe(`${ns}.bdm.>`, {
    callback: (_err, msg) => {
      const conversationId = msg.subject.split('.').pop()!;
      const text = new TextDecoder().decode(msg.data);
      for (const ws of listeners.get(conversationId) ?? []) ws.send(text);
    },
  });
  let seq = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      try {
        const m = JSON.parse(body) as { conversationId: string; authorId: string; content: string };
        const id = (BigInt(Date.now()) << 22n) | (BigInt(node) << 12n) | BigInt(seq++ & 0xfff);
        await pool.query(
          'insert into bench_dm_baseline (id, conversation_id, author_id, content) values ($1, $2, $3, $4)',
          [id.toString(), m.conversationId, m.authorId, m.content],
        );
        const out = JSON.stringify({ id: id.toString(), ...m, createdAt: new Date().toISOString() });
        nats.publish(`${ns}.bdm.${m.conversationId}`, out);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(out);
      } catch (err) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws, req) => {
    const conversationId = new URL(req.url ?? '/', 'http://x').searchParams.get('conversation') ?? '';
    let set = listeners.get(conversationId);
    if (!set) listeners.set(conversationId, (set = new Set()));
    set.add(ws);
    ws.on('close', () => set.delete(ws));
    ws.send(JSON.stringify({ t: 'ready' }));
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    console.log(`listening ${typeof addr === 'object' && addr ? addr.port : 0}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void Promise.allSettled([nats.close(), pool.end()]).then(() => process.exit(0));
  });
}

if (process.env.BENCH_DMS_BASELINE === '1') void serveBaseline();
