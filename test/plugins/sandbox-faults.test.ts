/**
 * Security and faults of the isolated-vm sandbox (issue 9): an infinite loop (sync and after an
 * await), a memory bomb, deep recursion, a promise flood, a 100 MB string, reading process / require /
 * host globals, an import, and a capability that was not granted each end THAT execution with an error
 * (and a log line); the host keeps running, other keys (plugins / spaces) keep working, and only the
 * capability calls that completed before the fault happened.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, type ExecRequest, type ExecResult } from '../../plugins/sandbox/sandbox.ts';

const warnings: Record<string, unknown>[] = [];
const box = new Sandbox(
  { memoryMb: 16, cpuMs: 250, wallMs: 4000, maxIoBytes: 64 * 1024, poolSize: 1, maxIsolates: 16 },
  { warn: (o) => warnings.push(o) },
);
after(() => box.close());

const sent: unknown[] = [];
const host: ExecRequest['host'] = async (method, args) => {
  sent.push({ method, args });
  if (method === 'kv.get') return 'v';
  return { messageId: '1' };
};

const script = (key: string, source: string, grant: string[] = ['messages'], input: unknown = {}) =>
  box.execute({
    key,
    code: { kind: 'script', source },
    input,
    grant,
    meta: { spaceId: '1', pluginId: null },
    host,
  });

async function healthy(key: string): Promise<void> {
  const r = await script(key, 'return input.n * 2', [], { n: 21 });
  assert.deepEqual(r.ok && r.output, 42, JSON.stringify(r));
}

function failed(r: ExecResult, code: string): void {
  assert.equal(r.ok, false, JSON.stringify(r));
  if (!r.ok) assert.equal(r.error.code, code, JSON.stringify(r.error));
  assert.ok(
    warnings.some((w) => w.code === code),
    `a log line for ${code}`,
  );
}

test('a trivial script returns JSON; the input is a copy', async () => {
  const input = { a: [1, 2], n: 1 };
  const r = await script(
    'space:ok',
    'input.a.push(3); return { sum: input.a.reduce((x, y) => x + y, 0) }',
    [],
    input,
  );
  assert.deepEqual(r.ok && r.output, { sum: 6 });
  assert.deepEqual(input.a, [1, 2]);
});

test('an infinite loop ends with CPU_LIMIT; the space gets a fresh isolate; another space is untouched', async () => {
  await healthy('space:other');
  const r = await script('space:loop', 'for (;;) {}');
  failed(r, 'CPU_LIMIT');
  await healthy('space:loop');
  await healthy('space:other');
});

test('an infinite loop after an await (async part) is stopped by the CPU watchdog', async () => {
  sent.length = 0;
  const r = await script(
    'space:loop2',
    'await ctx.messages.send({ channelId: "1", content: "before" }); for (;;) {}',
  );
  failed(r, 'CPU_LIMIT');
  // the action that completed before the fault stays; nothing after it
  assert.deepEqual(sent, [{ method: 'messages.send', args: { channelId: '1', content: 'before' } }]);
  await healthy('space:loop2');
});

test('a memory bomb ends with MEMORY_LIMIT and the host survives', async () => {
  const r = await script('space:mem', 'const a = []; for (;;) a.push({ x: new Array(1000).fill(1) });');
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(['MEMORY_LIMIT', 'CPU_LIMIT'].includes(r.error.code), JSON.stringify(r.error));
  await healthy('space:mem');
  assert.ok(process.memoryUsage().rss > 0);
});

test('a 100 MB string ends the execution: kept, dropped, returned or passed to the host', async () => {
  const kept = await script(
    'space:str',
    'globalThis.s = "x".repeat(100 * 1024 * 1024); return s.slice(1).length',
  );
  // whichever limit trips first (the heap check or the CPU clock while V8 struggles near its limit)
  assert.equal(kept.ok, false);
  if (!kept.ok)
    assert.ok(['MEMORY_LIMIT', 'CPU_LIMIT'].includes(kept.error.code), JSON.stringify(kept.error));
  const dropped = await script(
    'space:str',
    'const s = "x".repeat(100 * 1024 * 1024); return s.slice(1).length',
  );
  assert.equal(dropped.ok, false);
  if (!dropped.ok)
    assert.ok(['MEMORY_LIMIT', 'CPU_LIMIT'].includes(dropped.error.code), JSON.stringify(dropped.error));
  await healthy('space:str');
  const returned = await script('space:str', 'return "y".repeat(100 * 1024)');
  failed(returned, 'IO_TOO_LARGE');
  sent.length = 0;
  const passed = await script(
    'space:str',
    'await ctx.messages.send({ channelId: "1", content: "z".repeat(100 * 1024) })',
  );
  failed(passed, 'IO_TOO_LARGE');
  assert.deepEqual(sent, []);
  await healthy('space:str');
});

test('deep recursion is a RangeError in the script, not in the host', async () => {
  const r = await script('space:rec', 'const f = (n) => f(n + 1) + 1; return f(0)');
  failed(r, 'SCRIPT_ERROR');
  if (!r.ok) assert.equal(r.error.name, 'RangeError');
  await healthy('space:rec');
});

test('a promise flood ends the execution', async () => {
  const r = await script(
    'space:flood',
    'const f = () => Promise.resolve().then(f); f(); const ps = []; for (;;) ps.push(new Promise(() => {}));',
  );
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(['MEMORY_LIMIT', 'CPU_LIMIT'].includes(r.error.code), JSON.stringify(r.error));
  const r2 = await script(
    'space:flood2',
    'await null; const f = () => Promise.resolve().then(f); f(); return 1',
  );
  assert.equal(r2.ok, false);
  await healthy('space:flood');
});

test('process, require, fetch and host globals are not there, with a message that says why', async () => {
  for (const name of [
    'process.env',
    'require("fs")',
    'fetch("http://x")',
    'Buffer.from("x")',
    'setTimeout(() => 1)',
  ]) {
    const r = await script('space:glob', `return ${name}`);
    failed(r, 'SCRIPT_ERROR');
    if (!r.ok) {
      assert.equal(r.error.name, 'ForbiddenGlobal', name);
      assert.match(r.error.message, /not available in a reef plugin/);
    }
  }
  const r = await script(
    'space:glob',
    'return [typeof globalThis.__reefHost, typeof globalThis.__reefSettle, typeof globalThis.global0]',
  );
  assert.deepEqual(r.ok && r.output, ['undefined', 'undefined', 'undefined']);
  const mod = await box.execute({
    key: 'plugin:imports',
    code: {
      kind: 'module',
      id: 'imports@1',
      source: 'import fs from "node:fs"; export default { actions: { a() { return 1 } } }',
    },
    handler: 'actions.a',
    input: {},
    grant: [],
    meta: { spaceId: '1', pluginId: 'imports' },
    host,
  });
  failed(mod, 'LOAD_ERROR');
  if (!mod.ok) assert.match(mod.error.message, /bundle your plugin/);
});

test('a capability not granted ends the execution even when the script catches the error', async () => {
  sent.length = 0;
  const r = await script(
    'space:grant',
    'await ctx.messages.send({ channelId: "1", content: "ok" }); try { await ctx.roles.add({ userId: "1", roleId: "2" }) } catch (e) {} return "done"',
    ['messages'],
  );
  failed(r, 'NOT_GRANTED');
  assert.deepEqual(
    sent.map((s) => (s as { method: string }).method),
    ['messages.send'],
  );
  // kv granted works and returns the host's value
  const kv = await script('space:grant', 'return await ctx.kv.get("k")', ['kv']);
  assert.deepEqual(kv.ok && kv.output, 'v');
});

test('a plugin module: handlers by name, logs collected, config visible, isolates per plugin', async () => {
  const source = `let calls = 0;
export default {
  commands: {
    roll(event, ctx) { calls++; ctx.log.info('rolled', { sides: ctx.config.sides }); return { sides: ctx.config.sides, calls, args: event.args } },
  },
};`;
  const req = (input: unknown): ExecRequest => ({
    key: 'plugin:dice',
    code: { kind: 'module', id: 'dice@1', source },
    handler: 'commands.roll',
    input,
    grant: ['messages'],
    meta: { spaceId: '7', pluginId: 'dice', config: { sides: 20 } },
    host,
  });
  const a = await box.execute(req({ args: { n: 1 } }));
  const b = await box.execute(req({ args: { n: 2 } }));
  assert.deepEqual(a.ok && a.output, { sides: 20, calls: 1, args: { n: 1 } });
  assert.deepEqual(b.ok && b.output, { sides: 20, calls: 2, args: { n: 2 } });
  assert.deepEqual(a.logs, [{ level: 'info', message: 'rolled', data: { sides: 20 } }]);
  const missing = await box.execute({ ...req({}), handler: 'commands.nope' });
  assert.equal(missing.ok, false);
});

test('a wall-clock limit ends an execution waiting forever on the host', async () => {
  const slow = new Sandbox({
    memoryMb: 16,
    cpuMs: 100,
    wallMs: 200,
    maxIoBytes: 65536,
    poolSize: 0,
    maxIsolates: 4,
  });
  try {
    const r = await slow.execute({
      key: 'space:slow',
      code: { kind: 'script', source: 'await ctx.kv.get("x"); return 1' },
      input: {},
      grant: ['kv'],
      meta: { spaceId: '1', pluginId: null },
      host: () => new Promise(() => {}),
    });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'WALL_LIMIT');
  } finally {
    slow.close();
  }
});

test('a continuation that outlives its execution and loops is stopped; the host thread never blocks', async () => {
  const r = await script(
    'space:stray',
    'ctx.kv.get("a").catch(() => 0).then(() => { for (;;) {} }); return 1',
    ['kv'],
  );
  assert.deepEqual(r.ok && r.output, 1);
  // the host's event loop keeps ticking while the isolate spins, until the watchdog disposes it
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !warnings.some((w) => w.key === 'space:stray')) {
      const next = await script('space:stray', 'return 2');
      // a call queued behind the runaway continuation is the one that sees the limit (same space)
      assert.ok(next.ok || next.error.code === 'CPU_LIMIT', JSON.stringify(next));
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(
      warnings.some((w) => w.key === 'space:stray'),
      'the runaway isolate was disposed',
    );
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'the event loop ran while the isolate was busy');
  await healthy('space:stray');
});

test('an unhandled rejection fails its execution (SCRIPT_ERROR), not the isolate', async () => {
  const r = await script('space:rej', 'Promise.reject(new Error("stray")); return 1');
  failed(r, 'SCRIPT_ERROR');
  if (!r.ok) assert.match(r.error.message, /unhandled promise rejection: stray/);
  await healthy('space:rej');
  // a capability error the script ignores is not one
  const ignored = await script('space:rej', 'ctx.messages.send({}); return 3');
  assert.deepEqual(ignored.ok && ignored.output, 3);
});
