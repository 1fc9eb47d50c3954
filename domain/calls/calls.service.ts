/**
 * Spec "Calls (Voice / Video)". The call actor owns a call's state; the conversation actor owns
 * "one call per conversation" (its pointer to the live call). This service gathers what they
 * cannot read (membership, channel permissions), hands out LiveKit tokens and renders calls.
 * Reads come from the actors' committed state, so they never lag behind an answered request.
 */
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import { snowflakeTime, type Ids } from '../../engine/ids.ts';
import type { Logger } from '../../engine/log.ts';
import { AppError, badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { ActorRuntime } from '../../engine/actors/types.ts';
import { CALL_KIND } from '../../actors/call/call.machine.ts';
import type { CallContext, CallEvent, CallView } from '../../actors/call/call.events.ts';
import { view as viewOf } from '../../actors/call/call.rules.ts';
import type { CallStartReply, ConversationContext } from '../../actors/conversation/conversation.events.ts';
import { CONVERSATION_KIND } from '../../actors/conversation/conversation.machine.ts';
import type { ConversationsService } from '../conversations/conversations.service.ts';
import { profiles } from '../conversations/conversations.repository.ts';
import { applyCallView, claimChannelCall, liveChannelCall, markEnded } from './calls.repository.ts';
import { toCallDto, type CallDto } from './calls.schema.ts';
import type { Media } from './livekit.ts';
import type { VoiceChannel, VoiceChannelDirectory } from './voice-channels.ts';

export interface CallsDeps {
  db: Db;
  ids: Ids;
  clock: Clock;
  log: Logger;
  actors: ActorRuntime;
  media: Media;
  conversations: ConversationsService;
  voiceChannels: () => VoiceChannelDirectory;
  ringMs: number;
}

type EventBody = CallEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> : never) : never;

/** A conversation pointer to a call that never started is stale after this long (a crash mid-start). */
const STALE_START_MS = 30_000;

export class CallsService {
  constructor(private readonly d: CallsDeps) {}

  private ask(callId: string, event: EventBody): Promise<CallView> {
    return this.d.actors.ask<CallView>({ kind: CALL_KIND, id: callId }, event);
  }

  private async state(callId: string): Promise<CallContext | null> {
    const s = await this.d.actors.read<CallContext>({ kind: CALL_KIND, id: callId });
    return s && s.context.status !== 'idle' ? s.context : null;
  }

  /** Bring the rows up to date for the caller (the outbox writes the same, guarded by rev). */
  private async settle(view: CallView): Promise<void> {
    await applyCallView(this.d.db, view).catch((err: unknown) =>
      this.d.log.warn(
        { callId: view.id, err: (err as Error).message },
        'call projection write deferred to the outbox',
      ),
    );
  }

  async render(view: CallView, withTokenFor?: string, onlyJoined = false): Promise<CallDto> {
    const people = await profiles(
      this.d.db,
      view.participants.map((p) => p.userId),
    );
    const dto = toCallDto(view, people, onlyJoined);
    if (withTokenFor) {
      const p = people.get(withTokenFor);
      dto.token = await this.d.media.token(view.roomName, {
        id: withTokenFor,
        name: p?.display_name ?? withTokenFor,
      });
    }
    return dto;
  }

  /** POST /calls/conversations/:conversationId/call */
  async startInConversation(meId: string, conversationId: string): Promise<CallDto> {
    const m = await this.d.conversations.requireMember(conversationId, meId);
    if (m.status !== 'accepted') throw forbidden('Not a member of this conversation');
    const callId = this.d.ids.next();
    const start = await this.claimConversation(conversationId, meId, callId);
    let view: CallView;
    try {
      view = await this.ask(callId, {
        type: 'dm.start',
        by: meId,
        conversationId,
        participants: start.participants,
        isGroup: start.type === 'group',
        conversationName: start.name,
        ringMs: this.d.ringMs,
      });
    } catch (err) {
      await this.d.conversations.ask(conversationId, { type: 'call.ended', callId });
      throw err;
    }
    await this.settle(view);
    return this.render(view, meId);
  }

  /** Point the conversation at the new call, or refuse with the live one (CALL_IN_PROGRESS). */
  private async claimConversation(
    conversationId: string,
    meId: string,
    callId: string,
  ): Promise<CallStartReply> {
    try {
      return await this.d.conversations.ask<CallStartReply>(conversationId, {
        type: 'call.start',
        by: meId,
        callId,
      });
    } catch (err) {
      const existing =
        err instanceof AppError && err.code === 'CALL_IN_PROGRESS' ? err.data?.existingCallId : null;
      if (typeof existing !== 'string') throw err;
      const live = await this.state(existing);
      const abandoned = !live && this.d.clock.now() - snowflakeTime(existing).getTime() > STALE_START_MS;
      if (!abandoned && live?.status !== 'ended') throw err;
      // The pointer outlived its call (the end did not reach the conversation yet, or a crash).
      await this.d.conversations.ask(conversationId, { type: 'call.ended', callId: existing });
      return this.d.conversations.ask<CallStartReply>(conversationId, {
        type: 'call.start',
        by: meId,
        callId,
      });
    }
  }

  /** GET /calls/conversations/:conversationId/call */
  async conversationCall(meId: string, conversationId: string): Promise<{ call: CallDto | null }> {
    const m = await this.d.conversations.requireMember(conversationId, meId);
    if (m.status !== 'accepted') throw notFound('Conversation not found');
    const conv = await this.d.actors.read<ConversationContext>({
      kind: CONVERSATION_KIND,
      id: conversationId,
    });
    const callId = conv?.context.activeCallId;
    const call = callId ? await this.state(callId) : null;
    return { call: call && call.status !== 'ended' ? await this.render(viewOf(call)) : null };
  }

