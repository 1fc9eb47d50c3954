/**
 * Membership and shard leases (ACTORS.md "Shard lease"). Every tick a node:
 *   1. writes its heartbeat (members bucket, TTL ACTOR_MEMBER_TTL_MS) and reads the live members;
 *   2. renews the leases it holds (CAS on the revision, every ttl/3);
 *   3. claims free shards for which it is first in rendezvous order over the live members (others
 *      claim too, later by their rank, so a shard whose preferred node is broken still gets an owner);
 *   4. hands off shards whose preferred node is another live, settled member (rebalance on join).
 * A separate fast check drops every lease not renewed within ttl minus a margin: the node stops
 * serving the shard before the lease can expire in the store and be claimed by someone else.
 * Lease timing uses this process's monotonic clock, never the injected business clock.
 */
import type { Logger } from '../log.ts';
import type { CasBucket, CasKv } from './cas-kv.ts';
import { rendezvousOrder } from './placement.ts';

export interface DirectoryOptions {
  cas: CasKv;
  namespace: string;
  node: string;
  shards: number;
  leaseTtlMs: number;
  memberTtlMs: number;
  heartbeatMs: number;
  /** At most this many shards handed off per tick, so a join moves load gradually. */
  handoffPerTick: number;
  log: Logger;
}

export interface DirectoryListener {
  acquired(shards: Array<{ shard: number; epoch: string }>): void;
  /** The node no longer owns these shards (lease lost, expired, or stopped); stop their actors now. */
  lost(shards: number[], reason: string): void;
  /** Drain a shard before its lease is released (stop activations, wait for in-flight commits). */
  draining(shard: number): Promise<void>;
}

interface Held {
  revision: number;
  epoch: string;
  /** performance.now() until which the lease may be served. */
  validUntil: number;
  renewedAt: number;
}

const now = () => performance.now();

export class Directory {
  readonly held = new Map<number, Held>();
  /** Live members, sorted. */
  members: string[] = [];
  private view = new Map<number, string>();
  private memberSince = new Map<string, number>();
  private freeSince = new Map<number, number>();
  private draining = new Set<number>();
  private leases!: CasBucket;
  private memberBucket!: CasBucket;
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private handingOff = false;
  private stopped = false;
  private readonly margin: number;

  constructor(
    private readonly o: DirectoryOptions,
    private readonly listener: DirectoryListener,
  ) {
    this.margin = Math.max(Math.floor(o.leaseTtlMs / 4), 50);
  }

  /** The node to route a shard's events to: this node when it holds a valid lease, else the lease view. */
  ownerOf(shard: number): string | null {
    if (this.owns(shard)) return this.o.node;
    const v = this.view.get(shard);
    return v && v !== this.o.node ? v : null;
  }

  owns(shard: number): boolean {
    const h = this.held.get(shard);
    return !!h && !this.draining.has(shard) && h.validUntil > now();
  }

  epochOf(shard: number): string | null {
    return this.owns(shard) ? this.held.get(shard)!.epoch : null;
  }

  routableShards(): number {
    let n = 0;
    for (let shard = 0; shard < this.o.shards; shard++) if (this.ownerOf(shard) !== null) n++;
    return n;
  }

  ownedShards(): number[] {
    return [...this.held.keys()].filter((s) => this.owns(s));
  }

  async start(): Promise<void> {
    const ns = this.o.namespace;
    this.leases = await this.o.cas.bucket(`${ns}_actor_leases`, this.o.leaseTtlMs);
    this.memberBucket = await this.o.cas.bucket(`${ns}_actor_members`, this.o.memberTtlMs, {
      exactList: true,
    });
    await this.tick();
    const tickMs = Math.max(20, Math.min(this.o.heartbeatMs, Math.floor(this.o.leaseTtlMs / 4)));
    this.timers.push(setInterval(() => void this.tick(), tickMs));
    this.timers.push(setInterval(() => this.expire(), Math.max(10, Math.floor(this.margin / 4))));
  }

