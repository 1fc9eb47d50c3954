/**
 * The actor API (ARCHITECTURE "Actor runtime contract", ACTORS.md): what feature code (actors/call,
 * actors/conversation, ...) codes against. Every call, DM conversation, space and meeting room is an
 * XState v5 machine hosted by this runtime: addressed by `{ kind, id }`, activated on exactly one
 * node, fed by a bounded mailbox (one event at a time, arrival order), persisted to Postgres after
 * each handled event that changed it, and woken by durable timers.
 *
 * Machines are pure. They never read a clock (every event carries `at`, stamped by the runtime) and
 * never do IO: they talk to the runtime only through XState's `emit(...)` action:
 *
 *   - `{ type: 'timer.set', key, at, event }`  durable timer, upsert by `key`: delivers `event` (plus
 *     its own `at`) once, at or after the absolute time `at`, wherever the actor then lives.
 *   - `{ type: 'timer.cancel', key }`
 *   - `{ type: 'reply', data }`                 the answer to the current `ask`
 *   - `{ type: 'reply', error: { code, status, message, data? } }`  a refusal: `ask` rejects with an
 *     `AppError` carrying that code and status (the HTTP edge maps it as usual).
 *   - anything else                             an effect: committed to the outbox in the same
 *     transaction as the snapshot, then handed to the kind's `effects` handler (at least once, with
 *     a stable `effectId`; a redelivered event never repeats effects, because effects only exist once
 *     the event that produced them has committed).
 *
 * XState `after` delays and invoked/spawned actors are not interpreted (XState does not persist
 * pending delays: statelyai/xstate#5331); use `timer.set` for anything that must fire.
 *
 * @example
 * ```ts
 * import { setup, assign, emit } from 'xstate';
 * import { defineActorKind, type ActorEmitted } from '../../engine/actors/types.ts';
 *
 * type RingEvent =
 *   | { type: 'start'; at: number; ringMs: number }
 *   | { type: 'answer'; at: number }
 *   | { type: 'ring.timeout'; at: number };
 *
 * const ringMachine = setup({
 *   types: {
 *     context: {} as { startedAt: number | null; outcome: string | null },
 *     events: {} as RingEvent,
 *     emitted: {} as ActorEmitted<{ type: 'call.missed' }>,
 *   },
 * }).createMachine({
 *   context: { startedAt: null, outcome: null },
 *   initial: 'idle',
 *   states: {
 *     idle: {
 *       on: {
 *         start: {
 *           target: 'ringing',
 *           actions: [
 *             assign({ startedAt: ({ event }) => event.at }),
 *             emit(({ event }) => ({ type: 'timer.set', key: 'ring', at: event.at + event.ringMs, event: { type: 'ring.timeout' } })),
 *             emit({ type: 'reply', data: { ok: true } }),
 *           ],
 *         },
 *       },
 *     },
 *     ringing: {
 *       on: {
 *         answer: { target: 'done', actions: [emit({ type: 'timer.cancel', key: 'ring' }), assign({ outcome: 'answered' })] },
 *         'ring.timeout': { target: 'done', actions: [assign({ outcome: 'missed' }), emit({ type: 'call.missed' })] },
 *       },
 *     },
 *     done: { type: 'final' },
 *   },
 * });
 *
 * // At the composition root (Services construction), before the runtime starts:
 * engine.actors.register(
 *   defineActorKind({
 *     kind: 'ring',
 *     machine: ringMachine,
 *     effects: async (effect, ctx) => {
 *       if (effect.type === 'call.missed') engine.rooms.emit(`call:${ctx.address.id}`, 'call:missed', { effectId: ctx.effectId });
 *     },
 *   }),
 * );
 *
 * // Anywhere, on any node:
 * await engine.actors.ask({ kind: 'ring', id: callId }, { type: 'start', ringMs: 60_000 }); // → { ok: true }
 * await engine.actors.send({ kind: 'ring', id: callId }, { type: 'answer' });
 * const state = await engine.actors.read<{ outcome: string | null }>({ kind: 'ring', id: callId });
 * ```
 */
import type { AnyStateMachine, InputFrom } from 'xstate';
import type { RawBuilder } from 'kysely';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Where an actor is, logically. Callers never know on which node it lives. */
export interface ActorAddress {
  readonly kind: string;
  readonly id: string;
}

/** An event as a caller sends it; the runtime adds `at`. Must be JSON-serialisable. */
export interface ActorEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** An event as the machine receives it: `at` is ms since the Unix epoch, stamped on acceptance. */
export type Stamped<E extends ActorEvent = ActorEvent> = E & { readonly at: number };

/** The refusal a machine emits as `{ type: 'reply', error }`; `ask` rejects with an AppError of it. */
export interface ReplyError {
  code: string;
  status: number;
  message: string;
  data?: Record<string, unknown>;
}

