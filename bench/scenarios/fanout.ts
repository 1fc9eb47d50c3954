/**
 * Realtime fan-out (issue 4 "Bench"): one event published to a room, delivered to every socket in it.
 *
 * Targets, all measured in the same run with the same client code (bench/scenarios/realtime/loadgen.ts,
 * its own process pinned to the load core; servers on the server core):
 * - `reef /ws`         reef's native protocol (reef-bench-server.ts: `startReef` + a `bench:publish`
 *                      command standing in for message:send, `engine.rooms.emit` to the channel room);
 * - `reef /socket.io/` the same reef process, Socket.io clients;
 * - `plain Socket.io`  baselines/socketio-plain.ts (Socket.io 4 on Node's http, default ws engine);
 * - `raw uWS`          baselines/uws-raw.ts (`app.publish`, no auth, no validation: the ceiling).
 *
 * Workloads: rooms of 10 (many rooms, round-robin) and one big room, each with 64 B and 1 KB payloads,
 * at a fixed offered load chosen to stay well below what the load generator can receive (its CPU share
 * is reported). Per target: delivered msgs/s, server user CPU µs per delivery (process.cpuUsage() of the
 * server, read before and after each run) with total (user + system) CPU beside it, p50/p99
 * send→receive latency, and deliveries lost. Rounds alternate between targets; medians are reported.
 */
import type { BenchContext } from '../lib/context.ts';
import type { ServerProcess } from '../lib/procs.ts';
import { SocketLoad, fmt, serverCpu, sleep, table } from './realtime/driver.ts';
import type { Dialect, RunResult } from './realtime/loadgen.ts';

export const name = 'fanout';
export const description =
  'Room fan-out: rooms of 10 and one big room, 64 B / 1 KB, reef /ws and /socket.io/ vs plain Socket.io and raw uWS';

const SECRET = 'bench-fanout-secret-'.padEnd(40, 'x');

interface FanTarget {
  label: string;
  dialect: Dialect;
  server: ServerProcess;
}

interface Workload {
  key: string;
  title: string;
  rooms: string[];
  roomSize: number;
  publishers: number;
  /** Messages per second offered. */
  rate: number;
}

