/**
 * Messages sent by members (`messages.send`) no longer pass through here: the space kind writes them
 * inline, inside the actor's own commit statement (`messages.insert`, engine/actors InlineWrites),
 * and fans them out and acknowledges them right after that commit (`deliveredInline`). The writer
 * below still carries system messages and forum posts (`messages.write` effects).
 *
 * The group-commit message writer. Why a writer beside the actor rather than messages in the actor's
 * context:
 *
 * - The actor's snapshot is rewritten on every committed batch; holding message bodies in it would
 *   make each commit as large as the backlog and need a second event (`persisted`) per write. Here the
 *   context keeps only `lastMessageId`, and the body travels once, in the `message.write` effect that
 *   commits with the actor's batch (the runtime already group-commits events handled together,
 *   ACTOR_BATCH_MAX).
 * - Batching happens twice. A node sends the messages it collected for a space while its previous
 *   batch was in flight as one `messages.send` event (space.client.ts), and the actor answers it with
 *   one `messages.write` effect. Effects of one actor are delivered one after another on the actor's
 *   own node, in commit order; the handler only enqueues here, so the queue is flushed with ONE insert
 *   statement while the next batch accumulates (a group commit of the messages that arrived while the
 *   previous write ran). One busy space therefore costs one round trip per batch, not per message.
 * - Lanes are chosen by space id, and a lane flushes one batch at a time: a space's messages are
 *   written, then fanned out, strictly in acceptance (= id) order. Different spaces share batches, so
 *   many quiet channels also cost one statement per flush.
 * - The sender's ack (its group's ticket) is released only after the row is written and fanned out, so a
 *   message whose send was acknowledged is listed by any later read. A message that was accepted but
 *   not yet written when the node dies is lost only if its outbox row was already delivered here; its
 *   sender never got an ack (the usual group-commit contract), and a redelivered effect is written once
 *   (insert ... on conflict do nothing; only newly inserted rows are fanned out).
 * - A group is acknowledged when its batch is written; a failed batch (after `attempts`) fails its groups.
 */
import type { RawBuilder } from 'kysely';
import type { Logger } from '../../engine/log.ts';
import { AppError } from '../../engine/errors.ts';
import type { SpaceAcks } from './space.acks.ts';
import type { WriteItem } from './space.events.ts';

export type WriteJob = WriteItem;

/** The messages of one `messages.write` effect, acknowledged together once all are written. */
export interface WriteGroup {
  items: WriteItem[];
  ticket: string | null;
  origin: string | null;
}

/** The ports the writer writes and announces through (bound at the composition root). */
export interface MessageSink {
  /** Insert the batch in one statement; returns the ids actually inserted (redeliveries are skipped). */
  insert(jobs: WriteJob[]): Promise<Set<string>>;
  /** Socket events, notifications and workflow triggers of written messages, in order. */
  delivered(jobs: WriteJob[]): void;
  /**
   * The same rows as statements that run inside the space actor's commit (engine/actors
   * InlineWrites: sent messages are written by the commit that accepts them), every row
   * conditioned on `fenced`.
   */
  inlineInsert(jobs: WriteJob[], fenced: RawBuilder<boolean>): RawBuilder<unknown>[];
}

export interface WriterOptions {
  lanes: number;
  /** Messages per statement at most. */
  maxBatch: number;
  /** Attempts per batch before its senders are told the write failed. */
  attempts: number;
  log: Logger;
}

interface Lane {
  queue: WriteGroup[];
  flushing: boolean;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class MessageWriter {
  private readonly lanes: Lane[];
  private stopped = false;
  batches = 0;
  written = 0;

  constructor(
    private readonly sink: MessageSink,
    private readonly acks: SpaceAcks,
    private readonly o: WriterOptions,
  ) {
    this.lanes = Array.from({ length: Math.max(1, o.lanes) }, () => ({ queue: [], flushing: false }));
  }

  /** The inline write of sent messages (see MessageSink.inlineInsert). */
  inlineInsert(jobs: WriteJob[], fenced: RawBuilder<boolean>): RawBuilder<unknown>[] {
    return this.sink.inlineInsert(jobs, fenced);
  }

  /** Fan-out of messages the actor's commit wrote (synchronous, in commit order). */
  deliveredInline(jobs: WriteJob[]): void {
    this.written += jobs.length;
    try {
      this.sink.delivered(jobs);
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'message fan-out failed');
    }
  }

  /** A group's messages all belong to one space (one effect of one actor). */
  enqueue(group: WriteGroup): void {
    const first = group.items[0];
    if (!first) return;
    const lane = this.lanes[hash(first.message.spaceId) % this.lanes.length]!;
    lane.queue.push(group);
    // setImmediate: every effect of the committed batch is enqueued before the flush starts.
    if (!lane.flushing) {
      lane.flushing = true;
      setImmediate(() => void this.flush(lane));
    }
  }

  /** Wait until every queued message is written (shutdown). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.lanes.some((l) => l.flushing || l.queue.length) && performance.now() < deadline)
      await sleep(5);
    this.stopped = true;
  }

  private async flush(lane: Lane): Promise<void> {
    try {
      while (lane.queue.length && !this.stopped) {
        // Whole groups, up to maxBatch messages (at least one group).
        let n = 0;
        let k = 0;
        while (k < lane.queue.length && (k === 0 || n + lane.queue[k]!.items.length <= this.o.maxBatch))
          n += lane.queue[k++]!.items.length;
        await this.writeBatch(lane.queue.splice(0, k));
      }
    } finally {
      lane.flushing = false;
      if (lane.queue.length && !this.stopped) {
        lane.flushing = true;
        setImmediate(() => void this.flush(lane));
      }
    }
  }

  private async writeBatch(groups: WriteGroup[]): Promise<void> {
    const batch = groups.flatMap((g) => g.items);
    const tickets = groups
      .filter((g) => g.ticket && g.origin)
      .map((g) => ({ ticket: g.ticket!, origin: g.origin! }));
    for (let attempt = 1; ; attempt++) {
      let inserted: Set<string>;
      try {
        inserted = await this.sink.insert(batch);
      } catch (err) {
        if (attempt < this.o.attempts) {
          this.o.log.warn(
            { err: (err as Error).message, attempt, size: batch.length },
            'message batch write failed; retrying',
          );
          await sleep(50 * 2 ** attempt);
          continue;
        }
        this.o.log.error(
          { err: (err as Error).message, size: batch.length },
          'message batch write failed for good',
        );
        this.acks.ack(tickets, new AppError('SERVICE_UNAVAILABLE', 503, 'The message could not be saved'));
        return;
      }
      this.batches++;
      this.written += inserted.size;
      const fresh = batch.filter((j) => inserted.has(j.message.id));
      try {
        if (fresh.length) this.sink.delivered(fresh);
      } catch (err) {
        this.o.log.error({ err: (err as Error).message }, 'message fan-out failed');
      }
      this.acks.ack(tickets);
      return;
    }
  }
}
