/**
 * Bus port conformance: the same behaviour from the in-process bus and from NATS (the latter when
 * REEF_TEST_SERVICES=1). Every test uses its own subject prefix, so runs against a long-lived NATS
 * server never see each other's traffic.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES, SERVICE_URLS, uniq } from '../../test/context.ts';
import { createLogger } from '../log.ts';
import { BusError, dec, enc, msgText, publishText, subjectMatches, type Bus, type BusMsg } from './index.ts';
import { createMemoryBus } from './memory.ts';
import { createNatsBus } from './nats.ts';

const log = createLogger('silent');

/**
 * `peer(bus)` is a second client of the same bus, as another node would hold: the same instance
 * in-process, a second connection on NATS.
 */
const adapters: Array<{ name: string; make: () => Promise<Bus>; peer: (bus: Bus) => Promise<Bus> }> = [
  { name: 'memory', make: async () => createMemoryBus(), peer: async (bus) => bus },
];
if (SERVICES) {
  const make = async () => (await createNatsBus(SERVICE_URLS.NATS_URL, log, uniq('bus-test-'))).bus;
  adapters.push({ name: 'nats', make, peer: () => make() });
}

/** Poll `pred` until it holds or `ms` pass. */
async function waitFor(pred: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

test('subjectMatches follows NATS wildcard rules', () => {
  assert.equal(subjectMatches('a.*', 'a.b'), true);
  assert.equal(subjectMatches('a.*', 'a.b.c'), false);
  assert.equal(subjectMatches('a.*', 'a'), false);
  assert.equal(subjectMatches('a.>', 'a.b.c'), true);
  assert.equal(subjectMatches('a.>', 'a'), false);
  assert.equal(subjectMatches('*.b.*', 'x.b.y'), true);
  assert.equal(subjectMatches('*.b.*', 'x.c.y'), false);
  assert.equal(subjectMatches('a.b', 'a.b'), true);
  assert.equal(subjectMatches('a.b', 'a.bc'), false);
});

for (const adapter of adapters) {
  describe(`bus (${adapter.name})`, () => {
    const buses: Bus[] = [];
    const open = async (peerOf?: Bus) => {
      const b = peerOf ? await adapter.peer(peerOf) : await adapter.make();
      if (!buses.includes(b)) buses.push(b);
      return b;
    };
    after(async () => {
      for (const b of buses) await b.close();
    });

    test('wildcard subscriptions receive exactly the matching subjects', async () => {
      const bus = await open();
      const ns = uniq('t');
      const got: Record<string, string[]> = { star: [], tail: [], mid: [], exact: [] };
      const rec = (k: string) => (m: BusMsg) => got[k]!.push(`${m.subject}=${dec.decode(m.data)}`);
      bus.subscribe(`${ns}.a.*`, rec('star'));
      bus.subscribe(`${ns}.a.>`, rec('tail'));
      bus.subscribe(`${ns}.*.c`, rec('mid'));
      bus.subscribe(`${ns}.a.b`, rec('exact'));
      await bus.flush();
      for (const s of ['a.b', 'a.b.c', 'x.c', 'a.c', 'b']) bus.publish(`${ns}.${s}`, enc.encode(s));
      await bus.flush();
      await waitFor(() => got.tail!.length === 3 && got.mid!.length === 2);
      await settle();
      assert.deepEqual(got.star!.sort(), [`${ns}.a.b=a.b`, `${ns}.a.c=a.c`]);
      assert.deepEqual(got.tail!.sort(), [`${ns}.a.b.c=a.b.c`, `${ns}.a.b=a.b`, `${ns}.a.c=a.c`]);
      assert.deepEqual(got.mid!.sort(), [`${ns}.a.c=a.c`, `${ns}.x.c=x.c`]);
      assert.deepEqual(got.exact, [`${ns}.a.b=a.b`]);
    });

    test('publishText reaches literal and wildcard subscribers as the same bytes; unsubscribe stops one subscriber only', async () => {
      const bus = await open();
      const other = await open(bus);
      const ns = uniq('t');
      const text = JSON.stringify({ event: 'message:new', payload: { p: 'é✓', n: 1 } });
      const got: string[] = [];
      const bytes: string[] = [];
      const a = other.subscribe(`${ns}.room.x`, (m) => got.push(`a:${msgText(m)}`));
      other.subscribe(`${ns}.room.x`, (m) => got.push(`b:${msgText(m)}`));
      other.subscribe(`${ns}.room.*`, (m) => bytes.push(dec.decode(m.data)));
      other.subscribe(`${ns}.elsewhere.>`, () => got.push('wrong'));
      await other.flush();
      publishText(bus, `${ns}.room.x`, text);
      await bus.flush();
      await waitFor(() => got.length === 2 && bytes.length === 1);
      assert.deepEqual(got.sort(), [`a:${text}`, `b:${text}`]);
      assert.deepEqual(bytes, [text]);
      a.unsubscribe();
      a.unsubscribe(); // idempotent
      await other.flush();
      publishText(bus, `${ns}.room.x`, 'second');
      await bus.flush();
      await waitFor(() => got.length === 3 && bytes.length === 2);
      await settle();
      assert.deepEqual(got.slice(2), ['b:second']);
      assert.deepEqual(bytes, [text, 'second']);
    });

    test('a queue group delivers each message to exactly one member; plain subscribers get all', async () => {
      const bus = await open();
      const other = await open(bus); // members on two connections, as on two nodes
      const subject = `${uniq('t')}.work`;
      const perMember: number[][] = [[], [], [], []];
      const plain: number[] = [];
      const otherGroup: number[] = [];
      bus.subscribe(subject, (m) => perMember[0]!.push(Number(dec.decode(m.data))), { queue: 'workers' });
      bus.subscribe(subject, (m) => perMember[1]!.push(Number(dec.decode(m.data))), { queue: 'workers' });
      other.subscribe(subject, (m) => perMember[2]!.push(Number(dec.decode(m.data))), { queue: 'workers' });
      other.subscribe(`${subject.split('.')[0]}.*`, (m) => perMember[3]!.push(Number(dec.decode(m.data))), {
        queue: 'workers',
      });
      bus.subscribe(subject, (m) => plain.push(Number(dec.decode(m.data))));
      other.subscribe(subject, (m) => otherGroup.push(Number(dec.decode(m.data))), { queue: 'audit' });
      await Promise.all([bus.flush(), other.flush()]);
      const N = 60;
      for (let i = 0; i < N; i++) bus.publish(subject, enc.encode(String(i)));
      await bus.flush();
      await waitFor(() => perMember.flat().length >= N && plain.length === N && otherGroup.length === N);
      await settle();
      const delivered = perMember.flat().sort((a, b) => a - b);
      assert.deepEqual(delivered, [...Array(N).keys()], 'each message exactly once within the group');
      assert.deepEqual(
        plain.sort((a, b) => a - b),
        [...Array(N).keys()],
      );
      assert.deepEqual(
        otherGroup.sort((a, b) => a - b),
        [...Array(N).keys()],
      );
    });

    test('request/reply returns the responder answer; one reply from a queue group', async () => {
      const bus = await open();
      const client = await open(bus);
      const subject = `${uniq('t')}.echo`;
      let calls = 0;
      for (let i = 0; i < 3; i++)
        bus.subscribe(
          subject,
          (m) => {
            calls++;
            m.respond(enc.encode(`${i}:${dec.decode(m.data).toUpperCase()}`));
          },
          { queue: 'echo' },
        );
      await bus.flush();
      const answers = await Promise.all(
        ['a', 'b', 'c', 'd'].map(async (x) => dec.decode(await client.request(subject, enc.encode(x), 2000))),
      );
      assert.deepEqual(
        answers.map((a) => a.split(':')[1]),
        ['A', 'B', 'C', 'D'],
      );
      assert.equal(calls, 4);
      assert.ok(answers.every((a) => /^[0-2]:/.test(a)));
    });

    test('request with nobody listening fails fast with NO_RESPONDERS', async () => {
      const bus = await open();
      const started = Date.now();
      await assert.rejects(
        bus.request(`${uniq('t')}.nobody`, enc.encode('x'), 10_000),
        (err: unknown) => err instanceof BusError && err.code === 'NO_RESPONDERS',
      );
      assert.ok(Date.now() - started < 5000, 'does not wait for the timeout');
    });

    test('request to a silent responder fails with TIMEOUT after the deadline', async () => {
      const bus = await open();
      const subject = `${uniq('t')}.silent`;
      let seen = 0;
      bus.subscribe(subject, () => seen++);
      await bus.flush();
      const started = Date.now();
      await assert.rejects(
        bus.request(subject, enc.encode('x'), 200),
        (err: unknown) => err instanceof BusError && err.code === 'TIMEOUT',
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 5000, `timed out after ${elapsed} ms`);
      assert.equal(seen, 1, 'the request reached the silent subscriber');
    });

    test('unsubscribe stops delivery', async () => {
      const bus = await open();
      const subject = `${uniq('t')}.u`;
      const got: string[] = [];
      const sub = bus.subscribe(subject, (m) => got.push(dec.decode(m.data)));
      await bus.flush();
      bus.publish(subject, enc.encode('1'));
      await bus.flush();
      await waitFor(() => got.length === 1);
      sub.unsubscribe();
      await bus.flush();
      bus.publish(subject, enc.encode('2'));
      await bus.flush();
      await settle();
      assert.deepEqual(got, ['1']);
    });

    test('a closed bus refuses publish and request with CLOSED', async () => {
      const bus = await adapter.make();
      assert.equal(bus.state(), 'connected');
      await bus.close();
      assert.equal(bus.state(), 'closed');
      assert.throws(
        () => bus.publish(`${uniq('t')}.x`, enc.encode('x')),
        (err: unknown) => err instanceof BusError && err.code === 'CLOSED',
      );
      await assert.rejects(
        bus.request(`${uniq('t')}.x`, enc.encode('x'), 200),
        (err: unknown) => err instanceof BusError && (err.code === 'CLOSED' || err.code === 'UNAVAILABLE'),
      );
    });
  });
}
