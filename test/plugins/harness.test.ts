/**
 * The plugin SDK harness (`npm run plugin -- test <dir>`): the built-in dice plugin passes its
 * harness.json; generated events run every handler; an ungranted capability and a loop fail their case
 * with the server's error codes; the CLI exits 0 / 1 accordingly. Everything runs through the CLI in a
 * child process (isolated-vm can trip a native assertion when node:test tears down a process that
 * held isolates; the CLI exits explicitly).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BUILTIN_DIR } from '../../plugins/registry.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-harness-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

fs.writeFileSync(
  path.join(dir, 'manifest.json'),
  JSON.stringify({
    id: 'acme.mixed',
    version: '0.1.0',
    capabilities: ['messages'],
    commands: [{ name: 'hi', args: [{ name: 'n', type: 'number' }] }, { name: 'grab' }, { name: 'spin' }],
    triggers: [{ type: 'message_created' }],
  }),
);
fs.writeFileSync(
  path.join(dir, 'index.js'),
  `export default {
  commands: {
    async hi(e, ctx) { await ctx.messages.send({ content: 'hi ' + e.args.n }); return e.args.n + 1; },
    async grab(e, ctx) { await ctx.roles.add({ roleId: '1' }); },
    spin() { for (;;) {} },
  },
  triggers: { message_created(e) { return e.content.toUpperCase(); } },
};`,
);

const run = (args: string[]) =>
  spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'plugins/sdk/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

const json = (args: string[]) => {
  const r = run([...args, '--json']);
  return { status: r.status, out: JSON.parse(r.stdout) as { cases: any[] }, stderr: r.stderr };
};

test('the built-in dice plugin passes its harness.json', () => {
  const { status, out, stderr } = json(['test', path.join(BUILTIN_DIR, 'dice')]);
  assert.equal(status, 0, stderr);
  const cases = out.cases;
  assert.equal(cases.length, 4);
  assert.ok(
    cases.every((c) => c.passed),
    JSON.stringify(cases.filter((c) => !c.passed)),
  );
  assert.equal(cases[0].calls[0].method, 'messages.send');
  assert.match(String(cases[0].calls[0].args.content), /@ann rolled 2d6\+1/);
});

test('generated events run every handler; faults come back with their codes', () => {
  const { status, out } = json(['test', dir]);
  assert.equal(status, 1);
  const byName = Object.fromEntries(out.cases.map((c) => [c.event.name, c]));
  assert.deepEqual(byName['hi'].result.output, 2);
  assert.deepEqual(byName['hi'].calls, [
    { method: 'messages.send', args: { channelId: '200', content: 'hi 1' } },
  ]);
  assert.equal(byName['grab'].result.error.code, 'NOT_GRANTED');
  assert.equal(byName['spin'].result.error.code, 'CPU_LIMIT');
  assert.deepEqual(byName['message_created'].result.output, 'HELLO');
});

test('the CLI exits 0 when every case passes and 1 otherwise', () => {
  const ok = run(['test', path.join(BUILTIN_DIR, 'dice')]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /reef\.dice@1\.0\.0: 4 case\(s\)/);
  const bad = run(['test', dir]);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /FAIL command grab/);
  const usage = run(['nope']);
  assert.equal(usage.status, 2);
});