interface Sample {
  run: RunResult;
  userUs: number;
  totalUs: number;
  /** userUs minus the server's idle user CPU (measured with the same sockets connected) over the run. */
  netUserUs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const envInt = (k: string, d: number) => {
  const n = Number(process.env[k]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : d;
};

export async function run(ctx: BenchContext): Promise<void> {
  const { durationS, rounds, warmupS } = ctx.options;
  // Offered deliveries per second (same for every workload) and the big room's size.
  const deliveries = envInt('BENCH_FANOUT_DELIVERIES', 30_000);
  const bigRoom = envInt('BENCH_FANOUT_BIG_ROOM', 2_000);
  const smallRooms = envInt('BENCH_FANOUT_SMALL_ROOMS', 200);
  // BENCH_FANOUT_ONLY=rooms10|big runs one workload (profiling, iterating).
  const only = process.env.BENCH_FANOUT_ONLY;
  const allWorkloads: Workload[] = [
    {
      key: 'rooms10',
      title: `${smallRooms} rooms of 10`,
      rooms: Array.from({ length: smallRooms }, (_, i) => String(1000 + i)),
      roomSize: 10,
      publishers: 20,
      rate: deliveries / 10,
    },
    {
      key: 'big',
      title: `1 room of ${fmt(bigRoom)}`,
      rooms: ['900'],
      roomSize: bigRoom,
      publishers: 1,
      rate: Math.max(1, Math.round(deliveries / bigRoom)),
    },
  ];
  const workloads = allWorkloads.filter((w) => !only || w.key === only);
  const maxClients = Math.max(...workloads.map((w) => w.rooms.length * w.roomSize + w.publishers));
  const reef = await ctx.startBaseline('reef', 'bench/scenarios/realtime/reef-bench-server.ts', {
    // Any free port: uWS listens with SO_REUSEPORT, so a fixed port could be shared with another server.
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: SECRET,
    NAMESPACE: `benchfan${Date.now()}`,
    LOG_LEVEL: 'warn',
    BENCH_USERS: String(maxClients * 2 + 10),
    WS_RATE_LIMIT: '1000000/1',
    WS_MAX_SOCKETS_PER_USER: '100',
  });
  const plain = await ctx.startBaseline('plain-socketio', 'bench/baselines/socketio-plain.ts', {
    JWT_SECRET: SECRET,
  });
  const raw = await ctx.startBaseline('raw-uws', 'bench/baselines/uws-raw.ts', {});
  const targets: FanTarget[] = [
    { label: 'reef /ws', dialect: 'reef-ws', server: reef },
    { label: 'reef /socket.io/', dialect: 'reef-sio', server: reef },
    { label: 'plain Socket.io', dialect: 'plain-sio', server: plain },
    { label: 'raw uWS', dialect: 'raw-uws', server: raw },
  ];
  // BENCH_FANOUT_TARGETS=ws,sio,plain,raw measures a subset (profiling, iterating).
  const pick = process.env.BENCH_FANOUT_TARGETS?.split(',');
  const keys = ['ws', 'sio', 'plain', 'raw'];
  if (pick) targets.splice(0, targets.length, ...targets.filter((_, i) => pick.includes(keys[i]!)));
  const load = await SocketLoad.start();
  const rows: (string | number)[][] = [];
  const idleNotes: string[] = [];
  try {
    for (const w of workloads) {
      // Every target connected at once (its own client group), so rounds can alternate.
      for (const [i, t] of targets.entries()) {
        ctx.progress(`${w.title}: connecting ${t.label}`);
        const c = await load.connect({
          group: t.label,
          dialect: t.dialect,
          url: t.server.url,
          secret: SECRET,
          // reef's two protocols share a process: different users, so no socket cap is shared.
          firstUserId: 1 + (i % 2) * (maxClients + 5),
          // Rooms of their own per target: reef's two protocols share a process and its rooms.
          rooms: w.rooms.map((r) => String(Number(r) + i * 100_000)),
          roomSize: w.roomSize,
          idle: 0,
          publishers: w.publishers,
          concurrency: 50,
        });
        ctx.progress(`${w.title}: ${t.label}: ${c.connected} sockets in ${c.ms} ms`);
      }
      // Each server's idle user CPU with every client group connected (timers, pings, pollers: reef's
      // actor runtime and presence sweep run on their own whatever the load). It is part of the
      // headline figure (the process's whole CPU over the run); the net column takes it out.
      const idleUserPerS = new Map<ServerProcess, number>();
      for (const t of targets) {
        if (idleUserPerS.has(t.server)) continue;
        ctx.progress(`${w.title}: idle CPU of ${t.server.name}`);
        const c0 = await serverCpu(t.server);
        const t0 = performance.now();
        await sleep(durationS * 1000);
        const c1 = await serverCpu(t.server);
        idleUserPerS.set(t.server, (c1.userUs - c0.userUs) / ((performance.now() - t0) / 1000));
      }
      idleNotes.push(
        `${w.title}: idle user CPU ` +
          [...idleUserPerS].map(([s, us]) => `${s.name} ${fmt(us / 1000, 1)} ms/s`).join(', '),
      );
      for (const size of [64, 1024]) {
        const measure = async (t: FanTarget, seconds: number): Promise<Sample> => {
          const c0 = await serverCpu(t.server);
          const t0 = performance.now();
          const r = await load.run({ group: t.label, rate: w.rate, durationS: seconds, size, drainMs: 3000 });
          const c1 = await serverCpu(t.server);
          const wallS = (performance.now() - t0) / 1000;
          const user = c1.userUs - c0.userUs;
          const total = user + c1.systemUs - c0.systemUs;
          const idle = (idleUserPerS.get(t.server) ?? 0) * wallS;
          return {
            run: r,
            userUs: r.received ? user / r.received : NaN,
            totalUs: r.received ? total / r.received : NaN,
            netUserUs: r.received ? Math.max(0, user - idle) / r.received : NaN,
          };
        };
        if (warmupS > 0)
          for (const t of targets) {
            ctx.progress(`${w.title}, ${size} B: warm-up ${t.label}`);
            await measure(t, warmupS);
          }
        const samples = new Map<string, Sample[]>(targets.map((t) => [t.label, []]));
        for (let r = 1; r <= rounds; r++)
          for (const t of targets) {
            const s = await measure(t, durationS);
            samples.get(t.label)!.push(s);
            ctx.progress(
              `${w.title}, ${size} B, round ${r}/${rounds} ${t.label}: ${fmt(s.run.received / s.run.elapsedS)} deliveries/s, ` +
                `user ${fmt(s.userUs, 2)} µs (net of idle ${fmt(s.netUserUs, 2)}), total ${fmt(s.totalUs, 2)} µs per delivery, p99 ${fmt(s.run.latencyMs.p99, 1)} ms, ` +
                `lost ${s.run.expected - s.run.received}, load generator ${fmt(s.run.loadgenCpu * 100)}% CPU`,
            );
          }
        const userOf = (label: string) => median((samples.get(label) ?? []).map((s) => s.userUs));
        const netOf = (label: string) => median((samples.get(label) ?? []).map((s) => s.netUserUs));
        const rawUser = userOf('raw uWS');
        const plainUser = userOf('plain Socket.io');
        const rawNet = netOf('raw uWS');
        const plainNet = netOf('plain Socket.io');
        for (const t of targets) {
          const ss = samples.get(t.label)!;
          const user = userOf(t.label);
          const net = netOf(t.label);
          rows.push([
            `${w.title}, ${size} B`,
            t.label,
            fmt(median(ss.map((s) => s.run.received / s.run.elapsedS))),
            fmt(user, 2),
            fmt(median(ss.map((s) => s.totalUs)), 2),
            fmt(median(ss.map((s) => s.run.latencyMs.p50)), 2),
            fmt(median(ss.map((s) => s.run.latencyMs.p99)), 2),
            ss.reduce((n, s) => n + s.run.expected - s.run.received, 0),
            `${fmt(rawUser / user, 2)}×`,
            `${fmt(plainUser / user, 2)}×`,
            fmt(net, 2),
            `${fmt(rawNet / net, 2)}× / ${fmt(plainNet / net, 2)}×`,
            `${fmt(median(ss.map((s) => s.run.loadgenCpu)) * 100)}%`,
          ]);
        }
      }
      await load.close();
    }
  } finally {
    await load.stop();
  }
  const offered = workloads.map((w) => `${w.title}: ${fmt(w.rate)} msgs/s offered`).join('; ');
  ctx.note(
    `Embedded reef (PGlite, in-process bus), ${rounds} alternating rounds × ${durationS} s per target and size, medians. ${offered} (≈ ${fmt(deliveries)} deliveries/s).`,
  );
  ctx.note(
    'CPU = the server process\'s own process.cpuUsage() over the run / deliveries; "total" adds system time (the kernel\'s loopback send, ≈ the same per frame for every server). Efficiency = baseline user CPU / target user CPU (higher is better; 0.5× raw uWS means twice its CPU).',
  );
  for (const n of idleNotes) ctx.note(n);
  const lines = table(
    [
      'workload',
      'target',
      'delivered msgs/s',
      'user CPU µs/delivery',
      'total CPU µs/delivery',
      'p50 ms',
      'p99 ms',
      'lost',
      'vs raw uWS (user CPU)',
      'vs plain Socket.io (user CPU)',
      'user CPU µs/delivery net of idle',
      'net vs raw / plain',
      'load gen CPU',
    ],
    rows,
  );
  for (const line of lines.split('\n')) ctx.note(line);
  console.error(`\n${lines}\n`);
}
