/**
 * The space actor's effects, bound to ports at the composition root: projection rows and socket
 * rooms (`projection`, implemented by domain/spaces), the group-commit message writer, workflow
 * triggers on the bus, and acknowledgements to waiting callers. Delivered at least once, in commit
 * order per space; every handler is idempotent.
 *
 * Workflow triggers (consumed by the workflows feature, which only subscribes): JSON on the bus
 * subject `<NAMESPACE>.workflows.trigger.<type>`, a `WorkflowTrigger` (space.events.ts) plus
 * `effectId`, a stable id for de-duplication. member_joined comes from the actor's `trigger` effect;
 * message_created / image_uploaded / gpx_uploaded are published by the writer's delivery once the
 * message row is written.
 */
import { encodeJson, type Bus } from '../../engine/bus/index.ts';
import { defineActorKind, type EffectContext } from '../../engine/actors/types.ts';
import type { SpaceAcks } from './space.acks.ts';
import type { SpaceEffect, WorkflowTrigger } from './space.events.ts';
import { SPACE_KIND, spaceMachine } from './space.machine.ts';
import type { MessageWriter } from './space.writer.ts';

export type ProjectionEffect = Exclude<
  SpaceEffect,
  { type: 'messages.write' | 'messages.insert' | 'ack' | 'trigger' }
>;
type InsertEffect = Extract<SpaceEffect, { type: 'messages.insert' }>;

export interface SpaceEffectPorts {
  /** Rows and socket rooms of one effect (idempotent). */
  project(effect: ProjectionEffect, ctx: EffectContext): Promise<void>;
  /** The group-commit writer (system messages, forum posts) and the sink sent messages use inline. */
  writer: MessageWriter;
  acks: SpaceAcks;
  bus: Bus;
  namespace: string;
}

export function triggerSubject(namespace: string, type: WorkflowTrigger['type']): string {
  return `${namespace}.workflows.trigger.${type}`;
}

export function publishTrigger(
  bus: Bus,
  namespace: string,
  trigger: WorkflowTrigger,
  effectId: string,
): void {
  bus.publish(triggerSubject(namespace, trigger.type), encodeJson({ ...trigger, effectId }));
}

export function spaceActorKind(ports: SpaceEffectPorts) {
  return defineActorKind({
    kind: SPACE_KIND,
    machine: spaceMachine,
    input: (id: string) => ({ id }),
    effects: async (raw, ctx) => {
      const effect = raw as SpaceEffect;
      switch (effect.type) {
        case 'messages.write':
          ports.writer.enqueue({ items: effect.items, ticket: effect.ticket, origin: effect.origin });
          return;
        case 'messages.insert':
          return; // written inline by the commit (never an outbox row)
        case 'ack':
          ports.acks.ack([{ ticket: effect.ticket, origin: effect.origin }]);
          return;
        case 'trigger':
          publishTrigger(ports.bus, ports.namespace, effect.trigger, ctx.effectId);
          return;
        default:
          await ports.project(effect, ctx);
      }
    },
    inline: {
      types: ['messages.insert'],
      write: (effects, fenced) =>
        ports.writer.inlineInsert(
          (effects as unknown as InsertEffect[]).flatMap((e) => e.items),
          fenced,
        ),
      // Right after the commit, in commit order: fan out, then release the senders (a message whose
      // send was acknowledged is listed by any later read, and was announced before the answer).
      committed: (effects) => {
        for (const e of effects as unknown as InsertEffect[]) {
          try {
            ports.writer.deliveredInline(e.items);
          } finally {
            if (e.ticket && e.origin) ports.acks.ack([{ ticket: e.ticket, origin: e.origin }]);
          }
        }
      },
    },
  });
}
