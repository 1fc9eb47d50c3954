/**
 * The group-commit message writer. Why a writer beside the actor rather than messages in the actor's
 * context (the conversation actor's pending/writing queues):
 *
 * - The actor's snapshot is rewritten on every committed batch; holding message bodies in it would
 *   make each commit as large as the backlog and need a second event (`persisted`) per write. Here the
 *   context keeps only `lastMessageId`, and the body travels once, in the `message.write` effect that
 *   commits with the actor's batch (the runtime already group-commits events handled together,
 *   ACTOR_BATCH_MAX).
 * - Effects of one actor are delivered one after another on the actor's own node, in commit order. The
 *   handler only enqueues here, so every `message.write` of a committed batch lands in the queue at
 *   once; the queue is flushed with ONE insert statement while the next batch accumulates (a group
 *   commit of the messages that arrived while the previous write ran). One busy space therefore costs
 *   one round trip per batch, not per message.
 * - Lanes are chosen by space id, and a lane flushes one batch at a time: a space's messages are
 *   written, then fanned out, strictly in acceptance (= id) order. Different spaces share batches, so
 *   many quiet channels also cost one statement per flush.
 * - The sender's ack (its ticket) is released only after the row is written and fanned out, so a
 *   message whose send was acknowledged is listed by any later read. A message that was accepted but
 *   not yet written when the node dies is lost only if its outbox row was already delivered here; its
 *   sender never got an ack (the usual group-commit contract), and a redelivered effect is written once
 *   (insert ... on conflict do nothing; only newly inserted rows are fanned out).
 */
import type { Logger } from '../../engine/log.ts';
import { AppError } from '../../engine/errors.ts';
import type { SpaceAcks } from './space.acks.ts';
import type { NewMessage } from './space.events.ts';

export interface WriteJob {
  message: NewMessage;
  /** Members who may see the channel (null: the whole space). */
  audience: string[] | null;
  /** Spaces the channel is mirrored into. */
  portals: string[];
  ticket: string | null;
  origin: string | null;
}

/** The ports the writer writes and announces through (bound at the composition root). */
export interface MessageSink {
  /** Insert the batch in one statement; returns the ids actually inserted (redeliveries are skipped). */
  insert(jobs: WriteJob[]): Promise<Set<string>>;
  /** Socket events, notifications and workflow triggers of written messages, in order. */
  delivered(jobs: WriteJob[]): void;
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
  queue: WriteJob[];
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

  enqueue(job: WriteJob): void {
    const lane = this.lanes[hash(job.message.spaceId) % this.lanes.length]!;
    lane.queue.push(job);
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
        const batch = lane.queue.splice(0, this.o.maxBatch);
        await this.writeBatch(batch);
      }
    } finally {
      lane.flushing = false;
      if (lane.queue.length && !this.stopped) {
        lane.flushing = true;
        setImmediate(() => void this.flush(lane));
      }
    }
  }

  private async writeBatch(batch: WriteJob[]): Promise<void> {
    const tickets = batch
      .filter((j) => j.ticket && j.origin)
      .map((j) => ({ ticket: j.ticket!, origin: j.origin! }));
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
