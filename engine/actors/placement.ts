/**
 * Placement: an address hashes to one of S virtual shards; ownership is per shard (ACTORS.md
 * "Shards"), and a free shard goes to the node that wins rendezvous hashing (highest random weight)
 * over the live members. Rendezvous moves only the shards of a node that joins or leaves.
 */
import type { ActorAddress } from './types.ts';

/** FNV-1a 32-bit: stable across processes and releases (the shard of an address must never change). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A 32-bit finaliser (murmur3 fmix32) so rendezvous scores of similar inputs spread well. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function shardOf(address: ActorAddress, shards: number): number {
  return mix(fnv1a(`${address.kind}\u0000${address.id}`)) % shards;
}

/** Members ordered by preference for `shard` (first = owner when free). Deterministic on every node. */
export function rendezvousOrder(shard: number, members: readonly string[]): string[] {
  const scored = members.map((m) => ({ m, score: mix(fnv1a(`${shard}\u0000${m}`)) }));
  scored.sort((a, b) => b.score - a.score || (a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
  return scored.map((s) => s.m);
}
