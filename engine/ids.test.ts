/** Snowflake ids: monotonic and unique per node even when the wall clock steps back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.ts';
import { REEF_EPOCH, createIds, isSnowflake, snowflakeAt, snowflakeTime } from './ids.ts';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const nodeOf = (id: bigint) => Number((id >> 12n) & 0x3ffn);
const msOf = (id: bigint) => Number(id >> 22n) + REEF_EPOCH;

function assertStrictlyIncreasing(ids: bigint[]): void {
  for (let i = 1; i < ids.length; i++)
    assert.ok(ids[i]! > ids[i - 1]!, `id ${i} (${ids[i]}) is not above ${ids[i - 1]}`);
}

test('ids are strictly increasing and unique, and encode time and node id', () => {
  const clock = new ManualClock(T0);
  const ids = createIds(517, clock);
  const out: bigint[] = [];
  for (let i = 0; i < 3000; i++) {
    out.push(ids.nextBigInt());
    if (i % 7 === 0) clock.advance(1);
  }
  assertStrictlyIncreasing(out);
  assert.equal(new Set(out).size, out.length);
  assert.ok(out.every((id) => nodeOf(id) === 517));
  assert.equal(msOf(out[0]!), T0);
  const s = ids.next();
  assert.ok(isSnowflake(s));
  assert.equal(snowflakeTime(s).getTime(), clock.now());
});

test('a clock that steps back does not break monotonicity', () => {
  const clock = new ManualClock(T0);
  const ids = createIds(3, clock);
  const out: bigint[] = [];
  for (let i = 0; i < 10; i++) out.push(ids.nextBigInt());
  clock.set(T0 - 5000); // NTP step back by 5 s
  for (let i = 0; i < 10_000; i++) out.push(ids.nextBigInt()); // also overflows the 12-bit sequence
  clock.set(T0 + 1); // the clock catches up, but not past the borrowed milliseconds
  for (let i = 0; i < 10; i++) out.push(ids.nextBigInt());
  clock.set(T0 + 60_000);
  out.push(ids.nextBigInt());
  assertStrictlyIncreasing(out);
  assert.equal(new Set(out).size, out.length);
  assert.ok(out.every((id) => nodeOf(id) === 3));
  assert.equal(msOf(out.at(-1)!), T0 + 60_000, 'back on the wall clock once it is ahead again');
});

test('more than 4096 ids in one millisecond borrow the next millisecond', () => {
  const clock = new ManualClock(T0);
  const ids = createIds(0, clock);
  const out = Array.from({ length: 4096 * 2 + 5 }, () => ids.nextBigInt());
  assertStrictlyIncreasing(out);
  assert.equal(msOf(out[4095]!), T0);
  assert.equal(msOf(out[4096]!), T0 + 1);
  assert.equal(msOf(out.at(-1)!), T0 + 2);
});

test('two nodes at the same instant never collide', () => {
  const clock = new ManualClock(T0);
  const a = createIds(1, clock);
  const b = createIds(2, clock);
  const all = new Set<bigint>();
  for (let i = 0; i < 1000; i++) {
    all.add(a.nextBigInt());
    all.add(b.nextBigInt());
  }
  assert.equal(all.size, 2000);
});

test('node id range, snowflake parsing and keyset bounds', () => {
  assert.throws(() => createIds(1024, new ManualClock(T0)), RangeError);
  assert.throws(() => createIds(-1, new ManualClock(T0)), RangeError);
  assert.throws(() => createIds(1.5, new ManualClock(T0)), RangeError);
  assert.equal(isSnowflake('123'), true);
  assert.equal(isSnowflake('9223372036854775807'), true);
  assert.equal(isSnowflake('9223372036854775808'), false, 'above int8');
  assert.equal(isSnowflake('-1'), false);
  assert.equal(isSnowflake('1e3'), false);
  assert.equal(isSnowflake(''), false);
  assert.equal(isSnowflake(123), false);
  const ids = createIds(9, new ManualClock(T0));
  const id = ids.nextBigInt();
  assert.ok(BigInt(snowflakeAt(T0)) <= id);
  assert.ok(BigInt(snowflakeAt(T0 + 1)) > id);
  assert.equal(snowflakeAt(0), '0');
});
