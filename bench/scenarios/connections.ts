/**
 * Memory per idle connection (issue 4 "Bench"): N authenticated sockets that sit in their user room and
 * do nothing, against reef's /ws, reef's /socket.io/, a plain Socket.io 4 server and raw uWS.
 *
 * Each target is a fresh server process (reef's two protocols in two processes, so the memory one
 * protocol freed cannot be reused by the other). Per target: a warm-up batch of sockets is opened and
 * closed (JIT, pools, lazy init), then memory after a full GC, N sockets from the load generator
 * process (pinned to the load core), memory after a full GC again; the difference over N is the cost
 * of one idle connection. RSS is what the machine pays (V8 heap + uWS/ws native buffers + allocator);
 * the V8 heap is reported beside it.
 */
import type { BenchContext } from '../lib/context.ts';
import type { ServerProcess } from '../lib/procs.ts';
import { SocketLoad, fmt, memoryAfterGc, sleep, table } from './realtime/driver.ts';
import type { Dialect } from './realtime/loadgen.ts';

export const name = 'connections';
export const description =
  'Memory per idle connection at 5k–10k sockets: reef /ws and /socket.io/ vs plain Socket.io and raw uWS';

const SECRET = 'bench-connections-secret-'.padEnd(40, 'x');

interface ConnTarget {
  label: string;
  dialect: Dialect;
  start(): Promise<ServerProcess>;
}

const envInt = (k: string, d: number) => {
  const n = Number(process.env[k]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : d;
};

export async function run(ctx: BenchContext): Promise<void> {
  const n = envInt('BENCH_CONNECTIONS', 5_000);
  const warm = 200;
  const reefEnv = () => ({
    // Any free port: uWS listens with SO_REUSEPORT, so a fixed port could be shared with another server.
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: SECRET,
    NAMESPACE: `benchconn${Date.now()}`,
    LOG_LEVEL: 'warn',
    BENCH_USERS: String(n + warm + 10),
  });
  const targets: ConnTarget[] = [
    {
      label: 'reef /ws',
      dialect: 'reef-ws',
      start: () => ctx.startBaseline('reef-ws', 'bench/scenarios/realtime/reef-bench-server.ts', reefEnv()),
    },
    {
      label: 'reef /socket.io/',
      dialect: 'reef-sio',
      start: () => ctx.startBaseline('reef-sio', 'bench/scenarios/realtime/reef-bench-server.ts', reefEnv()),
    },
    {
      label: 'plain Socket.io',
      dialect: 'plain-sio',
      start: () =>
        ctx.startBaseline('plain-socketio', 'bench/baselines/socketio-plain.ts', { JWT_SECRET: SECRET }),
    },
    {
      label: 'raw uWS',
      dialect: 'raw-uws',
      start: () => ctx.startBaseline('raw-uws', 'bench/baselines/uws-raw.ts', {}),
    },
  ];
  // BENCH_CONNECTIONS_TARGETS=ws,sio,plain,raw measures a subset (iterating).
  const pick = process.env.BENCH_CONNECTIONS_TARGETS?.split(',');
  const keys = ['ws', 'sio', 'plain', 'raw'];
  if (pick) targets.splice(0, targets.length, ...targets.filter((_, i) => pick.includes(keys[i]!)));
  const load = await SocketLoad.start();
  const rows: (string | number)[][] = [];
  const perConn = new Map<string, number>();
  try {
    for (const t of targets) {
      const server = await t.start();
      // reef and plain Socket.io put each socket in its user room; raw uWS subscribes each to one topic.
      const shape = (count: number, from: number) =>
        t.dialect === 'raw-uws'
          ? { rooms: Array.from({ length: count }, (_, i) => `u${from + i}`), roomSize: 1, idle: 0 }
          : { rooms: [], roomSize: 0, idle: count };
      const connect = (group: string, count: number, firstUserId: number) =>
        load.connect({
          group,
          dialect: t.dialect,
          url: server.url,
          secret: SECRET,
          firstUserId,
          ...shape(count, firstUserId),
          publishers: 0,
          concurrency: 50,
        });
      ctx.progress(`${t.label}: warm-up (${warm} sockets)`);
      await connect('warm', warm, n + 1);
      await load.close('warm');
      await sleep(1500);
      const m0 = await memoryAfterGc(server);
      // Two steps of N/2: the first pays one-time growth (heap pages, uWS/ws pools) that the second
      // reuses; the second step's slope is the steady cost per connection, the whole N beside it.
      const half = Math.floor(n / 2);
      ctx.progress(`${t.label}: opening ${fmt(half)} + ${fmt(n - half)} sockets`);
      const c1 = await connect('idle-a', half, 1);
      await sleep(1000);
      const mHalf = await memoryAfterGc(server);
      const c2 = await connect('idle-b', n - half, 1 + half);
      await sleep(1000);
      const m1 = await memoryAfterGc(server);
      const rss = (m1.rss - mHalf.rss) / (n - half);
      const connected = c1.connected + c2.connected;
      const ms = c1.ms + c2.ms;
      perConn.set(t.label, rss);
      rows.push([
        t.label,
        fmt(connected),
        fmt(rss / 1024, 1),
        fmt((m1.rss - m0.rss) / n / 1024, 1),
        fmt((m1.heapUsed - mHalf.heapUsed) / (n - half) / 1024, 1),
        // Outside the V8 heap (uWS / ws sockets, buffers, malloc): RSS minus the committed V8 heap,
        // which takes out the heap pages V8 commits or releases between two readings (the noise that
        // can make the RSS slope negative at this scale); plus the live V8 heap, the cost of one socket.
        fmt((m1.rss - m1.heapTotal - (mHalf.rss - mHalf.heapTotal)) / (n - half) / 1024, 1),
        fmt(
          (m1.rss - m1.heapTotal - (mHalf.rss - mHalf.heapTotal) + m1.heapUsed - mHalf.heapUsed) /
            (n - half) /
            1024,
          1,
        ),
        fmt(connected / (ms / 1000)),
      ]);
      ctx.progress(`${t.label}: ${fmt(rss / 1024, 1)} KB RSS per idle connection (${ms} ms to connect)`);
      await load.close();
      await server.stop();
    }
  } finally {
    await load.stop();
  }
  const raw = perConn.get('raw uWS') ?? NaN;
  const plain = perConn.get('plain Socket.io') ?? NaN;
  for (const r of rows) {
    const v = perConn.get(String(r[0]))!;
    r.push(`${fmt(v / raw, 2)}×`, `${fmt(v / plain, 2)}×`);
  }
  const lines = table(
    [
      'target',
      'sockets',
      'RSS KB / idle connection (2nd half)',
      'RSS KB / idle connection (all N)',
      'V8 heap KB / idle connection (2nd half)',
      'outside-heap KB / idle connection (2nd half)',
      'heap + outside-heap KB / idle connection (2nd half)',
      'connects/s',
      'RSS vs raw uWS',
      'RSS vs plain Socket.io',
    ],
    rows,
  );
  ctx.note(
    `${fmt(n)} idle sockets per target, each in its user room (raw uWS: one topic each); memory after a full GC at N/2 and at N sockets (the per-connection figure is the slope between them; the figure over all N, from a baseline after a ${warm}-socket warm-up, is beside it); embedded reef (PGlite, in-process bus), one fresh process per target.`,
  );
  for (const line of lines.split('\n')) ctx.note(line);
  console.error(`\n${lines}\n`);
}
