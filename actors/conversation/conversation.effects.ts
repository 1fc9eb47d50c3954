/**
 * The conversation actor's effects, bound to ports at the composition root (the actor knows no
 * table and no socket). Each effect arrives at least once with a stable effectId; every port here
 * is idempotent: projection writes are guarded by `rev`, message inserts skip existing ids.
 */
import { defineActorKind, type ActorEffect, type EffectContext } from '../../engine/actors/types.ts';
import { CONVERSATION_KIND, conversationMachine } from './conversation.machine.ts';
import type { ConversationEffect, ConversationView } from './conversation.events.ts';

type Of<T extends ConversationEffect['type']> = Extract<ConversationEffect, { type: T }>;

export interface ConversationPorts {
  /** Write the conversation and member rows as of `view.rev`. */
  sync(view: ConversationView): Promise<void>;
  /** Socket events, room moves and notifications of a membership change. */
  announce(effect: Of<'conversation.announce'>, ctx: EffectContext): Promise<void>;
  /** Write one group-commit batch; returns the ids it inserted (none when it was written before). */
  write(effect: Of<'messages.persist'>): Promise<string[]>;
  /** After a batch is written: wake the senders and fan out dm:new, in batch order. */
  fanOut(effect: Of<'messages.persist'>, inserted: string[]): Promise<void>;
  /** Then notifications and pushes for the recipients (may be slower; the next batch is under way). */
  notify(effect: Of<'messages.persist'>, inserted: string[], ctx: EffectContext): Promise<void>;
  /** Tell the actor its batch is written (an actor send: durable). */
  confirm(conversationId: string, upTo: string): Promise<void>;
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
      case 'messages.persist': {
        const inserted = await ports.write(effect);
        await ports.fanOut(effect, inserted);
        // dm:new of this batch is out before the next batch can be written: delivery keeps id order.
        const last = effect.messages[effect.messages.length - 1];
        if (last) await ports.confirm(effect.conversationId, last.id);
        return ports.notify(effect, inserted, ctx);
      }
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
  });
}
