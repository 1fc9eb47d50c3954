/**
 * Calls (spec "Calls (Voice / Video)"): the call actor kind and the service routes use.
 *
 *   const calls = createCalls(engine, { conversations, push, voiceChannels: () => directory });
 *   await calls.startInConversation(meId, conversationId);
 */
import type { Engine } from '../../engine/index.ts';
import { callKind } from '../../actors/call/call.effects.ts';
import { CONVERSATION_KIND } from '../../actors/conversation/conversation.machine.ts';
import type { ConversationsService } from '../conversations/conversations.service.ts';
import type { PushService } from '../devices/push.service.ts';
import { callDeliveryPorts } from './call-delivery.ts';
import { CallsService } from './calls.service.ts';
import { createLiveKit, type Media } from './livekit.ts';
import type { VoiceChannelDirectory } from './voice-channels.ts';

export { CallsService } from './calls.service.ts';
export { noVoiceChannels, type VoiceChannel, type VoiceChannelDirectory } from './voice-channels.ts';
export type { CallDto } from './calls.schema.ts';
export type { Media, CallToken } from './livekit.ts';
export * as schema from './calls.schema.ts';

export interface CallsDeps {
  conversations: ConversationsService;
  push: PushService;
  voiceChannels: () => VoiceChannelDirectory;
  media?: Media;
}

export function createCalls(engine: Engine, deps: CallsDeps): CallsService {
  const media = deps.media ?? createLiveKit(engine.config);
  const ringMs = engine.config.CALL_RING_TIMEOUT_MS;
  engine.actors.register(
    callKind(
      callDeliveryPorts({
        db: engine.db.db,
        rooms: engine.rooms,
        push: deps.push,
        media,
        ringSeconds: Math.ceil(ringMs / 1000),
        callEnded: (conversationId, callId) =>
          engine.actors.send({ kind: CONVERSATION_KIND, id: conversationId }, { type: 'call.ended', callId }),
      }),
    ),
  );
  return new CallsService({
    db: engine.db.db,
    ids: engine.ids,
    clock: engine.clock,
    log: engine.log,
    actors: engine.actors,
    media,
    conversations: deps.conversations,
    voiceChannels: deps.voiceChannels,
    ringMs,
  });
}