  /** Leave: drain and release every lease, remove the heartbeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    while (this.ticking || this.handingOff) await new Promise((r) => setTimeout(r, 5));
    const items = [...this.held.entries()];
    for (const [shard] of items) this.draining.add(shard);
    for (const [shard] of items) await this.listener.draining(shard);
    this.held.clear();
    this.listener.lost(
      items.map(([s]) => s),
      'stopping',
    );
    await this.leases
      .release(items.map(([shard, h]) => ({ key: String(shard), revision: h.revision })))
      .catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'lease release failed'));
    await this.memberBucket
      .remove(this.o.node)
      .catch((err: unknown) =>
        this.o.log.warn({ err: (err as Error).message }, 'leaving the membership failed'),
      );
    // The last node out removes the buckets, so short-lived namespaces (tests, benchmarks) leave no
    // streams behind. A node that was starting meanwhile recreates them (see nats-kv.ts): safe, as
    // new buckets give higher epochs.
    try {
      if ((await this.memberBucket.list()).length === 0) {
        await this.leases.destroy();
        await this.memberBucket.destroy();
      }
    } catch (err) {
      this.o.log.debug({ err: (err as Error).message }, 'actor buckets not removed');
    }
  }

  /** Drop leases past their local validity: fast, local, never blocked by a slow store. */
  private expire(): void {
    const t = now();
    const lost: number[] = [];
    for (const [shard, h] of this.held) {
      if (h.validUntil <= t) {
        this.held.delete(shard);
        lost.push(shard);
      }
    }
    if (lost.length) {
      this.o.log.warn({ shards: lost.length }, 'shard leases not renewed in time; stopping their actors');
      this.listener.lost(lost, 'lease expired');
    }
  }

  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.heartbeat();
      await this.renew();
      await this.refreshView();
      await this.claim();
      // Handing off waits for the shard's in-flight commits: never let that delay the renewals.
      if (!this.handingOff) {
        this.handingOff = true;
        void this.handoff().finally(() => (this.handingOff = false));
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'actor directory tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.memberBucket.put(
        this.o.node,
        JSON.stringify({ shards: this.o.shards, ttl: this.o.leaseTtlMs }),
      );
      const entries = await this.memberBucket.list();
      const t = now();
      const live = entries.map((e) => e.key).sort();
      for (const m of live) if (!this.memberSince.has(m)) this.memberSince.set(m, t);
      for (const m of this.memberSince.keys()) if (!live.includes(m)) this.memberSince.delete(m);
      this.members = live;
    } catch (err) {
      // Without a heartbeat this node cannot know the membership: keep serving what it holds (the
      // lease validity bounds that), but claim nothing new.
      this.members = [];
      this.o.log.warn({ err: (err as Error).message }, 'membership heartbeat failed');
    }
  }

  private async renew(): Promise<void> {
    const due = [...this.held.entries()].filter(
      ([s, h]) => !this.draining.has(s) && now() - h.renewedAt >= this.o.leaseTtlMs / 3,
    );
    if (due.length === 0) return;
    const started = now();
    let result: Map<string, number | null>;
    try {
      result = await this.leases.renew(
        due.map(([shard, h]) => ({ key: String(shard), revision: h.revision })),
        this.o.node,
      );
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'lease renewal failed');
      return;
    }
    const lost: number[] = [];
    for (const [shard] of due) {
      const rev = result.get(String(shard));
      const h = this.held.get(shard);
      if (!h || rev === null) continue; // released or expired meanwhile; or unknown: serve until validUntil
      if (rev === undefined) {
        this.held.delete(shard);
        lost.push(shard);
        continue;
      }
      // The epoch stays the one of the claim; only the revision (the CAS token) moves.
      this.held.set(shard, {
        ...h,
        revision: rev,
        renewedAt: started,
        validUntil: started + this.o.leaseTtlMs - this.margin,
      });
    }
    if (lost.length) this.listener.lost(lost, 'lease taken over');
  }

  private async refreshView(): Promise<void> {
    // Alone and holding every shard (embedded mode): nobody to route to, no need to read the view.
    if (this.held.size === this.o.shards && this.members.length === 1 && this.members[0] === this.o.node)
      return;
    const entries = await this.leases.list();
    const view = new Map<number, string>();
    for (const e of entries) view.set(Number(e.key), e.value);
    this.view = view;
  }

  private async claim(): Promise<void> {
    const me = this.o.node;
    if (!this.members.includes(me)) return;
    const t = now();
    const want: string[] = [];
    for (let shard = 0; shard < this.o.shards; shard++) {
      if (this.held.has(shard)) continue;
      const holder = this.view.get(shard);
      if (holder && holder !== me && this.members.includes(holder)) {
        this.freeSince.delete(shard);
        continue;
      }
      const since = this.freeSince.get(shard) ?? t;
      this.freeSince.set(shard, since);
      const rank = rendezvousOrder(shard, this.members).indexOf(me);
      if (rank === 0 || t - since >= rank * (this.o.leaseTtlMs / 2)) want.push(String(shard));
    }
    if (want.length === 0) return;
    const started = now();
    const got = await this.leases.claim(want, me);
    const acquired: Array<{ shard: number; epoch: string }> = [];
    for (const [key, rev] of got) {
      if (rev === null) continue;
      const shard = Number(key);
      const epoch = this.leases.epoch(rev).toString();
      this.held.set(shard, {
        revision: rev,
        epoch,
        renewedAt: started,
        validUntil: started + this.o.leaseTtlMs - this.margin,
      });
      this.freeSince.delete(shard);
      this.view.set(shard, me);
      acquired.push({ shard, epoch });
    }
    if (acquired.length) this.listener.acquired(acquired);
  }

  /** Give shards to their preferred node once it has been a member for two lease periods. */
  private async handoff(): Promise<void> {
    if (this.stopped) return;
    const t = now();
    const settled = (m: string) => t - (this.memberSince.get(m) ?? t) >= 2 * this.o.leaseTtlMs;
    const moves: number[] = [];
    for (const shard of this.held.keys()) {
      if (moves.length >= this.o.handoffPerTick) break;
      const first = rendezvousOrder(shard, this.members)[0];
      if (first && first !== this.o.node && settled(first)) moves.push(shard);
    }
    for (const shard of moves) {
      if (!this.held.has(shard)) continue;
      this.draining.add(shard);
      try {
        await this.listener.draining(shard);
        // Read the lease after draining: a renewal in flight may have moved its revision meanwhile,
        // or it may have expired.
        const h = this.held.get(shard);
        if (!h) continue;
        this.held.delete(shard);
        this.listener.lost([shard], 'handed off');
        await this.leases.release([{ key: String(shard), revision: h.revision }]);
        this.view.delete(shard);
      } finally {
        this.draining.delete(shard);
      }
    }
  }
}
