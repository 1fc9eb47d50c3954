/**
 * `npm run bench -- workflows`: the plugin sandbox (plugins/sandbox) and slash commands.
 *
 * In this process, one core, sequential calls (each figure is a p50/p99 over many calls):
 *   - a plain function call of the same handler (JSON in and out, as the sandbox does);
 *   - a warm sandbox call: a trivial script (`return input.n + 1`) in a warm isolate, end to end
 *     through Sandbox.execute (JSON copy in, run with a CPU timeout, copy out);
 *   - a warm sandbox call that awaits one capability (ctx.kv.get answered at once by the host): the
 *     asynchronous path (isolate → host → isolate);
 *   - a NATS request/reply on 127.0.0.1:4222 (an echo subscriber in this process), alternating
 *     rounds with the sandbox calls. Overhead = (sandbox − plain) / NATS.
 *   - cold isolate: a new isolate + context + bootstrap (what the warm pool hides), and the first
 *     call of a plugin module on a fresh isolate (compile + evaluate + call);
 *   - memory per warm isolate (V8 heap of 20 bootstrapped isolates, and the process RSS they add);
 *   - trivial executions/s for 2 s on one core.
 * Through a reef server (when the workflows routes are there): slash command invocations/s and
 * p50/p99 end to end, `POST /spaces/:id/workflows/commands/:name/invoke` of a command whose workflow
 * sends a message, with --connections concurrent clients.
 * Targets (issue 9): warm call overhead ≤ 0.1× a NATS request/reply; cold isolate ≤ 10 ms; ≥ 1,000
 * trivial executions/s on one core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { BenchContext } from '../lib/context.ts';
import { Sandbox, type ExecRequest } from '../../plugins/sandbox/sandbox.ts';

export const name = 'workflows';
export const description =
  'plugin sandbox: warm call vs plain call vs NATS request/reply, cold isolate, memory per isolate, executions/s; slash commands e2e';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

async function timeEach(n: number, f: () => unknown): Promise<number[]> {
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out[i] = performance.now() - t0;
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<void> {
  const rows: Array<[string, string, string]> = [];
  const row = (what: string, figure: string, target = '') => {
    rows.push([what, figure, target]);
    ctx.progress(`${what}: ${figure}`);
  };
  const limits = {
    memoryMb: 32,
    cpuMs: 50,
    wallMs: 5000,
    maxIoBytes: 256 * 1024,
    poolSize: 2,
    maxIsolates: 64,
  };
  const box = new Sandbox(limits);
  const nats = await natsConnect({ servers: ctx.services.NATS_URL.replace(/^nats:\/\//, '') });
  const subject = `bench.wf.${randomBytes(4).toString('hex')}`;
  const sub = nats.subscribe(subject, {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  try {
    await box.warmUp();
    const host: ExecRequest['host'] = async (method) => (method === 'kv.get' ? '41' : null);
    const trivial: ExecRequest = {
      key: 'space:bench',
      code: { kind: 'script', source: 'return input.n + 1' },
      input: { n: 41 },
      grant: ['kv'],
      meta: { spaceId: '1', pluginId: null },
      host,
    };
    const awaiting: ExecRequest = {
      ...trivial,
      key: 'space:bench-async',
      code: { kind: 'script', source: 'return Number(await ctx.kv.get("n")) + input.n' },
    };
    const plain = (input: { n: number }) => input.n + 1;
    const plainCall = () =>
      JSON.parse(JSON.stringify(plain(JSON.parse(JSON.stringify({ n: 41 })) as { n: number })));
    const check = await box.execute(trivial);
    if (!check.ok || check.output !== 42) throw new Error(`sandbox check failed: ${JSON.stringify(check)}`);
    const checkAsync = await box.execute(awaiting);
    if (!checkAsync.ok || checkAsync.output !== 82)
      throw new Error(`sandbox check failed: ${JSON.stringify(checkAsync)}`);
    const payload = new TextEncoder().encode('{"n":41}');

    // warm-up
    await timeEach(3000, () => box.execute(trivial));
    await timeEach(1000, () => box.execute(awaiting));
    await timeEach(1000, () => nats.request(subject, payload, { timeout: 2000 }));
    const plainT: number[] = [];
    const warmT: number[] = [];
    const asyncT: number[] = [];
    const natsT: number[] = [];
    const ROUNDS = 5;
    for (let r = 0; r < ROUNDS; r++) {
      ctx.progress(`calls, round ${r + 1}/${ROUNDS}`);
      plainT.push(...(await timeEach(5000, plainCall)));
      warmT.push(...(await timeEach(5000, () => box.execute(trivial))));
      asyncT.push(...(await timeEach(2000, () => box.execute(awaiting))));
      natsT.push(...(await timeEach(2000, () => nats.request(subject, payload, { timeout: 2000 }))));
    }
    const natsP50 = pct(natsT, 50);
    row('plain function call (JSON in and out)', `p50 ${us(pct(plainT, 50))}, p99 ${us(pct(plainT, 99))}`);
    row('NATS request/reply, 127.0.0.1 (same process)', `p50 ${us(natsP50)}, p99 ${us(pct(natsT, 99))}`);
    const over = (pct(warmT, 50) - pct(plainT, 50)) / natsP50;
    row(
      'warm sandbox call, trivial script',
      `p50 ${us(pct(warmT, 50))}, p99 ${us(pct(warmT, 99))}; overhead p50 ${over.toFixed(3)}× NATS`,
      '≤ 0.1× NATS',
    );
    const overAsync = (pct(asyncT, 50) - pct(plainT, 50)) / natsP50;
    row(
      'warm sandbox call awaiting one capability (kv.get)',
      `p50 ${us(pct(asyncT, 50))}, p99 ${us(pct(asyncT, 99))}; overhead p50 ${overAsync.toFixed(3)}× NATS`,
    );

    // cold isolates
    ctx.progress('cold isolates');
    const cold = new Sandbox({ ...limits, poolSize: 0, maxIsolates: 1000 });
    try {
      const created: Awaited<ReturnType<Sandbox['create']>>[] = [];
      const createT = await timeEach(100, async () => created.push(await cold.create()));
      for (const e of created) e.isolate.dispose();
      row(
        'cold isolate (isolate + context + bootstrap)',
        `p50 ${pct(createT, 50).toFixed(2)} ms, p99 ${pct(createT, 99).toFixed(2)} ms`,
        '≤ 10 ms',
      );
      const source = `export default { commands: { roll(e, ctx) { return 1 + Math.floor(Math.random() * (e.args.sides || 6)); } } };`;
      let k = 0;
      const firstT = await timeEach(100, async () => {
        const r = await cold.execute({
          key: `plugin:cold${k++}`,
          code: { kind: 'module', id: 'cold@1', source },
          handler: 'commands.roll',
          input: { args: { sides: 6 } },
          grant: [],
          meta: { spaceId: '1', pluginId: 'cold' },
          host,
        });
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        cold.drop(`plugin:cold${k - 1}`);
      });
      row(
        'first plugin call on a fresh isolate (cold start + module compile + call)',
        `p50 ${pct(firstT, 50).toFixed(2)} ms, p99 ${pct(firstT, 99).toFixed(2)} ms`,
      );

      // memory per warm isolate
      ctx.progress('memory per isolate');
      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      const mem = new Sandbox({ ...limits, poolSize: 20 });
      await mem.warmUp();
      const h = mem.heap();
      const rss1 = process.memoryUsage().rss;
      row(
        'memory per warm isolate (20 bootstrapped)',
        `V8 heap used ${(h.usedBytes / h.isolates / 1024).toFixed(0)} KiB, heap total ${(h.totalBytes / h.isolates / 1024).toFixed(0)} KiB, RSS added ${((rss1 - rss0) / h.isolates / 1024 / 1024).toFixed(2)} MiB`,
      );
      mem.close();
    } finally {
      cold.close();
    }

    // executions/s on one core
    ctx.progress('trivial executions/s');
    const until = performance.now() + 2000;
    let n = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() < until) {
      await box.execute(trivial);
      n++;
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    row(
      'trivial executions/s, sequential, one core',
      `${Math.round(n / secs).toLocaleString('en')}/s (process CPU ${(((cpu.user + cpu.system) / 1e6 / secs) * 100).toFixed(0)}%)`,
      '≥ 1,000/s',
    );
  } finally {
    sub.unsubscribe();
    await nats.close();
    box.close();
  }

  await slashCommands(ctx, row).catch((e: unknown) =>
    row('slash command invocations', `not measured: ${e instanceof Error ? e.message : String(e)}`),
  );

  ctx.note(
    `Sandbox figures in the bench process (Node ${process.version}, isolated-vm 5.0.4, ${os.cpus().length} cores), sequential calls; NATS on 127.0.0.1:4222.`,
  );
  for (const [w, f, tg] of rows) ctx.note(`${w}: ${f}${tg ? ` (target ${tg})` : ''}`);
}

type Row = (what: string, figure: string, target?: string) => void;

async function api(
  base: string,
  method: string,
  p: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api${p}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, body: parsed };
}

/** Slash commands through a reef server: a command whose workflow sends a rendered message. */
async function slashCommands(ctx: BenchContext, row: Row): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-bench-wf-'));
  try {
    const server = await ctx.startReef('reef', {
      ...ctx.services,
      NAMESPACE: `bench${randomBytes(4).toString('hex')}`,
      DATA_DIR: dataDir,
      // LOG_LEVEL stays info: readiness is the "reef listening" log line (bench/lib/procs.ts).
    });
    const base = server.url;
    const tag = randomBytes(4).toString('hex');
    const reg = await api(base, 'POST', '/auth/register', {
      email: `wf${tag}@bench.test`,
      username: `wf${tag}`,
      password: 'bench-password-1',
      displayName: 'bench',
    });
    if (reg.status >= 300) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    const token = String(reg.body.accessToken);
    const space = await api(base, 'POST', '/spaces', { name: `wf ${tag}`, slug: `wfspace${tag}` }, token);
    if (space.status !== 201) throw new Error(`space: ${space.status}`);
    const channels = await api(base, 'GET', `/spaces/${space.body.id}/channels`, undefined, token);
    const channelId: string = channels.body.find((c: { name: string }) => c.name === 'general').id;
    const cmd = await api(
      base,
      'POST',
      `/spaces/${space.body.id}/workflows/commands`,
      {
        name: 'hello',
        description: 'bench',
        args: [{ name: 'who', type: 'text', description: 'who', required: true }],
      },
      token,
    );
    if (cmd.status !== 201)
      throw new Error(`workflows commands endpoint: ${cmd.status} ${JSON.stringify(cmd.body)}`);
    const wf = await api(
      base,
      'POST',
      `/spaces/${space.body.id}/workflows`,
      {
        name: 'hello',
        triggerType: 'slash_command',
        triggerConfig: { commandName: 'hello' },
        actions: [{ type: 'send_message', config: { content: 'hello {{args.who}}' } }],
      },
      token,
    );
    if (wf.status !== 201) throw new Error(`workflow create: ${wf.status} ${JSON.stringify(wf.body)}`);
    const invoke = {
      url: `${base}/api/spaces/${space.body.id}/workflows/commands/hello/invoke`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channelId, args: { who: 'bench' } }),
    };
    const probe = await fetch(invoke.url, invoke);
    if (probe.status >= 300) throw new Error(`invoke: ${probe.status} ${await probe.text()}`);
    await ctx.load({ ...invoke, connections: ctx.options.connections, durationS: ctx.options.warmupS });
    const results = [];
    for (let r = 0; r < ctx.options.rounds; r++) {
      ctx.progress(`slash commands, round ${r + 1}/${ctx.options.rounds}`);
      results.push(
        await ctx.load({ ...invoke, connections: ctx.options.connections, durationS: ctx.options.durationS }),
      );
    }
    const mid = results.sort((a, b) => a.rps - b.rps)[results.length >> 1]!;
    row(
      `slash command invoke → workflow → send_message (${ctx.options.connections} connections)`,
      `${Math.round(mid.rps).toLocaleString('en')}/s, p50 ${mid.latencyMs.p50.toFixed(2)} ms, p99 ${mid.latencyMs.p99.toFixed(2)} ms, non-2xx ${mid.non2xx}`,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