/** Emitted events the runtime interprets itself; every other emitted event is an effect. */
export type RuntimeEmit =
  | { type: 'timer.set'; key: string; at: number; event: ActorEvent }
  | { type: 'timer.cancel'; key: string }
  | { type: 'reply'; data?: unknown; error?: ReplyError };

/** An effect: any emitted event whose type is not one of RuntimeEmit's. JSON-serialisable. */
export interface ActorEffect {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * What a machine may emit: the runtime's events plus the kind's own effects. Declare it in `setup`
 * so `emit(...)` is type-checked: `setup({ types: { emitted: {} as ActorEmitted<MyEffect>, ... } })`.
 */
export type ActorEmitted<TEffect extends { type: string } = ActorEffect> = RuntimeEmit | TEffect;

export interface EffectContext {
  readonly address: ActorAddress;
  /**
   * Stable idempotency key: `<kind>:<id>:<version>:<index>`, the same on every redelivery of this
   * effect (after a crash, a retry, or a failover). Handlers that must not repeat themselves (push,
   * email, a publish with de-duplication) key on it.
   */
  readonly effectId: string;
  /** 1 on first delivery. */
  readonly attempt: number;
  /** `at` of the event whose handling emitted this effect. */
  readonly at: number;
  readonly log: Logger;
}

/**
 * One actor kind, registered once at the composition root. `machine` must be pure (no IO, no
 * `Date.now()`, no `Math.random()`); its events are the kind's events stamped with `at`.
 */
export interface ActorKindDefinition<TMachine extends AnyStateMachine = AnyStateMachine> {
  /** Unique, `[a-z0-9_-]{1,32}`. Stored with every row; do not rename a kind that has state. */
  readonly kind: string;
  readonly machine: TMachine;
  /** Input of a fresh actor (one never persisted). Omit for machines without input. */
  readonly input?: (id: string) => InputFrom<TMachine>;
  /**
   * Performs one effect. At least once, in commit order per actor; a rejection is retried with
   * backoff (ACTOR_EFFECT_MAX_ATTEMPTS), later effects of the same actor are not held back.
   */
  readonly effects: (effect: ActorEffect, ctx: EffectContext) => Promise<void>;
  /** Overrides ACTOR_MAILBOX_SIZE for this kind. */
  readonly mailboxSize?: number;
  /**
   * Optional: effects written by the commit itself instead of the outbox (see InlineWrites). Rows a
   * reply promises (a message the sender is answered about) are then durable when the ask resolves,
   * at no extra round trip.
   */
  readonly inline?: InlineWrites;
}

/**
 * Effects of these `types` never reach the outbox or `effects`: the effects of a committed batch
 * (all events handled together) are handed to `write`, whose statements run INSIDE the batch's
 * commit statement (as data-modifying CTEs), so they commit atomically with the snapshot, under the
 * same epoch/version fence, or not at all. Each returned builder must be ONE plain
 * `insert`/`update`/`delete` (no WITH of its own) that touches rows only where `fenced` (a boolean
 * SQL condition, true when the fence matched) holds. A failing write fails the commit (the asks of
 * the batch get SERVICE_UNAVAILABLE and the actor reloads), so keep it free of expected conflicts
 * (`on conflict do nothing`).
 */
export interface InlineWrites {
  readonly types: readonly string[];
  readonly write: (effects: readonly ActorEffect[], fenced: RawBuilder<boolean>) => RawBuilder<unknown>[];
  /**
   * Optional, called synchronously once those effects committed, before any ask of the batch is
   * answered (so in commit order, and before the callers hear back): for live, best-effort work on
   * what was just written (socket fan-out). Not retried: a node that dies right after the commit skips
   * it (the rows are durable; use an outbox effect for what must happen at least once). Must not throw.
   */
  readonly committed?: (effects: readonly ActorEffect[], ctx: { address: ActorAddress; log: Logger }) => void;
}

/** Helper that keeps the machine's types on the definition (`input` typed from the machine). */
export function defineActorKind<TMachine extends AnyStateMachine>(
  def: ActorKindDefinition<TMachine>,
): ActorKindDefinition<TMachine> {
  return def;
}

/** The persisted state of an actor, as `read` returns it. */
export interface ActorState<TContext = unknown> {
  readonly context: TContext;
  /** XState state value, e.g. `'ringing'` or `{ call: 'active' }`. */
  readonly value: unknown;
  /** XState status: `active`, `done` (reached a final state) or `error`. */
  readonly status: string;
  /** Increases by one with every committed batch of events. */
  readonly version: number;
}

export interface ActorRuntime {
  /** The runtime's node name (lease owner name, bus subject suffix). */
  readonly node: string;

