/**
 * One live activation of one actor: its bounded mailbox and the loop that handles it. Events are
 * handled one at a time in arrival order with XState's pure `transition()`; the emitted events are
 * interpreted (timers, reply, effects) and everything a batch of events produced commits in one
 * fenced statement before any ask is answered or any effect leaves (group commit: under load several
 * queued events share one commit, which is what lets one actor take thousands of events a second).
 */
import { createActor, initialTransition, type AnyMachineSnapshot } from 'xstate';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { Logger } from '../log.ts';
import {
  FENCED,
  type CommitInput,
  type Store,
  type TimerDelete,
  type TimerRef,
  type TimerSet,
} from './store.ts';
import type { PureTransition } from './transition.ts';
import type {
  ActorAddress,
  ActorEffect,
  ActorEvent,
  ActorKindDefinition,
  ReplyError,
  Stamped,
} from './types.ts';

/** What an ask learns. `moved`: the event was provably not committed here; retry at the owner. */
export type AskOutcome =
  { ok: true; data: unknown } | { ok: false; error: ReplyError } | { moved: true; reason: string };

export interface Envelope {
  event: Stamped<ActorEvent>;
  /** Inbox row of a `send`. */
  seq?: string;
  /** A durable timer firing. */
  timer?: { key: string; generation: string };
  /** Present for an ask. */
  answer?: (outcome: AskOutcome) => void;
}

export interface Committed {
  version: number;
  timerSets: TimerSet[];
  timerDeletes: TimerDelete[];
  effects: Array<{ idx: number; effect: ActorEffect; at: number }>;
}

/** What an activation needs from its runtime. */
export interface ActivationHost {
  readonly store: Store;
  readonly clock: Clock;
  /** Wall clock for infrastructure timing (outbox redelivery), independent of the injected clock. */
  readonly wall: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly batchMax: number;
  readonly outboxGraceMs: number;
  readonly counters: { eventsHandled: number };
  /**
   * Whether this node still holds `shard` under `epoch`. Commits do not ask: the database fence
   * (epoch and version in the WHERE clause) is what guarantees one writer, also for a node that was
   * paused between a check and its write.
   */
  leaseValid(shard: number, epoch: string): boolean;
  committed(act: Activation, c: Committed): void;
  /** The activation stopped itself (stale epoch, conflict, database error). */
  failed(act: Activation, reason: 'stale' | 'conflict' | 'error'): void;
  /** Inbox seqs leave the in-flight set: handled (`done`) or handed back to the inbox. */
  releaseSeqs(seqs: string[], done: boolean): void;
  warnOnce(key: string, msg: string): void;
}

const INTERNAL: ReplyError = { code: 'INTERNAL', status: 500, message: 'Internal error' };
const RUNTIME_TYPES = new Set(['timer.set', 'timer.cancel', 'reply']);

export class Activation {
  readonly queue: Envelope[] = [];
  version = 0;
  lastActive = performance.now();
  stopped = false;
  running = false;
  /** Sends dropped because the mailbox was full: pokes are ignored until the inbox poll catches up. */
  backlogged = false;
  private snapshot: AnyMachineSnapshot | null = null;
  private lastJson = '';
  private timers = new Map<string, TimerRef>();
  /** Emits of the initial transition of a fresh actor, committed with its first batch. */
  private initial: ReturnType<Activation['interpret']> | null = null;
  private loaded: Promise<boolean>;
  private inlineTypeSet: Set<string> | null = null;

  constructor(
    private readonly host: ActivationHost,
    readonly def: ActorKindDefinition,
    readonly address: ActorAddress,
    readonly shard: number,
    readonly epoch: string,
    readonly mailboxSize: number,
    private readonly transition: PureTransition,
  ) {
    this.loaded = this.load();
  }

  private get inlineTypes(): Set<string> | null {
    const types = this.def.inline?.types;
    if (!types?.length) return null;
    this.inlineTypeSet ??= new Set(types);
    return this.inlineTypeSet;
  }

  get key(): string {
    return `${this.address.kind}\u0000${this.address.id}`;
  }

  hasTimer(key: string, generation: string): boolean {
    return this.timers.get(key)?.generation === generation;
  }

  /** False when the mailbox is full (the caller decides: overloaded for asks, backlog for sends). */
  offer(env: Envelope): boolean {
    if (this.stopped) {
      env.answer?.({ moved: true, reason: 'activation stopped' });
      return true;
    }
    if (this.queue.length >= this.mailboxSize) return false;
    this.queue.push(env);
    this.lastActive = performance.now();
    if (!this.running) void this.run();
    return true;
  }

