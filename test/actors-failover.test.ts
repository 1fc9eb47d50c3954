/**
 * A NATS restart under traffic (ACTORS.md "Failure tests that prove it"). Runs only with
 * REEF_TEST_SERVICES=1 and /usr/sbin/nats-server: a private server, the shared one is never restarted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVICES, uniq } from './context.ts';
import { ActorNode, NodeCallError, converged, nodeEnv, waitFor } from './fixtures/actor-cluster.ts';
import type { CounterContext } from './fixtures/actor-kinds.ts';

const SKIP = SERVICES ? false : 'actor failover tests need REEF_TEST_SERVICES=1 (PostgreSQL, NATS, Redis)';
const NATS_SERVER = '/usr/sbin/nats-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startNats(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: 'ignore',
  });
  process.on('exit', () => child.kill('SIGKILL'));
  await waitFor(
    'private nats-server',
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    10_000,
  );
  return child;
}

const NATS_SKIP = SKIP || (fs.existsSync(NATS_SERVER) ? false : `${NATS_SERVER} not installed`);

describe('NATS restart mid-traffic (private nats-server)', { skip: NATS_SKIP }, () => {
  it('loses no accepted send; asks fail within their deadline; ownership converges', async () => {
    const ns = uniq('tn');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-actors-nats-'));
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-nats-'));
    const port = await freePort();
    let nats = await startNats(port, storeDir);
    const env = (i: number) => nodeEnv(ns, 920 + i, dataDir, { NATS_URL: `nats://127.0.0.1:${port}` });
    const nodes = await Promise.all([1, 2].map((i) => ActorNode.start(`p${i}`, env(i))));
    try {
      await converged(nodes);
      const actors = Array.from({ length: 4 }, () => ({ kind: 'counter', id: uniq('n') }));
      const accepted = new Map<string, string[]>(actors.map((a) => [a.id, []]));
      const askTimes: number[] = [];
      let natsDown = false;
      let acceptedWhileDown = 0;
      let asksFailed = 0;
      let stop = false;
      let i = 0;
      // 1. steady traffic: sends (durable) and asks (not durable, deadline 800 ms) through both nodes
      const traffic = (async () => {
        while (!stop) {
          const a = actors[i % actors.length]!;
          const via = nodes[i % 2]!;
          const tag = `t${i++}`;
          const sent = via.send(a, { type: 'inc', tag }).then(
            () => {
              accepted.get(a.id)!.push(tag);
              if (natsDown) acceptedWhileDown++;
            },
            () => undefined, // refused (not accepted): allowed, not counted
          );
          const t = Date.now();
          const asked = via.ask(a, { type: 'get' }, 800).then(
            () => askTimes.push(Date.now() - t),
            (err: unknown) => {
              assert.ok(err instanceof NodeCallError, String(err));
              askTimes.push(Date.now() - t);
              asksFailed++;
            },
          );
          await Promise.all([sent, asked]);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await new Promise((r) => setTimeout(r, 1000));
      // 2. kill NATS, keep the traffic going, restart it on the same port and store
      nats.kill('SIGKILL');
      await new Promise((r) => nats.once('exit', r));
      natsDown = true;
      await new Promise((r) => setTimeout(r, 1500));
      nats = await startNats(port, storeDir);
      natsDown = false;
      await new Promise((r) => setTimeout(r, 2000));
      stop = true;
      await traffic;
      // Sends stay available without NATS (the inbox is in Postgres); asks may fail, within deadline.
      assert.ok(acceptedWhileDown > 0, 'sends were accepted while NATS was down');
      assert.ok(asksFailed > 0, 'some asks failed during the outage');
      // 3. every accepted send is handled exactly once
      for (const a of actors) {
        const want = accepted.get(a.id)!;
        assert.ok(want.length > 5, 'traffic flowed');
        const ctx = await waitFor(
          `all accepted sends of ${a.id} handled`,
          async () => {
            const s = await nodes[0]!.read<CounterContext>(a);
            return s && want.every((t) => s.context.tags.includes(t)) ? s.context : null;
          },
          30_000,
          200,
        );
        assert.equal(new Set(ctx.tags).size, ctx.tags.length, 'no send applied twice');
      }
      assert.ok(
        Math.max(...askTimes) < 800 + 700,
        `asks settled within their deadline (max ${Math.max(...askTimes)} ms)`,
      );
      await converged(nodes);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      nats.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
