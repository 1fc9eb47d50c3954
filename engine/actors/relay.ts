/**
 * The outbox relay (ACTORS.md "Outbox"): effects leave the actor only after the statement that
 * recorded them committed. The owner hands freshly committed rows to the kind's `effects` handler at
 * once; a poll delivers rows left behind (a crash between commit and delivery, a failed attempt whose
 * backoff elapsed, a shard that moved). At least once, in commit order per actor, keyed by the row id
 * (`<kind>:<id>:<version>:<index>`) so handlers can de-duplicate.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { OutboxRow, Store } from './store.ts';
import type { ActorKindDefinition } from './types.ts';

export interface OutboxRelayOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  pollMs: number;
  maxAttempts: number;
  owned(): number[];
  kind(name: string): ActorKindDefinition | undefined;
}

const RECENT_MAX = 20_000;

export class OutboxRelay {
  private inflight = new Set<string>();
  /** Recently delivered ids: a poll that read a row just before its delete must not redeliver it. */
  private recent = new Set<string>();
  private chains = new Map<string, Promise<void>>();
  private deletes: string[] = [];
  private flushing: Promise<void> | null = null;
  private poller: NodeJS.Timeout | null = null;
  private polling = false;
  delivered = 0;
  failed = 0;

  constructor(private readonly o: OutboxRelayOptions) {}

  start(): void {
    this.poller = setInterval(() => void this.poll(), this.o.pollMs);
  }

  /** Stop polling and wait (bounded) for deliveries in progress. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    const deadline = performance.now() + timeoutMs;
    while ((this.inflight.size || this.deletes.length || this.flushing) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.o.store.dueOutbox(this.o.owned(), this.o.clock.now(), [...this.inflight], 500);
      this.dispatch(rows);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'outbox poll failed');
    } finally {
      this.polling = false;
    }
  }

  dispatch(rows: OutboxRow[]): void {
    for (const row of rows) {
      if (this.inflight.has(row.id) || this.recent.has(row.id)) continue;
      this.inflight.add(row.id);
      const chainKey = `${row.kind}\u0000${row.actorId}`;
      const prev = this.chains.get(chainKey) ?? Promise.resolve();
      const next = prev.then(() => this.deliver(row));
      this.chains.set(chainKey, next);
      void next.then(() => {
        if (this.chains.get(chainKey) === next) this.chains.delete(chainKey);
      });
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const def = this.o.kind(row.kind);
    const attempt = row.attempts + 1;
    try {
      if (!def) throw new Error(`no actor kind "${row.kind}" registered on this node`);
      await def.effects(row.effect, {
        address: { kind: row.kind, id: row.actorId },
        effectId: row.id,
        attempt,
        at: row.at,
        log: this.o.log,
      });
      this.delivered++;
      this.remember(row.id);
      this.deletes.push(row.id);
      this.flush();
    } catch (err) {
      this.failed++;
      const message = (err as Error)?.message ?? String(err);
      const giveUp = attempt >= this.o.maxAttempts;
      const nextAt = giveUp ? null : this.o.clock.now() + Math.min(60_000, 200 * 2 ** (attempt - 1));
      this.o.log[giveUp ? 'error' : 'warn'](
        { effectId: row.id, type: row.effect.type, attempt, err: message },
        giveUp ? 'actor effect failed for good' : 'actor effect failed; will retry',
      );
      await this.o.store
        .failOutbox(row.id, attempt, nextAt, message.slice(0, 1000))
        .catch((e: unknown) =>
          this.o.log.warn({ err: (e as Error).message }, 'could not record effect failure'),
        );
    } finally {
      this.inflight.delete(row.id);
    }
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_MAX) {
      const first = this.recent.values().next().value;
      if (first !== undefined) this.recent.delete(first);
    }
  }

  /** Deletes of delivered rows, coalesced into one statement per turn. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.deletes.length) {
        const ids = this.deletes.splice(0, 1000);
        await this.o.store
          .deleteOutbox(ids)
          .catch((e: unknown) => this.o.log.warn({ err: (e as Error).message }, 'outbox delete failed'));
      }
    })().finally(() => (this.flushing = null));
  }
}
