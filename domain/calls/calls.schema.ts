/** Call inputs and the spec's Call object (spec "Call Object"). */
import * as v from 'valibot';
import { snowflake } from '../../http/validate.ts';
import type { CallView } from '../../actors/call/call.events.ts';
import type { ProfileRow } from '../conversations/conversations.repository.ts';
import type { CallToken } from './livekit.ts';

export const RespondInput = v.object({
  action: v.picklist(['accept', 'decline'], 'must be accept or decline'),
});
export const SocketRespondInput = v.object({ callId: snowflake, action: RespondInput.entries.action });
export const SocketCallInput = v.object({ callId: snowflake });
export const SocketChannelInput = v.object({ channelId: snowflake });

export interface CallParticipantDto {
  userId: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
  status: string;
  joinedAt: string | null;
  leftAt: string | null;
}

export interface CallDto {
  id: string;
  type: 'dm' | 'voice_channel';
  conversationId: string | null;
  channelId: string | null;
  spaceId: string | null;
  roomName: string;
  initiatedBy: string | null;
  status: 'ringing' | 'active' | 'ended';
  startedAt: string | null;
  endedAt: string | null;
  createdAt: string;
  participants: CallParticipantDto[];
  token?: CallToken;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toCallDto(view: CallView, people: Map<string, ProfileRow>, onlyJoined = false): CallDto {
  return {
    id: view.id,
    type: view.type,
    conversationId: view.conversationId,
    channelId: view.channelId,
    spaceId: view.spaceId,
    roomName: view.roomName,
    initiatedBy: view.initiatedBy,
    status: view.status,
    startedAt: iso(view.startedAt),
    endedAt: iso(view.endedAt),
    createdAt: new Date(view.createdAt).toISOString(),
    participants: view.participants
      .filter((p) => !onlyJoined || p.status === 'joined')
      .map((p) => {
        const u = people.get(p.userId);
        return {
          userId: p.userId,
          username: u?.username ?? null,
          displayName: u?.display_name ?? null,
          avatarUrl: u?.avatar_url ?? null,
          baseColor: u?.base_color ?? null,
          accentColor: u?.accent_color ?? null,
          status: p.status,
          joinedAt: iso(p.joinedAt),
          leftAt: iso(p.leftAt),
        };
      }),
  };
}