  /** GET /calls/:callId: participants, members of its conversation, viewers of its channel. */
  async get(meId: string, callId: string): Promise<CallDto> {
    const call = await this.visible(meId, callId);
    return this.render(viewOf(call));
  }

  private async visible(meId: string, callId: string): Promise<CallContext> {
    const call = await this.state(callId);
    if (!call) throw notFound('Call not found');
    if (call.participants.some((p) => p.userId === meId)) return call;
    if (call.conversationId) {
      const m = await this.d.conversations.requireMember(call.conversationId, meId).catch(() => null);
      if (m?.status === 'accepted') return call;
    }
    if (call.channelId) {
      const ch = await this.d.voiceChannels().channel(call.channelId);
      if (ch && (await this.d.voiceChannels().canView(meId, ch))) return call;
    }
    throw notFound('Call not found');
  }

  async respond(meId: string, callId: string, action: 'accept' | 'decline'): Promise<CallDto> {
    const view = await this.ask(callId, { type: 'respond', by: meId, action });
    await this.settle(view);
    return this.render(view, action === 'accept' ? meId : undefined);
  }

  /** POST /calls/:callId/join: rejoin after left / declined / missed; voice calls need VIEW_CHANNELS. */
  async join(meId: string, callId: string): Promise<CallDto> {
    const call = await this.state(callId);
    if (!call) throw notFound('Call not found');
    if (call.type === 'voice_channel' && call.channelId) {
      const ch = await this.voiceChannel(meId, call.channelId);
      const view = await this.ask(callId, {
        type: 'voice.join',
        by: meId,
        channelId: ch.id,
        spaceId: ch.spaceId,
      });
      await this.settle(view);
      return this.render(view, meId);
    }
    const view = await this.ask(callId, { type: 'join', by: meId });
    await this.settle(view);
    return this.render(view, meId);
  }

  async leave(meId: string, callId: string): Promise<CallDto> {
    await this.visible(meId, callId);
    const view = await this.ask(callId, { type: 'leave', by: meId });
    await this.settle(view);
    return this.render(view);
  }

  async end(meId: string, callId: string): Promise<CallDto> {
    const view = await this.ask(callId, { type: 'end', by: meId });
    await this.settle(view);
    return this.render(view);
  }

  /** POST /calls/:callId/token: a fresh token for a joined participant. */
  async token(meId: string, callId: string) {
    const call = await this.state(callId);
    const me = call?.participants.find((p) => p.userId === meId);
    if (!call || !me) throw notFound('Call not found');
    if (call.status === 'ended' || me.status !== 'joined') throw forbidden('Join the call first');
    const people = await profiles(this.d.db, [meId]);
    return this.d.media.token(viewOf(call).roomName, {
      id: meId,
      name: people.get(meId)?.display_name ?? meId,
    });
  }

  // ---- voice channels ----

  private async voiceChannel(meId: string, channelId: string): Promise<VoiceChannel> {
    const ch = await this.d.voiceChannels().channel(channelId);
    if (!ch) throw notFound('Channel not found');
    if (!(await this.d.voiceChannels().canView(meId, ch))) throw forbidden('You cannot view this channel');
    if (ch.type !== 'voice') throw badRequest('Not a voice channel');
    return ch;
  }

  /** POST /calls/channels/:channelId/join: join the live call, or start one (no ringing). */
  async voiceJoin(meId: string, channelId: string): Promise<CallDto> {
    const ch = await this.voiceChannel(meId, channelId);
    for (let attempt = 0; attempt < 10; attempt++) {
      let callId = await liveChannelCall(this.d.db, channelId);
      if (!callId) {
        const id = this.d.ids.next();
        const now = new Date(this.d.clock.now());
        if (!(await claimChannelCall(this.d.db, { id, channelId, spaceId: ch.spaceId, by: meId, now })))
          continue;
        callId = id;
      }
      try {
        const view = await this.ask(callId, { type: 'voice.join', by: meId, channelId, spaceId: ch.spaceId });
        await this.settle(view);
        return this.render(view, meId);
      } catch (err) {
        // The call ended between the lookup and the join (its last member left): start another.
        if (!(err instanceof AppError && err.code === 'CALL_ENDED')) throw err;
        await markEnded(this.d.db, callId, new Date(this.d.clock.now()));
      }
    }
    throw new AppError('SERVICE_UNAVAILABLE', 503, 'Could not join the voice channel; try again');
  }

  /** POST /calls/channels/:channelId/leave */
  async voiceLeave(meId: string, channelId: string): Promise<{ call: CallDto | null }> {
    await this.voiceChannel(meId, channelId);
    const callId = await liveChannelCall(this.d.db, channelId);
    if (!callId) return { call: null };
    const view = await this.ask(callId, { type: 'leave', by: meId });
    await this.settle(view);
    return { call: await this.render(view) };
  }

  /** GET /calls/channels/:channelId/call: the live call with the participants connected now. */
  async voiceCall(meId: string, channelId: string): Promise<{ call: CallDto | null }> {
    await this.voiceChannel(meId, channelId);
    const callId = await liveChannelCall(this.d.db, channelId);
    const call = callId ? await this.state(callId) : null;
    if (!call || call.status === 'ended') return { call: null };
    return { call: await this.render(viewOf(call), undefined, true) };
  }
}
