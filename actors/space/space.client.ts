/**
 * How services talk to space actors. `ask` sends an event with a ticket, waits for the machine's
 * reply, and, when the event changed something, for the acknowledgement that its effects (rows,
 * socket rooms, the message row) are done, so the caller's client reads its own writes.
 *
 * Hydration: a space's rows are created by a plain transaction (POST /spaces claims the slug in the
 * same transaction); its actor starts empty and answers SPACE_NOT_LOADED until it is given its state,
 * which this client loads from the tables and delivers as `space.init` (idempotent), then retries.
 *
 * Ids of messages are allocated right before the ask, so on one node they reach the actor in
 * allocation order; when two nodes race, the actor refuses an id older than the newest one
 * (MESSAGE_ID_STALE) and the send is retried with a fresh id.
 */
import type { ActorRuntime } from '../../engine/actors/types.ts';
import { AppError, notFound } from '../../engine/errors.ts';
import type { Ids } from '../../engine/ids.ts';
import type { SpaceAcks } from './space.acks.ts';
import type { SendItem, SendResult, SpaceEvent, SpaceInit, SpaceReply } from './space.events.ts';
import { SPACE_KIND } from './space.machine.ts';
import { NOT_LOADED } from './space.rules.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a service sends it (the runtime stamps `at`; the client adds the ticket). */
export type SpaceCommand = DistributiveOmit<SpaceEvent, 'at' | 'ticket' | 'origin'>;

export interface SpaceLoader {
  /** The actor state of a space from its rows; null when the space does not exist. */
  load(spaceId: string): Promise<SpaceInit | null>;
}

const STALE = 'MESSAGE_ID_STALE';
/** Messages per `messages.send` event at most. */
const MAX_SEND_BATCH = 200;

export interface Sent {
  id: string;
  createdAt: number;
}
interface PendingSend {
  item: Omit<SendItem, 'message'> & { message: Omit<SendItem['message'], 'id'> };
  resolve: (s: Sent) => void;
  reject: (err: Error) => void;
}
interface Outgoing {
  queue: PendingSend[];
  busy: boolean;
}

export class SpaceClient {
  private readonly outgoing = new Map<string, Outgoing>();

  constructor(
    private readonly actors: ActorRuntime,
    private readonly acks: SpaceAcks,
    private readonly ids: Ids,
    private readonly loader: SpaceLoader,
  ) {}

  async ask<T = unknown>(spaceId: string, command: SpaceCommand): Promise<T> {
    const r = await this.dispatch<T>(spaceId, command);
    await r.done;
    return r.data;
  }

  /**
   * The machine's answer (`data`) as soon as the actor committed, and `done`, which settles once the
   * event's effects are acknowledged (at once when there were none).
   */
  private async dispatch<T>(
    spaceId: string,
    command: SpaceCommand,
  ): Promise<{ data: T; done: Promise<void> }> {
    for (let attempt = 0; ; attempt++) {
      const ticket = this.ids.next();
      const acked = this.acks.expect(ticket);
      acked.catch(() => undefined);
      let reply: SpaceReply<T>;
      try {
        reply = await this.actors.ask<SpaceReply<T>>(
          { kind: SPACE_KIND, id: spaceId },
          { ...command, ticket, origin: this.acks.node },
        );
      } catch (err) {
        this.acks.cancel(ticket);
        if (err instanceof AppError && err.code === NOT_LOADED && attempt < 2) {
          await this.hydrate(spaceId);
          continue;
        }
        throw err;
      }
      if (!reply.wait) this.acks.cancel(ticket);
      return { data: reply.data, done: reply.wait ? acked : Promise.resolve() };
    }
  }

  /**
   * Send one message. Messages for a space that arrive while this node's previous batch for it is
   * being accepted are sent together as one `messages.send` event (group commit at the edge of the
   * actor: one event, one snapshot write and one effect for the whole batch). Ids are allocated when
   * the batch leaves, in order; a batch refused as stale is retried with fresh ids. Resolves once the
   * message row is written (the writer's ack), rejects with the actor's refusal of this message.
   */
  send(
    spaceId: string,
    item: Omit<SendItem, 'message'> & { message: Omit<SendItem['message'], 'id'> },
  ): Promise<Sent> {
    return new Promise<Sent>((resolve, reject) => {
      let lane = this.outgoing.get(spaceId);
      if (!lane) this.outgoing.set(spaceId, (lane = { queue: [], busy: false }));
      lane.queue.push({ item, resolve, reject });
      if (!lane.busy) void this.pump(spaceId, lane);
    });
  }

  private async pump(spaceId: string, lane: Outgoing): Promise<void> {
    lane.busy = true;
    try {
      // The next batch leaves as soon as the actor accepted this one; their writes overlap.
      while (lane.queue.length) await this.sendBatch(spaceId, lane.queue.splice(0, MAX_SEND_BATCH));
    } finally {
      lane.busy = false;
      if (lane.queue.length) void this.pump(spaceId, lane);
      else this.outgoing.delete(spaceId);
    }
  }

  private async sendBatch(spaceId: string, batch: PendingSend[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const items: SendItem[] = batch.map((p) => ({
        ...p.item,
        message: { ...p.item.message, id: this.ids.next() },
      }));
      let r: { data: SendResult[]; done: Promise<void> };
      try {
        r = await this.dispatch<SendResult[]>(spaceId, { type: 'messages.send', items });
      } catch (err) {
        if (err instanceof AppError && err.code === STALE && attempt < 8) continue;
        for (const p of batch) p.reject(err as Error);
        return;
      }
      void r.done.then(
        () =>
          r.data.forEach((res, i) =>
            res.ok
              ? batch[i]!.resolve({ id: res.id, createdAt: res.createdAt })
              : batch[i]!.reject(new AppError(res.error.code, res.error.status, res.error.message)),
          ),
        (err: Error) => {
          for (const p of batch) p.reject(err);
        },
      );
      return;
    }
  }

  /**
   * An event that carries a new message id (`build(id)`): retried with a fresh id when the actor has
   * already accepted a newer one.
   */
  async askWithMessageId<T = unknown>(
    spaceId: string,
    build: (messageId: string) => SpaceCommand,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ask<T>(spaceId, build(this.ids.next()));
      } catch (err) {
        if (err instanceof AppError && err.code === STALE && attempt < 8) continue;
        throw err;
      }
    }
  }

  private async hydrate(spaceId: string): Promise<void> {
    const state = await this.loader.load(spaceId);
    if (!state) throw notFound('Space not found');
    await this.actors.ask({ kind: SPACE_KIND, id: spaceId }, { type: 'space.init', state });
  }
}
