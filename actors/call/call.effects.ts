/**
 * The call actor's effects, bound to ports at the composition root. At least once, with a stable
 * effectId: projection writes are rev-guarded, pushes are de-duplicated by job id, a room that is
 * already deleted is fine.
 */
import { defineActorKind, type ActorEffect, type EffectContext } from '../../engine/actors/types.ts';
import { CALL_KIND, callMachine } from './call.machine.ts';
import type { CallEffect, CallView } from './call.events.ts';

type Of<T extends CallEffect['type']> = Extract<CallEffect, { type: T }>;

export interface CallPorts {
  sync(view: CallView): Promise<void>;
  /** call:ringing to each callee's user room, and the incoming-call push to their devices. */
  ring(effect: Of<'call.ring'>, ctx: EffectContext): Promise<void>;
  participant(effect: Of<'call.participant'>): Promise<void>;
  elsewhere(effect: Of<'call.elsewhere'>, ctx: EffectContext): Promise<void>;
  /** call:ended, the silent call_ended push, the media room destroyed, the conversation's pointer cleared. */
  ended(effect: Of<'call.ended'>, ctx: EffectContext): Promise<void>;
}

export function callEffects(ports: CallPorts) {
  return async (raw: ActorEffect, ctx: EffectContext): Promise<void> => {
    const effect = raw as unknown as CallEffect;
    switch (effect.type) {
      case 'call.sync':
        return ports.sync(effect.view);
      case 'call.ring':
        return ports.ring(effect, ctx);
      case 'call.participant':
        return ports.participant(effect);
      case 'call.elsewhere':
        return ports.elsewhere(effect, ctx);
      case 'call.ended':
        return ports.ended(effect, ctx);
      default:
        ctx.log.warn({ effect: (raw as { type: string }).type }, 'unknown call effect');
    }
  };
}

export function callKind(ports: CallPorts) {
  return defineActorKind({
    kind: CALL_KIND,
    machine: callMachine,
    input: (id: string) => ({ id }),
    effects: callEffects(ports),
  });
}
