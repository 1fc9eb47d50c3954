/**
 * reef as the realtime benches run it: `startReef` (the same composition root as `npm start`) plus
 * what the features that do not exist yet would register, through the gateway's public API:
 * - a `channel` room-access provider that lets everyone in (the channels feature will check access),
 * - `bench:publish`, standing in for message:send: validates, then `engine.rooms.emit` to the channel.
 * Users BENCH_FIRST_USER (default 1) .. +BENCH_USERS are inserted so that tokens signed with JWT_SECRET for them authenticate.
 *
 * Prints `listening <port>` (bench/lib/procs.ts); SIGUSR2 runs a full GC and prints
 * `mem {"rss":..,"heapUsed":..}` for memory measurements; SIGWINCH prints `cpu {"user":µs,"system":µs}`;
 * SIGTERM closes reef.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as v from 'valibot';
import { sql } from 'kysely';
import { loadConfig } from '../../../engine/config.ts';
import { startReef } from '../../../http/app.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-bench-'));
const config = loadConfig({ DATA_DIR: dataDir, PGLITE_PATH: 'memory://', ...process.env });
const reef = await startReef(config);
const rt = reef.services.realtime;

// The channels feature registers its own provider (channel membership in a space); the bench's channel
// rooms belong to no space, so it is replaced by one that lets everyone in.
rt.access.unregister('channel');
rt.access.register({ prefix: 'channel', canJoin: async () => true });
const Publish = v.object({ channelId: v.string(), seq: v.number(), ts: v.number(), p: v.string() });
rt.command('bench:publish', Publish, (_user, d) => {
  reef.engine.rooms.emit(`channel:${d.channelId}`, 'message:new', d);
  return null;
});

const users = Number(process.env.BENCH_USERS ?? '0');
const first = Number(process.env.BENCH_FIRST_USER ?? '1');
if (users > 0)
  await sql`insert into users (id, email, email_lower, username, username_lower, display_name)
    select g, 'b' || g || '@bench.test', 'b' || g || '@bench.test', 'b' || g, 'b' || g, 'Bench ' || g
    from generate_series(${first}::bigint, ${first + users - 1}::bigint) g on conflict do nothing`.execute(
    reef.engine.db.db,
  );

process.on('SIGWINCH', () => {
  nextSegment();
  const c = process.cpuUsage();
  console.log(`cpu ${JSON.stringify({ user: c.user, system: c.system })}`);
});
process.on('SIGUSR2', () => {
  gc();
  gc();
  const m = process.memoryUsage();
  console.log(
    `mem ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}`,
  );
});
// BENCH_CPU_PROF=<file>: profile the measured runs (what --cpu-prof would, which the bench's spawn does
// not pass). Every CPU reading (SIGWINCH: the start and the end of each measured run) closes one
// segment and opens the next: `<file>.<n>.cpuprofile`, so the odd segments (1, 3, ...) are exactly
// the measured runs; startup and the clients' connects are not profiled.
const profFile = process.env.BENCH_CPU_PROF;
const profiler = profFile ? new inspector.Session() : null;
let segment = 0;
if (profiler) {
  profiler.connect();
  profiler.post('Profiler.enable');
}
function nextSegment(): void {
  if (!profiler || !profFile) return;
  const n = segment++;
  if (n === 0) {
    profiler.post('Profiler.start');
    return;
  }
  profiler.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(`${profFile}.${n}.cpuprofile`, JSON.stringify(res.profile));
    profiler.post('Profiler.start');
  });
}
process.once('SIGTERM', () => {
  void reef.close().finally(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
console.log(`listening ${reef.port}`);
