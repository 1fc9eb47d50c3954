/**
 * Snowflake ids: 41 bits of milliseconds since REEF_EPOCH, 10 bits of node id, 12 bits of sequence.
 * Stored as bigint (int8) in the database, sent as decimal strings in JSON. Monotonic per node: if
 * the wall clock steps back, the generator keeps the last timestamp and counts on; if the sequence
 * overflows within one millisecond, it borrows the next millisecond.
 */
import type { Clock } from './clock.ts';

export const REEF_EPOCH = 1_704_067_200_000; // 2024-01-01T00:00:00Z

export interface Ids {
  /** A new id as a decimal string. */
  next(): string;
  /** A new id as a bigint. */
  nextBigInt(): bigint;
}

export function createIds(nodeId: number, clock: Clock): Ids {
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 1023)
    throw new RangeError('nodeId must be 0..1023');
  let lastMs = -1;
  let seq = 0;
  const node = BigInt(nodeId);
  function nextBigInt(): bigint {
    let ms = clock.now() - REEF_EPOCH;
    if (ms <= lastMs) {
      ms = lastMs;
      seq = (seq + 1) & 0xfff;
      if (seq === 0) ms = lastMs + 1; // sequence exhausted in this ms: borrow the next one
    } else {
      seq = 0;
    }
    lastMs = ms;
    return (BigInt(ms) << 22n) | (node << 12n) | BigInt(seq);
  }
  return { nextBigInt, next: () => nextBigInt().toString() };
}

/** The creation time encoded in a snowflake. */
export function snowflakeTime(id: string | bigint): Date {
  return new Date(Number(BigInt(id) >> 22n) + REEF_EPOCH);
}

/** The smallest snowflake at or after a time: useful as a keyset bound. */
export function snowflakeAt(ms: number): string {
  return (BigInt(Math.max(0, ms - REEF_EPOCH)) << 22n).toString();
}

const SNOWFLAKE_RE = /^\d{1,19}$/;
/** True for a decimal string that fits a positive int8. */
export function isSnowflake(s: unknown): s is string {
  return typeof s === 'string' && SNOWFLAKE_RE.test(s) && BigInt(s) <= 9223372036854775807n;
}