  /** Stop taking events; queued asks are told to retry elsewhere, queued sends go back to the inbox. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abandon(this.queue.splice(0), reason);
  }

  /** Resolves when no batch is running (used by passivation and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await new Promise<void>((r) => setTimeout(r, 2));
  }

  private async load(): Promise<boolean> {
    const restored = await this.host.store.activate(this.address, this.shard, this.epoch);
    if (!restored) {
      this.host.failed(this, 'stale');
      return false;
    }
    this.version = restored.version;
    this.timers = restored.timers;
    const machine = this.def.machine;
    if (restored.snapshot == null) {
      const input = this.def.input?.(this.address.id);
      const [snap, actions] = initialTransition(machine, input);
      this.snapshot = snap;
      const initial = this.interpret(actions, this.host.clock.now());
      if (initial.sets.length || initial.cancels.length || initial.effects.length) this.initial = initial;
      // Without entry emits the initial state is recomputable: nothing to commit until an event
      // changes it (a read-only first event costs no write; `read` stays null until then).
      else this.lastJson = JSON.stringify(machine.getPersistedSnapshot(snap));
    } else {
      this.snapshot = createActor(machine, { snapshot: restored.snapshot as never }).getSnapshot();
      this.lastJson = JSON.stringify(machine.getPersistedSnapshot(this.snapshot));
    }
    return true;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      let ok: boolean;
      try {
        ok = await this.loaded;
      } catch (err) {
        // The database refused the activation: fail what is queued (a retry would not help now).
        this.host.log.error({ err: (err as Error).message, ...this.address }, 'actor activation failed');
        this.stopped = true;
        const error: ReplyError = {
          code: 'SERVICE_UNAVAILABLE',
          status: 503,
          message: 'actor could not be activated',
        };
        const queued = this.queue.splice(0);
        for (const env of queued) env.answer?.({ ok: false, error });
        this.abandon(
          queued.filter((e) => !e.answer),
          'activation failed',
        );
        this.host.failed(this, 'error');
        return;
      }
      if (!ok) {
        this.stop('stale epoch');
        return;
      }
      while (this.queue.length && !this.stopped) {
        await this.handle(this.queue.splice(0, this.host.batchMax));
        this.lastActive = performance.now();
      }
    } finally {
      this.running = false;
    }
  }

  /** Interpret the actions `transition()` returned: only `emit`s reach the runtime. */
  private interpret(actions: ReadonlyArray<{ type: string; params?: unknown }>, at: number) {
    let reply: { data?: unknown; error?: ReplyError } | undefined;
    const sets: Array<{ key: string; at: number; event: ActorEvent }> = [];
    const cancels: string[] = [];
    const effects: Array<{ effect: ActorEffect; at: number }> = [];
    for (const a of actions) {
      if (a.type !== 'xstate.emit') {
        if (a.type.startsWith('xstate.') && a.type !== 'xstate.assign')
          this.host.warnOnce(
            `${this.def.kind}:${a.type}`,
            `actor kind ${this.def.kind}: action ${a.type} is not interpreted by the actor runtime (use emit and timer.set)`,
          );
        continue;
      }
      const e = (a.params as { event: ActorEffect }).event;
      if (e.type === 'timer.set') {
        const t = e as unknown as { key: string; at: number; event: ActorEvent };
        sets.push({ key: t.key, at: t.at, event: t.event });
        const i = cancels.indexOf(t.key);
        if (i >= 0) cancels.splice(i, 1);
      } else if (e.type === 'timer.cancel') {
        const key = (e as unknown as { key: string }).key;
        cancels.push(key);
        for (let i = sets.length - 1; i >= 0; i--) if (sets[i]!.key === key) sets.splice(i, 1);
      } else if (e.type === 'reply') {
        reply = e as { data?: unknown; error?: ReplyError };
      } else if (!RUNTIME_TYPES.has(e.type)) {
        effects.push({ effect: e, at });
      }
    }
    return { reply, sets, cancels, effects };
  }

