/**
 * The actor runtime: routing, activations, inbox, and the wiring of directory, timers and relay.
 *
 * Durable `send` uses a Postgres inbox table rather than a JetStream stream per shard. Postgres is
 * already the source of truth for the snapshot, and marking the inbox row handled in the same
 * statement as the snapshot gives exactly-once handling without a second de-duplication store;
 * JetStream with its default fsync interval has lost acknowledged writes under faults
 * (jepsen.io/analyses/nats-2.12.1), and a send must be accepted while a shard moves or NATS restarts.
 * NATS only carries a wake-up ("poke", with the event so the owner need not read it back) to the
 * owner; a lost poke costs latency (the owner's inbox poll, ACTOR_INBOX_POLL_MS), never the event.
 *
 * `ask` is request/reply to the shard owner over the bus, retried with backoff while the shard has
 * no reachable owner, and only where the event provably was not handled (no responders, "moved").
 */
import { AppError } from '../errors.ts';
import { BusError, decodeJson, encodeJson, type Bus, type BusSubscription } from '../bus/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import type { Ids } from '../ids.ts';
import type { Logger } from '../log.ts';
import {
  Activation,
  type ActivationHost,
  type AskOutcome,
  type Committed,
  type Envelope,
} from './activation.ts';
import type { CasKv } from './cas-kv.ts';
import { Directory } from './directory.ts';
import { shardOf } from './placement.ts';
import { OutboxRelay } from './relay.ts';
import { createStore, type DueTimer, type Store } from './store.ts';
import { TimerScheduler } from './timers.ts';
import { InboxWriter } from './inbox-writer.ts';
import { pureTransition, type PureTransition } from './transition.ts';
import {
  ActorOverloadedError,
  ActorTimeoutError,
  ActorUnavailableError,
  UnknownActorKindError,
  type ActorAddress,
  type ActorEvent,
  type ActorKindDefinition,
  type ActorRuntime,
  type ActorRuntimeStats,
  type ActorState,
  type Stamped,
} from './types.ts';

export interface ActorRuntimeSettings {
  shards: number;
  leaseTtlMs: number;
  memberTtlMs: number;
  heartbeatMs: number;
  idleMs: number;
  askTimeoutMs: number;
  mailboxSize: number;
  batchMax: number;
  inboxPollMs: number;
  inboxRetentionMs: number;
  timerPollMs: number;
  timerLookaheadMs: number;
  timerFirePerSecond: number;
  outboxPollMs: number;
  effectMaxAttempts: number;
}

export interface ActorRuntimeDeps {
  namespace: string;
  node: string;
  db: Db;
  bus: Bus;
  cas: CasKv;
  clock: Clock;
  ids: Ids;
  log: Logger;
}

type Wire =
  | { op: 'ask'; kind: string; id: string; event: Stamped<ActorEvent> }
  | { op: 'send'; kind: string; id: string; seq: string; event: Stamped<ActorEvent>; hops?: number };

