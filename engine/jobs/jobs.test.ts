/**
 * Jobs port conformance: inline jobs and BullMQ (when REEF_TEST_SERVICES=1) retry with exponential
 * backoff, give up after `attempts`, honour delays and de-duplicate by job id while a job is pending.
 * Short backoffs and delays keep the suite fast; each adapter gets its own namespace, each test its
 * own queue.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { SERVICES, SERVICE_URLS, uniq } from '../../test/context.ts';
import { createLogger } from '../log.ts';
import type { Jobs } from './index.ts';
import { createInlineJobs } from './inline.ts';
import { createBullJobs } from './bullmq.ts';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const namespaces: string[] = [];
const adapters: Array<{ name: string; make: () => Jobs }> = [
  { name: 'inline', make: () => createInlineJobs(log) },
];
if (SERVICES)
  adapters.push({
    name: 'bullmq',
    make: () => {
      const ns = uniq('jobtest');
      namespaces.push(ns);
      return createBullJobs(SERVICE_URLS.REDIS_URL, ns, log);
    },
  });

after(async () => {
  if (namespaces.length === 0) return;
  const r = new Redis(SERVICE_URLS.REDIS_URL);
  for (const ns of namespaces) {
    const keys = await r.keys(`${ns}:*`);
    if (keys.length) await r.del(...keys);
  }
  await r.quit();
});

for (const adapter of adapters) {
  describe(`jobs (${adapter.name})`, () => {
    const jobs = adapter.make();
    after(() => jobs.close(2000));

    test('a failing job is retried with exponential backoff, then succeeds', async () => {
      const queue = uniq('q');
      const attempts: Array<{ attempt: number; at: number; data: unknown }> = [];
      let done = false;
      jobs.process<{ n: number }>(queue, async (data, meta) => {
        attempts.push({ attempt: meta.attempt, at: Date.now(), data });
        if (meta.attempt < 3) throw new Error(`flaky ${meta.attempt}`);
        done = true;
      });
      await jobs.enqueue(queue, { n: 42 }, { attempts: 5, backoffMs: 100 });
      await waitFor(() => done);
      await sleep(150);
      assert.deepEqual(
        attempts.map((a) => a.attempt),
        [1, 2, 3],
      );
      assert.deepEqual(attempts[2]!.data, { n: 42 });
      const gap1 = attempts[1]!.at - attempts[0]!.at;
      const gap2 = attempts[2]!.at - attempts[1]!.at;
      assert.ok(gap1 >= 90, `first retry after ${gap1} ms (backoff 100)`);
      assert.ok(gap2 >= 190, `second retry after ${gap2} ms (backoff 200)`);
    });

    test('a job that always fails is tried `attempts` times, then never again', async () => {
      const queue = uniq('q');
      const seen: number[] = [];
      jobs.process(queue, async (_data, meta) => {
        seen.push(meta.attempt);
        throw new Error('permanent');
      });
      await jobs.enqueue(queue, {}, { attempts: 3, backoffMs: 30 });
      await waitFor(() => seen.length === 3);
      await sleep(400); // well past the next backoff (120 ms)
      assert.deepEqual(seen, [1, 2, 3]);
    });

    test('a delayed job does not run before its delay', async () => {
      const queue = uniq('q');
      const ran: number[] = [];
      jobs.process(queue, async () => {
        ran.push(Date.now());
      });
      const enqueuedAt = Date.now();
      await jobs.enqueue(queue, {}, { delayMs: 300 });
      await sleep(150);
      assert.equal(ran.length, 0, 'not yet');
      await waitFor(() => ran.length === 1);
      assert.ok(ran[0]! - enqueuedAt >= 290, `ran after ${ran[0]! - enqueuedAt} ms`);
    });

    test('the same jobId enqueued while pending runs once; different ids run each', async () => {
      const queue = uniq('q');
      const ran: string[] = [];
      jobs.process<{ tag: string }>(queue, async (data) => {
        ran.push(data.tag);
      });
      await Promise.all([
        jobs.enqueue(queue, { tag: 'first' }, { jobId: 'call:1:timeout', delayMs: 600 }),
        jobs.enqueue(queue, { tag: 'second' }, { jobId: 'call:1:timeout', delayMs: 600 }),
        jobs.enqueue(queue, { tag: 'third' }, { jobId: 'call:1:timeout', delayMs: 600 }),
        jobs.enqueue(queue, { tag: 'other' }, { jobId: 'call:2:timeout', delayMs: 600 }),
      ]);
      await waitFor(() => ran.length >= 2);
      await sleep(300);
      assert.equal(ran.length, 2);
      assert.ok(ran.includes('other'));
      assert.equal(ran.filter((t) => t !== 'other').length, 1);
    });

    test('a jobId is free again once its job has finished', async () => {
      const queue = uniq('q');
      const ran: string[] = [];
      jobs.process<{ tag: string }>(queue, async (data) => {
        ran.push(data.tag);
      });
      await jobs.enqueue(queue, { tag: 'first' }, { jobId: 'digest:7' });
      await waitFor(() => ran.length === 1);
      await sleep(50);
      await jobs.enqueue(queue, { tag: 'second' }, { jobId: 'digest:7' });
      await waitFor(() => ran.length === 2);
      assert.deepEqual(ran, ['first', 'second']);
    });

    test('a job enqueued before its queue has a processor waits for it', async () => {
      const queue = uniq('q');
      await jobs.enqueue(queue, { x: 1 });
      await sleep(50);
      const got: unknown[] = [];
      jobs.process(queue, async (data) => {
        got.push(data);
      });
      await waitFor(() => got.length === 1);
      assert.deepEqual(got, [{ x: 1 }]);
    });
  });
}

if (SERVICES)
  test('jobs (bullmq): enqueue fails promptly, not forever, when Redis goes away', async () => {
    // A TCP proxy in front of Redis that we can cut, as a Redis crash would.
    const sockets = new Set<net.Socket>();
    const target = new URL(SERVICE_URLS.REDIS_URL);
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const ns = uniq('jobtest');
    namespaces.push(ns);
    const jobs = createBullJobs(`redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, ns, log);
    try {
      await jobs.enqueue(uniq('q'), { n: 1 });
      proxy.close();
      for (const s of sockets) s.resetAndDestroy();
      const started = Date.now();
      await assert.rejects(
        jobs.enqueue(uniq('q'), { n: 2 }),
        (err: Error) => err.name === 'MaxRetriesPerRequestError',
      );
      assert.ok(Date.now() - started < 5000, `rejected after ${Date.now() - started} ms`);
    } finally {
      await jobs.close(500);
    }
  });
