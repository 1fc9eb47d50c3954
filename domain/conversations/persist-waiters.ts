/**
 * The sender's ack comes after the write (issue 6): a send is acknowledged once the group-commit
 * batch holding its message is in dm_messages, wherever the conversation actor runs. The writer
 * announces "written up to id X" on the conversation's bus subject; a node waiting for a message
 * watches that subject (one reference-counted subscription per conversation, kept a little after
 * its last waiter so a busy conversation does not resubscribe for every message).
 */
import { decodeJson, encodeJson, type Bus, type BusSubscription } from '../../engine/bus/index.ts';

interface Watched {
  sub: BusSubscription;
  refs: number;
  upTo: bigint;
  waiters: Set<{ id: bigint; resolve: (ok: boolean) => void }>;
  linger: NodeJS.Timeout | null;
  ready: Promise<void>;
}

export interface Watch {
  /** Resolves true once `messageId` is written, false after `timeoutMs`. */
  until(messageId: string, timeoutMs: number): Promise<boolean>;
  release(): void;
}

export class PersistWaiters {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly bus: Bus,
    private readonly namespace: string,
    private readonly lingerMs = 30_000,
  ) {}

  private subject(conversationId: string): string {
    return `${this.namespace}.dmw.${conversationId}`;
  }

  /** Called by the writer after each batch. */
  announce(conversationId: string, upTo: string): void {
    this.bus.publish(this.subject(conversationId), encodeJson({ upTo }));
  }

  /** Start watching before the send is asked, so its announcement cannot be missed. */
  async watch(conversationId: string): Promise<Watch> {
    let w = this.watched.get(conversationId);
    if (!w) {
      const entry: Watched = {
        sub: null as unknown as BusSubscription,
        refs: 0,
        upTo: 0n,
        waiters: new Set(),
        linger: null,
        ready: Promise.resolve(),
      };
      entry.sub = this.bus.subscribe(this.subject(conversationId), (msg) => {
        const upTo = BigInt(decodeJson<{ upTo: string }>(msg.data).upTo);
        if (upTo > entry.upTo) entry.upTo = upTo;
        for (const waiter of entry.waiters)
          if (waiter.id <= entry.upTo) {
            entry.waiters.delete(waiter);
            waiter.resolve(true);
          }
      });
      // Over NATS the subscription must reach the server before the send can be announced.
      if (this.bus.mode === 'nats') entry.ready = this.bus.flush();
      this.watched.set(conversationId, entry);
      w = entry;
    }
    const entry = w;
    entry.refs++;
    if (entry.linger) {
      clearTimeout(entry.linger);
      entry.linger = null;
    }
    await entry.ready;
    let released = false;
    return {
      until: (messageId, timeoutMs) => {
        const id = BigInt(messageId);
        if (id <= entry.upTo) return Promise.resolve(true);
        return new Promise<boolean>((resolve) => {
          const waiter = {
            id,
            resolve: (ok: boolean) => {
              clearTimeout(timer);
              resolve(ok);
            },
          };
          const timer = setTimeout(() => {
            entry.waiters.delete(waiter);
            resolve(false);
          }, timeoutMs);
          entry.waiters.add(waiter);
        });
      },
      release: () => {
        if (released) return;
        released = true;
        entry.refs--;
        if (entry.refs === 0) {
          entry.linger = setTimeout(() => {
            if (entry.refs > 0) return;
            entry.sub.unsubscribe();
            this.watched.delete(conversationId);
          }, this.lingerMs);
          entry.linger.unref();
        }
      },
    };
  }

  close(): void {
    for (const w of this.watched.values()) {
      if (w.linger) clearTimeout(w.linger);
      w.sub.unsubscribe();
      for (const waiter of w.waiters) waiter.resolve(false);
    }
    this.watched.clear();
  }
}