const KIND_RE = /^[a-z0-9_-]{1,32}$/;
const RECENT_SEQS = 50_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `p`, or null after `ms` (the timer is cleared either way, so no timer outlives its ask). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise<T | null>((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    void p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

export class ActorHost implements ActorRuntime {
  readonly node: string;
  private readonly kinds = new Map<string, ActorKindDefinition>();
  private readonly transitions = new Map<string, PureTransition>();
  private readonly activations = new Map<string, Activation>();
  private readonly byShard = new Map<number, Set<Activation>>();
  private readonly inflightSeqs = new Set<string>();
  private readonly recentSeqs = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly store: Store;
  private readonly directory: Directory;
  private readonly timers: TimerScheduler;
  private readonly relay: OutboxRelay;
  private readonly inbox: InboxWriter;
  private readonly host: ActivationHost;
  private sub: BusSubscription | null = null;
  private intervals: NodeJS.Timeout[] = [];
  private state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  private inboxPolling = false;
  private inboxPollSoon: NodeJS.Timeout | null = null;
  private readonly counters = {
    activated: 0,
    passivated: 0,
    eventsHandled: 0,
    batchesCommitted: 0,
    staleWrites: 0,
    activationsStoppedByLease: 0,
  };

  constructor(
    private readonly s: ActorRuntimeSettings,
    private readonly d: ActorRuntimeDeps,
  ) {
    this.node = d.node;
    this.store = createStore(d.db, d.namespace);
    this.inbox = new InboxWriter(this.store);
    const owned = () => this.directory.ownedShards();
    this.directory = new Directory(
      {
        cas: d.cas,
        namespace: d.namespace,
        node: d.node,
        shards: s.shards,
        leaseTtlMs: s.leaseTtlMs,
        memberTtlMs: s.memberTtlMs,
        heartbeatMs: s.heartbeatMs,
        handoffPerTick: 16,
        log: d.log,
      },
      {
        acquired: (shards) => this.onAcquired(shards.map((x) => x.shard)),
        lost: (shards, reason) => this.onLost(shards, reason),
        draining: (shard) => this.drainShard(shard),
      },
    );
    this.timers = new TimerScheduler({
      store: this.store,
      clock: d.clock,
      log: d.log,
      pollMs: s.timerPollMs,
      lookaheadMs: s.timerLookaheadMs,
      firePerSecond: s.timerFirePerSecond,
      owned,
      deliver: (t) => this.deliverTimer(t),
    });
    // Effect retry timing is infrastructure, not business time: it follows the wall clock even when
    // the injected clock is a test's manual one (which would otherwise never let a retry come due).
    this.relay = new OutboxRelay({
      store: this.store,
      clock: systemClock,
      log: d.log,
      pollMs: s.outboxPollMs,
      maxAttempts: s.effectMaxAttempts,
      owned,
      kind: (k) => this.kinds.get(k),
    });
    const counters = this.counters;
    this.host = {
      store: this.store,
      clock: d.clock,
      wall: systemClock,
      ids: d.ids,
      log: d.log,
      batchMax: s.batchMax,
      outboxGraceMs: Math.max(2 * s.outboxPollMs, 1000),
      counters,
      leaseValid: (shard, epoch) => this.directory.epochOf(shard) === epoch,
      committed: (act, c) => this.onCommitted(act, c),
      failed: (act, reason) => this.onFailed(act, reason),
      releaseSeqs: (seqs, done) => this.releaseSeqs(seqs, done),
      warnOnce: (key, msg) => {
        if (this.warned.has(key)) return;
        this.warned.add(key);
        d.log.warn(msg);
      },
    };
  }

  private get subject(): string {
    return `${this.d.namespace}.actors.node.${this.node}`;
  }

  register(def: ActorKindDefinition): void {
    if (this.state !== 'new')
      throw new Error(`actor kind ${def.kind}: register kinds before the runtime starts`);
    if (!KIND_RE.test(def.kind)) throw new Error(`actor kind "${def.kind}" must match ${KIND_RE}`);
    if (this.kinds.has(def.kind)) throw new Error(`actor kind "${def.kind}" is already registered`);
    this.kinds.set(def.kind, def as ActorKindDefinition);
    this.transitions.set(def.kind, pureTransition(def.machine));
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('actor runtime already started');
    this.state = 'started';
    this.sub = this.d.bus.subscribe(this.subject, (msg) => {
      let wire: Wire;
      try {
        wire = decodeJson<Wire>(msg.data);
      } catch {
        return;
      }
      if (wire.op === 'ask') {
        void this.localAsk({ kind: wire.kind, id: wire.id }, wire.event).then((out) => {
          if (msg.reply) msg.respond(encodeJson(out));
        });
      } else if (wire.op === 'send') this.onPoke(wire);
    });
    await this.directory.start();
    this.timers.start();
    this.relay.start();
    const sweepMs = Math.max(10, Math.min(Math.floor(this.s.idleMs / 4), 10_000));
    this.intervals.push(
      setInterval(() => void this.pollInbox(), this.s.inboxPollMs),
      setInterval(() => this.sweep(), sweepMs),
      setInterval(() => void this.purge(), 60_000),
    );
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') {
      if (this.state === 'new') await this.d.cas.close();
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    for (const i of this.intervals) clearInterval(i);
    if (this.inboxPollSoon) clearTimeout(this.inboxPollSoon);
    // No new remote work; asks in flight elsewhere see "no responders" and retry at the next owner.
    this.sub?.unsubscribe();
    this.timers.stop();
    await this.directory.stop();
    await this.relay.stop(2000);
    await this.d.cas.close();
    this.state = 'stopped';
  }

  // ---- the API ---------------------------------------------------------------------------------

  async send(address: ActorAddress, event: ActorEvent): Promise<void> {
    this.kindOf(address);
    const shard = shardOf(address, this.s.shards);
    const at = this.d.clock.now();
    const { at: _ignored, ...body } = event as ActorEvent & { at?: unknown };
    const seq = await this.inbox.write({ shard, address, event: body as ActorEvent, at });
    // Accepted. Wake the owner (best effort: the inbox poll is the safety net).
    const stamped = { ...body, at } as Stamped<ActorEvent>;
    const owner = this.directory.ownerOf(shard);
    if (owner === this.node) this.localSend(address, seq, stamped);
    else if (owner) {
      try {
        this.d.bus.publish(
          this.subjectOf(owner),
          encodeJson({ op: 'send', ...address, seq, event: stamped }),
        );
      } catch (err) {
        this.d.log.debug(
          { err: (err as Error).message },
          'actor poke not published; the inbox poll will deliver',
        );
      }
    }
  }

  async ask<R = unknown>(
    address: ActorAddress,
    event: ActorEvent,
    timeoutMs = this.s.askTimeoutMs,
  ): Promise<R> {
    this.kindOf(address);
    const shard = shardOf(address, this.s.shards);
    const deadline = performance.now() + timeoutMs;
    const stamped = { ...event, at: this.d.clock.now() } as Stamped<ActorEvent>;
    let backoff = 5;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) throw new ActorTimeoutError(address, timeoutMs);
      const owner = this.directory.ownerOf(shard);
      let out: AskOutcome;
      if (owner === this.node) {
        const r = await withDeadline(this.localAsk(address, stamped), left);
        if (r === null) throw new ActorTimeoutError(address, timeoutMs);
        out = r;
      } else if (owner === null) {
        out = { moved: true, reason: 'no owner' };
      } else {
        try {
          const data = await this.d.bus.request(
            this.subjectOf(owner),
            encodeJson({ op: 'ask', ...address, event: stamped }),
            left,
          );
          out = decodeJson<AskOutcome>(data);
        } catch (err) {
          if (!(err instanceof BusError)) throw err;
          if (err.code === 'TIMEOUT') throw new ActorTimeoutError(address, timeoutMs);
          if (err.code !== 'NO_RESPONDERS') throw new ActorUnavailableError(address, err.message);
          out = { moved: true, reason: 'no responders' };
        }
      }
      if ('moved' in out) {
        await sleep(Math.min(backoff, Math.max(1, deadline - performance.now())));
        backoff = Math.min(backoff * 2, 200);
        continue;
      }
      if (out.ok) return out.data as R;
      if (out.error.code === 'ACTOR_OVERLOADED') throw new ActorOverloadedError(address);
      throw new AppError(out.error.code, out.error.status, out.error.message, out.error.data);
    }
  }

  read<C = unknown>(address: ActorAddress): Promise<ActorState<C> | null> {
    this.kindOf(address);
    return this.store.read<C>(address);
  }

  locate(address: ActorAddress): { shard: number; owner: string | null } {
    const shard = shardOf(address, this.s.shards);
    return { shard, owner: this.directory.ownerOf(shard) };
  }

  stats(): ActorRuntimeStats {
    return {
      node: this.node,
      ownedShards: this.directory.ownedShards().length,
      routableShards: this.directory.routableShards(),
      activations: this.activations.size,
      ...this.counters,
      timersFired: this.timers.fired,
      effectsDelivered: this.relay.delivered,
      effectsFailed: this.relay.failed,
      liveMembers: this.directory.members.length,
    };
  }

  // ---- the owner's side ------------------------------------------------------------------------

  private subjectOf(node: string): string {
    return `${this.d.namespace}.actors.node.${node}`;
  }

  private kindOf(address: ActorAddress): ActorKindDefinition {
    const def = this.kinds.get(address.kind);
    if (!def) throw new UnknownActorKindError(address.kind);
    return def;
  }

  /** The live activation of `address`, creating it; null when this node does not own its shard. */
  private activation(address: ActorAddress, shard: number): Activation | null {
    const key = `${address.kind}\u0000${address.id}`;
    const existing = this.activations.get(key);
    if (existing && !existing.stopped) return existing;
    const epoch = this.directory.epochOf(shard);
    const def = this.kinds.get(address.kind);
    if (epoch === null || !def || this.state !== 'started') return null;
    const act = new Activation(
      this.host,
      def,
      address,
      shard,
      epoch,
      def.mailboxSize ?? this.s.mailboxSize,
      this.transitions.get(def.kind)!,
    );
    this.activations.set(key, act);
    let set = this.byShard.get(shard);
    if (!set) this.byShard.set(shard, (set = new Set()));
    set.add(act);
    this.counters.activated++;
    return act;
  }

  private forget(act: Activation): void {
    if (this.activations.get(act.key) === act) this.activations.delete(act.key);
    this.byShard.get(act.shard)?.delete(act);
  }

  private localAsk(address: ActorAddress, event: Stamped<ActorEvent>): Promise<AskOutcome> {
    if (!this.kinds.has(address.kind))
      return Promise.resolve({
        ok: false,
        error: { code: 'INTERNAL', status: 500, message: `unknown actor kind "${address.kind}"` },
      });
    const act = this.activation(address, shardOf(address, this.s.shards));
    if (!act) return Promise.resolve({ moved: true, reason: 'not the owner' });
    return new Promise<AskOutcome>((resolve) => {
      const env: Envelope = { event, answer: resolve };
      if (!act.offer(env))
        resolve({
          ok: false,
          error: { code: 'ACTOR_OVERLOADED', status: 503, message: 'actor is overloaded' },
        });
    });
  }

  /**
   * A wake-up from a sender. A node that does not own the shard (the sender's view was stale)
   * forwards it once to the owner it knows; the owner's inbox poll is the backstop either way.
   */
  private onPoke(wire: Extract<Wire, { op: 'send' }>): void {
    const address = { kind: wire.kind, id: wire.id };
    const shard = shardOf(address, this.s.shards);
    if (this.directory.owns(shard)) {
      this.localSend(address, wire.seq, wire.event);
      return;
    }
    const owner = this.directory.ownerOf(shard);
    if (!owner || (wire.hops ?? 0) >= 1) return;
    try {
      this.d.bus.publish(this.subjectOf(owner), encodeJson({ ...wire, hops: (wire.hops ?? 0) + 1 }));
    } catch {
      // the owner's inbox poll delivers it
    }
  }

  /** Enqueue an inbox row once (pokes and polls may both bring it). */
  private localSend(address: ActorAddress, seq: string, event: Stamped<ActorEvent>): boolean {
    if (this.inflightSeqs.has(seq) || this.recentSeqs.has(seq)) return true;
    const act = this.activation(address, shardOf(address, this.s.shards));
    if (!act || act.backlogged) return false;
    this.inflightSeqs.add(seq);
    if (act.offer({ event, seq })) return true;
    // Mailbox full: the row waits in the inbox; pokes for this actor are ignored until the poll
    // has caught up, so its sends stay in order.
    this.inflightSeqs.delete(seq);
    act.backlogged = true;
    return false;
  }

  private deliverTimer(t: DueTimer): boolean {
    const act = this.activation({ kind: t.kind, id: t.id }, t.shard);
    if (!act) return false;
    return act.offer({
      event: { ...t.event, at: this.d.clock.now() } as Stamped<ActorEvent>,
      timer: { key: t.key, generation: t.generation },
    });
  }

  async pollInbox(): Promise<void> {
    if (this.inboxPolling || this.state !== 'started') return;
    this.inboxPolling = true;
    try {
      const limit = 1000;
      const perActor = this.s.mailboxSize;
      const rows = await this.store.pendingInbox(
        this.directory.ownedShards(),
        [...this.inflightSeqs],
        limit,
        perActor,
      );
      const taken = new Map<string, number>();
      const refused = new Set<string>();
      for (const row of rows) {
        const key = `${row.kind}\u0000${row.id}`;
        if (refused.has(key)) continue;
        const act = this.activations.get(key);
        if (act) act.backlogged = false; // the poll feeds it, in seq order
        if (!this.localSend({ kind: row.kind, id: row.id }, row.seq, { ...row.event, at: row.at })) {
          refused.add(key);
          continue;
        }
        taken.set(key, (taken.get(key) ?? 0) + 1);
      }
      // An actor may take pokes again only once the poll has read all its pending rows; until then a
      // poke would overtake older rows still in the inbox.
      const complete = rows.length < limit;
      for (const [key, n] of taken) {
        const act = this.activations.get(key);
        if (act && (!complete || n >= perActor)) act.backlogged = true;
      }
      if (complete)
        for (const act of this.activations.values())
          if (!taken.has(act.key) && !refused.has(act.key)) act.backlogged = false;
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'actor inbox poll failed');
    } finally {
      this.inboxPolling = false;
    }
  }

  private pollInboxSoon(): void {
    if (this.inboxPollSoon || this.state !== 'started') return;
    this.inboxPollSoon = setTimeout(() => {
      this.inboxPollSoon = null;
      void this.pollInbox();
    }, 5);
  }

  private releaseSeqs(seqs: string[], done: boolean): void {
    for (const seq of seqs) {
      this.inflightSeqs.delete(seq);
      if (done) {
        this.recentSeqs.add(seq);
        if (this.recentSeqs.size > RECENT_SEQS) {
          const first = this.recentSeqs.values().next().value;
          if (first !== undefined) this.recentSeqs.delete(first);
        }
      }
    }
    if (!done && seqs.length) this.pollInboxSoon();
  }

  private onCommitted(act: Activation, c: Committed): void {
    this.counters.batchesCommitted++;
    const { kind, id } = act.address;
    for (const t of c.timerDeletes) this.timers.remove(kind, id, t.key);
    // A commit that landed just as the shard was lost: its timers belong to the next owner's poll.
    if (this.directory.owns(act.shard))
      for (const t of c.timerSets)
        this.timers.upsert({
          kind,
          id,
          key: t.key,
          shard: act.shard,
          generation: t.generation,
          dueAt: t.due_at,
          event: t.event,
        });
    if (c.effects.length) {
      this.relay.dispatch(
        c.effects.map((e) => ({
          id: `${kind}:${id}:${c.version}:${e.idx}`,
          kind,
          actorId: id,
          shard: act.shard,
          version: c.version,
          idx: e.idx,
          effect: e.effect,
          at: e.at,
          attempts: 0,
        })),
      );
    }
    if (act.backlogged && act.queue.length < act.mailboxSize / 2) this.pollInboxSoon();
  }

  private onFailed(act: Activation, reason: 'stale' | 'conflict' | 'error'): void {
    this.forget(act);
    if (reason === 'stale') {
      this.counters.staleWrites++;
      this.d.log.warn(
        { ...act.address, epoch: act.epoch },
        'stale actor activation fenced off by a newer epoch; stopped',
      );
    }
  }

  private onAcquired(shards: number[]): void {
    this.d.log.debug({ shards: shards.length }, 'shards acquired');
    void this.pollInbox();
    void this.timers.poll();
    void this.relay.poll();
  }

  private onLost(shards: number[], reason: string): void {
    const set = new Set(shards);
    for (const shard of shards) {
      for (const act of this.byShard.get(shard) ?? []) {
        act.stop(reason);
        this.forget(act);
        this.counters.activationsStoppedByLease++;
      }
      this.byShard.delete(shard);
    }
    this.timers.dropShards(set);
  }

  private async drainShard(shard: number): Promise<void> {
    const acts = [...(this.byShard.get(shard) ?? [])];
    for (const act of acts) act.stop('shard handed off');
    await Promise.all(acts.map((a) => a.idle()));
  }

  /** Passivate idle activations: their state is already committed, so this only frees memory. */
  private sweep(): void {
    const t = performance.now();
    for (const act of this.activations.values()) {
      if (!act.running && act.queue.length === 0 && t - act.lastActive >= this.s.idleMs) {
        act.stop('passivated');
        this.forget(act);
        this.counters.passivated++;
      }
    }
  }

  private async purge(): Promise<void> {
    try {
      await this.store.purgeInbox(this.s.inboxRetentionMs);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'actor inbox purge failed');
    }
  }
}
