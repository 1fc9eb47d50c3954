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
import type { SpaceEvent, SpaceInit, SpaceReply } from './space.events.ts';
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

export class SpaceClient {
  constructor(
    private readonly actors: ActorRuntime,
    private readonly acks: SpaceAcks,
    private readonly ids: Ids,
    private readonly loader: SpaceLoader,
  ) {}

  async ask<T = unknown>(spaceId: string, command: SpaceCommand): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const ticket = this.ids.next();
      const acked = this.acks.expect(ticket);
      acked.catch(() => undefined);
      let reply: SpaceReply<T>;
      try {
        reply = await this.actors.ask<SpaceReply<T>>(
          { kind: SPACE_KIND, id: spaceId },
          {
            ...command,
            ticket,
            origin: this.acks.node,
          },
        );
      } catch (err) {
        this.acks.cancel(ticket);
        if (err instanceof AppError && err.code === NOT_LOADED && attempt < 2) {
          await this.hydrate(spaceId);
          continue;
        }
        throw err;
      }
      if (reply.wait) await acked;
      else this.acks.cancel(ticket);
      return reply.data;
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
