/**
 * Group insert for `send` (the write half of the durable inbox). Sends issued while an insert is in
 * flight wait for it and then go together in one statement, so a burst of sends costs a few commits
 * instead of one each; a lone send goes at once (the flush starts on the next microtask). One insert
 * in flight at a time keeps a process's sends in call order, also when the caller does not await.
 */
import type { Store } from './store.ts';
import type { ActorAddress, ActorEvent } from './types.ts';

interface Pending {
  row: { shard: number; address: ActorAddress; event: ActorEvent; at: number };
  resolve(seq: string): void;
  reject(err: unknown): void;
}

export class InboxWriter {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 1000,
  ) {}

  /** Resolves with the row's seq once it committed. */
  write(row: Pending['row']): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const seqs = await this.store.insertInbox(batch.map((p) => p.row));
          batch.forEach((p, i) => p.resolve(seqs[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