  private async handle(batch: Envelope[]): Promise<void> {
    this.host.counters.eventsHandled += batch.length;
    const machine = this.def.machine;
    let snap = this.snapshot!;
    // Net timer operations per key: the last word wins (set → upsert, cancel/fire → delete).
    const timers = new Map(this.timers);
    const netSets = new Map<string, TimerSet>();
    const netDeletes = new Map<string, TimerDelete>();
    const effects: Committed['effects'] = [];
    const outcomes: Array<[Envelope, AskOutcome]> = [];
    const seqs: string[] = [];
    const inlined: ActorEffect[] = [];
    const inlineTypes = this.inlineTypes;
    const apply = (r: ReturnType<Activation['interpret']>) => {
      for (const key of r.cancels) {
        timers.delete(key);
        netSets.delete(key);
        netDeletes.set(key, { key, generation: null });
      }
      for (const s of r.sets) {
        const generation = this.host.ids.next();
        timers.set(s.key, { generation, dueAt: s.at });
        netDeletes.delete(s.key);
        netSets.set(s.key, { key: s.key, due_at: s.at, generation, event: s.event });
      }
      for (const f of r.effects)
        if (inlineTypes?.has(f.effect.type)) inlined.push(f.effect);
        else effects.push({ idx: effects.length, effect: f.effect, at: f.at });
    };
    if (this.initial) apply(this.initial);

    for (const env of batch) {
      if (env.seq) seqs.push(env.seq);
      if (env.timer) {
        // Only the generation this activation knows fires; a cancelled or re-set timer is stale.
        if (timers.get(env.timer.key)?.generation !== env.timer.generation) continue;
        timers.delete(env.timer.key);
        netSets.delete(env.timer.key);
        netDeletes.set(env.timer.key, { key: env.timer.key, generation: env.timer.generation });
      }
      let next: AnyMachineSnapshot;
      let actions: ReadonlyArray<{ type: string; params?: unknown }>;
      try {
        [next, actions] = this.transition(snap, env.event);
      } catch (err) {
        this.host.log.error(
          { err: (err as Error).message, ...this.address, event: env.event.type },
          'actor transition threw',
        );
        if (env.answer) outcomes.push([env, { ok: false, error: INTERNAL }]);
        continue;
      }
      if (next.status === 'error') {
        // Keep the last good state; the event is consumed (a poison event must not loop forever).
        this.host.log.error(
          { err: String(next.error), ...this.address, event: env.event.type },
          'actor machine errored',
        );
        if (env.answer) outcomes.push([env, { ok: false, error: INTERNAL }]);
        continue;
      }
      const r = this.interpret(actions, env.event.at);
      apply(r);
      snap = next;
      if (env.answer) {
        const out: AskOutcome = r.reply?.error
          ? { ok: false, error: r.reply.error }
          : { ok: true, data: r.reply?.data };
        outcomes.push([env, out]);
      }
    }

    const json =
      snap === this.snapshot && this.lastJson
        ? this.lastJson
        : JSON.stringify(machine.getPersistedSnapshot(snap));
    const dirty =
      json !== this.lastJson ||
      seqs.length > 0 ||
      netSets.size > 0 ||
      netDeletes.size > 0 ||
      effects.length > 0 ||
      inlined.length > 0;
    if (!dirty) {
      // Nothing to commit, so no fence will check this activation: answer only under a valid lease
      // (a node paused past its lease must not serve reads from a state someone else moved on).
      if (!this.host.leaseValid(this.shard, this.epoch)) {
        this.stopped = true;
        for (const [env] of outcomes) env.answer?.({ moved: true, reason: 'lease lost' });
        this.abandon(this.queue.splice(0), 'lease lost');
        this.host.failed(this, 'conflict');
        return;
      }
      for (const [env, out] of outcomes) env.answer?.(out);
      return;
    }
    const input: CommitInput = {
      address: this.address,
      shard: this.shard,
      epoch: this.epoch,
      version: this.version,
      snapshot: json,
      status: snap.status,
      inboxSeqs: seqs,
      timerSets: [...netSets.values()],
      timerDeletes: [...netDeletes.values()],
      effects,
      outboxNextAt: this.host.wall.now() + this.host.outboxGraceMs,
    };
    if (inlined.length) {
      try {
        input.inline = this.def.inline!.write(inlined, FENCED);
      } catch (err) {
        // A bug in the kind's builder: nothing was written; treat it like a failed commit.
        this.host.log.error({ err: (err as Error).message, ...this.address }, 'actor inline write threw');
        this.stopped = true;
        this.host.releaseSeqs(seqs, false);
        for (const [env] of outcomes) env.answer?.({ ok: false, error: INTERNAL });
        this.abandon(this.queue.splice(0), 'inline write failed');
        this.host.failed(this, 'error');
        return;
      }
    }
    let result: Awaited<ReturnType<Store['commit']>>;
    try {
      result = await this.host.store.commit(input);
    } catch (err) {
      // Unknown outcome: the statement may or may not have committed. Reload before the next event.
      this.host.log.warn({ err: (err as Error).message, ...this.address }, 'actor commit failed');
      this.stopped = true;
      this.host.releaseSeqs(seqs, false);
      const error: ReplyError = {
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        message: 'actor state could not be saved',
      };
      for (const [env] of outcomes) env.answer?.({ ok: false, error });
      this.abandon(this.queue.splice(0), 'commit failed');
      this.host.failed(this, 'error');
      return;
    }
    if (!result.ok) {
      this.stopped = true;
      this.host.releaseSeqs(seqs, false);
      for (const [env] of outcomes) env.answer?.({ moved: true, reason: result.reason });
      this.abandon(this.queue.splice(0), result.reason);
      this.host.failed(this, result.reason);
      return;
    }
    this.version = result.version;
    this.snapshot = snap;
    this.lastJson = json;
    this.timers = timers;
    this.initial = null;
    this.host.releaseSeqs(seqs, true);
    if (inlined.length && this.def.inline?.committed) {
      try {
        this.def.inline.committed(inlined, { address: this.address, log: this.host.log });
      } catch (err) {
        this.host.log.error({ err: (err as Error).message, ...this.address }, 'actor inline hook threw');
      }
    }
    this.host.committed(this, {
      version: result.version,
      timerSets: input.timerSets,
      timerDeletes: input.timerDeletes,
      effects,
    });
    for (const [env, out] of outcomes) env.answer?.(out);
  }

  private abandon(envs: Envelope[], reason: string): void {
    const seqs: string[] = [];
    for (const env of envs) {
      if (env.seq) seqs.push(env.seq);
      env.answer?.({ moved: true, reason });
    }
    if (seqs.length) this.host.releaseSeqs(seqs, false);
  }
}