  /** Register a kind. Only before `start()`; registering a kind twice throws. */
  register<TMachine extends AnyStateMachine>(def: ActorKindDefinition<TMachine>): void;

  /**
   * Deliver `event` to the actor, activating it if needed. Resolves once the event is durably
   * accepted (in the Postgres inbox): from then on it is handled exactly once, in arrival order,
   * even if the owning node crashes or NATS restarts. Does not wait for the handling: a `reply` the
   * machine emits for it is discarded. Rejects with UnknownActorKindError, or when the database
   * refuses the write. Under overload a sent event waits in the inbox (it is never refused).
   */
  send(address: ActorAddress, event: ActorEvent): Promise<void>;

  /**
   * Deliver `event` and wait for the machine's `reply`. Resolves with `reply.data` once the handling
   * has committed (so a later `read` sees it), or with `undefined` when the event produced no reply.
   * Rejects with:
   *   - an AppError of the machine's `reply.error` (code/status/message/data as emitted);
   *   - ActorTimeoutError (504) when no answer came within `timeoutMs` (default
   *     ACTOR_ASK_TIMEOUT_MS); the event may or may not have been handled;
   *   - ActorOverloadedError (503) when the actor's mailbox is full (do not retry blindly);
   *   - ActorUnavailableError (503) when the actor could not be reached or its activation was lost
   *     while handling (the event was not committed).
   * An ask is not durable: it is retried (while the shard moves) only where it provably was not
   * handled.
   */
  ask<R = unknown>(address: ActorAddress, event: ActorEvent, timeoutMs?: number): Promise<R>;

  /**
   * The last committed state, read straight from Postgres without touching the mailbox (any node,
   * no activation). Read-committed: it reflects every `ask` that has resolved and every event handled
   * so far; a `send` that has resolved may not be handled yet. `null` when the actor never committed.
   */
  read<TContext = unknown>(address: ActorAddress): Promise<ActorState<TContext> | null>;

  /** Where an address lives now: its shard and the node holding the shard's lease (null: none). */
  locate(address: ActorAddress): { shard: number; owner: string | null };

  /** Counters for health pages, tests and the bench. */
  stats(): ActorRuntimeStats;

  /** Join the cluster, claim shards, start timers and the outbox relay. Call after registering kinds. */
  start(): Promise<void>;

  /**
   * Leave: stop taking events, finish in-flight batches (so every accepted ask commits or fails),
   * drop activations, release leases so other nodes take over at once. Call before the db closes.
   */
  stop(): Promise<void>;
}

export interface ActorRuntimeStats {
  readonly node: string;
  readonly ownedShards: number;
  /** Shards this node knows an owner for (itself or another node): the rest wait for a claim. */
  readonly routableShards: number;
  readonly activations: number;
  readonly activated: number;
  readonly passivated: number;
  readonly eventsHandled: number;
  readonly batchesCommitted: number;
  /** Commits refused by the epoch/version fence (a stale activation was stopped). */
  readonly staleWrites: number;
  /** Activations stopped because their shard's lease was lost or moved. */
  readonly activationsStoppedByLease: number;
  readonly timersFired: number;
  readonly effectsDelivered: number;
  readonly effectsFailed: number;
  readonly liveMembers: number;
}

/** `ask` got no answer in time. The event may or may not have been handled. */
export class ActorTimeoutError extends AppError {
  override name = 'ActorTimeoutError';
  constructor(address: ActorAddress, timeoutMs: number) {
    super('ACTOR_TIMEOUT', 504, `actor ${address.kind}:${address.id} did not answer within ${timeoutMs} ms`, {
      kind: address.kind,
      id: address.id,
    });
  }
}

/** The actor's mailbox is full. Back off; retrying at once makes it worse. */
export class ActorOverloadedError extends AppError {
  override name = 'ActorOverloadedError';
  constructor(address: ActorAddress) {
    super('ACTOR_OVERLOADED', 503, `actor ${address.kind}:${address.id} is overloaded`, {
      kind: address.kind,
      id: address.id,
    });
  }
}

/** The actor could not be reached, or its activation was stopped (stale lease) before committing. */
export class ActorUnavailableError extends AppError {
  override name = 'ActorUnavailableError';
  constructor(address: ActorAddress, reason: string) {
    super('SERVICE_UNAVAILABLE', 503, `actor ${address.kind}:${address.id} unavailable: ${reason}`, {
      kind: address.kind,
      id: address.id,
    });
  }
}

/** `send`/`ask`/`read` for a kind nobody registered: a programming error. */
export class UnknownActorKindError extends AppError {
  override name = 'UnknownActorKindError';
  constructor(kind: string) {
    super('INTERNAL', 500, `unknown actor kind "${kind}"`);
  }
}
