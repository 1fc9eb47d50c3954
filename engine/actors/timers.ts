/**
 * Durable timers, the local half (ACTORS.md "Durable timers"). The rows live in `actor_timers`,
 * written in the same transaction as the snapshot that set them. The shard owner loads rows due
 * within ACTOR_TIMER_LOOKAHEAD_MS, arms them here, and at their due time (by the injected clock)
 * hands the event to the actor's mailbox; the activation fires only the generation it knows and
 * deletes the row in the same statement as the resulting snapshot, so a timer fires once even when
 * it is armed twice (a poll racing a commit, a failover) or was cancelled meanwhile.
 *
 * Catch-up after a restart or failover is rate-limited (ACTOR_TIMER_FIRE_RATE per second, token
 * bucket): 100,000 overdue timers drain at a bounded rate instead of stampeding the database.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { DueTimer, Store } from './store.ts';

export interface TimerSchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  pollMs: number;
  lookaheadMs: number;
  firePerSecond: number;
  owned(): number[];
  /** Hand a due timer to its actor; false when it could not take it now (retried on the next wake). */
  deliver(t: DueTimer): boolean;
}

const keyOf = (kind: string, id: string, key: string) => `${kind}\u0000${id}\u0000${key}`;

export class TimerScheduler {
  private armed = new Map<string, DueTimer>();
  private wake: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private tokens: number;
  private refilledAt = performance.now();
  private polling = false;
  private stopped = false;
  fired = 0;

  constructor(private readonly o: TimerSchedulerOptions) {
    this.tokens = o.firePerSecond;
  }

  start(): void {
    this.poller = setInterval(() => void this.poll(), this.o.pollMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.wake) clearTimeout(this.wake);
    this.armed.clear();
  }

  get size(): number {
    return this.armed.size;
  }

  /** Load near-due rows of the owned shards, then fire what is due. */
  async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const shards = this.o.owned();
      const rows = await this.o.store.dueTimers(shards, this.o.clock.now() + this.o.lookaheadMs, 5000);
      const owned = new Set(shards);
      for (const t of rows) if (owned.has(t.shard)) this.armed.set(keyOf(t.kind, t.id, t.key), t);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'timer poll failed');
    } finally {
      this.polling = false;
    }
    this.fireDue();
  }

  /** A commit set a timer: arm it at once when it is near. */
  upsert(t: DueTimer): void {
    if (t.dueAt > this.o.clock.now() + this.o.lookaheadMs) {
      this.armed.delete(keyOf(t.kind, t.id, t.key));
      return;
    }
    this.armed.set(keyOf(t.kind, t.id, t.key), t);
    this.schedule();
  }

  remove(kind: string, id: string, key: string): void {
    this.armed.delete(keyOf(kind, id, key));
  }

  dropShards(shards: Set<number>): void {
    for (const [k, t] of this.armed) if (shards.has(t.shard)) this.armed.delete(k);
  }

  private refill(): void {
    const t = performance.now();
    this.tokens = Math.min(
      this.o.firePerSecond,
      this.tokens + ((t - this.refilledAt) / 1000) * this.o.firePerSecond,
    );
    this.refilledAt = t;
  }

  fireDue(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const due = [...this.armed.entries()]
      .filter(([, t]) => t.dueAt <= now)
      .sort((a, b) => a[1].dueAt - b[1].dueAt);
    this.refill();
    for (const [k, t] of due) {
      if (this.tokens < 1) break;
      if (this.o.deliver(t)) {
        this.tokens -= 1;
        this.fired++;
        // Delivered: the row stays until the actor commits the firing; if that fails, the next poll
        // re-arms it.
        if (this.armed.get(k) === t) this.armed.delete(k);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    let next = Infinity;
    for (const t of this.armed.values()) next = Math.min(next, t.dueAt);
    if (next === Infinity) return;
    const now = this.o.clock.now();
    // Out of tokens: wait for one. Otherwise wake at the earliest due time (the poll is the backstop
    // when the injected clock does not follow real time).
    const tokenWait = this.tokens < 1 ? Math.ceil(1000 / this.o.firePerSecond) : 0;
    const delay = Math.min(Math.max(next - now, tokenWait, 0), this.o.pollMs);
    this.wake = setTimeout(() => this.fireDue(), delay);
  }
}
