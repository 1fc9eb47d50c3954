/**
 * The conversation actor's effects, bound to ports at the composition root (the actor knows no
 * table and no socket). Each effect arrives at least once with a stable effectId; every port here
 * is idempotent: projection writes are guarded by `rev`, message inserts skip existing ids.
 */
import type { RawBuilder } from 'kysely';
import { defineActorKind, type ActorEffect, type EffectContext } from '../../engine/actors/types.ts';
import { CONVERSATION_KIND, conversationMachine } from './conversation.machine.ts';
import type { ConversationEffect, ConversationView } from './conversation.events.ts';
import { INSERT_EFFECT } from './conversation.rules.ts';

type Of<T extends ConversationEffect['type']> = Extract<ConversationEffect, { type: T }>;

export interface ConversationPorts {
  /** Write the conversation and member rows as of `view.rev`. */
  sync(view: ConversationView): Promise<void>;
  /** Socket events, room moves and notifications of a membership change. */
  announce(effect: Of<'conversation.announce'>, ctx: EffectContext): Promise<void>;
  /**
   * The statements that write the `messages.insert` effects of one commit inside the actor's commit
   * statement (InlineWrites): every row conditioned on `fenced`, inserts skip existing ids.
   */
  insertInline(effects: Array<Of<'messages.insert'>>, fenced: RawBuilder<boolean>): RawBuilder<unknown>[];
  /**
   * Right after the commit that wrote them, before the senders are answered: dm:new to the room, in
   * id order (synchronous; live events only, the rows are durable).
   */
  fanOutNow(effects: Array<Of<'messages.insert'>>): void;
  /** Former protocol: write one batch; returns the ids it inserted (none when written before). */
  write(effect: Of<'messages.persist'>): Promise<string[]>;
  /** Written messages: fan out dm:new, in order (`inserted`: the ids to fan out). */
  fanOut(effect: Of<'messages.persist'>, inserted: string[]): Promise<void>;
  /** Then notifications and pushes for the recipients (queued: the next delivery does not wait). */
  notify(
    effect: Of<'messages.persist'> | Of<'messages.deliver'>,
    inserted: string[],
    ctx: EffectContext,
  ): Promise<void>;
  remove(effect: Of<'conversation.delete'>): Promise<void>;
}

export function conversationEffects(ports: ConversationPorts) {
  return async (raw: ActorEffect, ctx: EffectContext): Promise<void> => {
    const effect = raw as unknown as ConversationEffect;
    switch (effect.type) {
      case 'conversation.sync':
        return ports.sync(effect.view);
      case 'conversation.announce':
        return ports.announce(effect, ctx);
      case 'messages.deliver':
        // Written and fanned out by the commit that emitted this: notifications and pushes remain.
        return ports.notify(
          effect,
          effect.messages.map((m) => m.id),
          ctx,
        );
      case 'messages.persist': {
        const inserted = await ports.write(effect);
        await ports.fanOut(effect, inserted);
        return ports.notify(effect, inserted, ctx);
      }
      case 'messages.insert':
        return; // written inline by the commit (never an outbox row)
      case 'conversation.delete':
        return ports.remove(effect);
      default:
        ctx.log.warn({ effect: (raw as { type: string }).type }, 'unknown conversation effect');
    }
  };
}

export function conversationKind(ports: ConversationPorts, opts: { persistRetryMs: number }) {
  return defineActorKind({
    kind: CONVERSATION_KIND,
    machine: conversationMachine,
    input: (id: string) => ({ id, persistRetryMs: opts.persistRetryMs }),
    effects: conversationEffects(ports),
    inline: {
      types: [INSERT_EFFECT],
      write: (effects, fenced) =>
        ports.insertInline(effects as unknown as Array<Of<'messages.insert'>>, fenced),
      committed: (effects) => ports.fanOutNow(effects as unknown as Array<Of<'messages.insert'>>),
    },
  });
}
