/**
 * The call actor's vocabulary (spec "Calls (Voice / Video)"). Call: ringing → active → ended (voice
 * channel calls start active). Participant: ringing → joined / declined / missed → left. JSON only;
 * times are ms since the epoch from each event's `at`.
 */
export type CallType = 'dm' | 'voice_channel';
export type CallStatus = 'idle' | 'ringing' | 'active' | 'ended';
export type ParticipantStatus = 'ringing' | 'joined' | 'declined' | 'missed' | 'left';

export interface Participant {
  userId: string;
  status: ParticipantStatus;
  joinedAt: number | null;
  leftAt: number | null;
}

export interface CallContext {
  id: string;
  type: CallType | null;
  status: CallStatus;
  conversationId: string | null;
  channelId: string | null;
  spaceId: string | null;
  /** Group DM calls push the conversation's name as the caller (spec "Push Behavior for Calls"). */
  isGroup: boolean;
  conversationName: string | null;
  initiatedBy: string | null;
  participants: Participant[];
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  rev: number;
}

export interface CallInput {
  id: string;
}

type At = { at: number };
export type CallEvent = At &
  (
    | {
        type: 'dm.start';
        by: string;
        conversationId: string;
        /** Accepted members of the conversation; the caller is one of them. */
        participants: string[];
        isGroup: boolean;
        conversationName: string | null;
        ringMs: number;
      }
    | { type: 'voice.join'; by: string; channelId: string; spaceId: string | null }
    | { type: 'respond'; by: string; action: 'accept' | 'decline' }
    | { type: 'join'; by: string }
    | { type: 'leave'; by: string }
    | { type: 'end'; by: string }
    | { type: 'ring.timeout' }
    | { type: 'get' }
  );

export interface CallView {
  id: string;
  type: CallType;
  conversationId: string | null;
  channelId: string | null;
  spaceId: string | null;
  roomName: string;
  initiatedBy: string | null;
  status: Exclude<CallStatus, 'idle'>;
  isGroup: boolean;
  conversationName: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  participants: Participant[];
  rev: number;
}

/** Effects (outbox), performed by call.effects.ts. */
export type CallEffect =
  /** Write the calls / call_participants rows as of `rev`. */
  | { type: 'call.sync'; view: CallView }
  /** call:ringing to each user in `to`, and the incoming-call push to their devices. */
  | { type: 'call.ring'; view: CallView; to: string[] }
  | { type: 'call.participant'; view: CallView; userId: string; change: 'joined' | 'left' | 'declined' }
  /** call:answered_elsewhere / call:declined_elsewhere to the user's other sockets (+ silent push when answered). */
  | { type: 'call.elsewhere'; callId: string; userId: string; action: 'answered' | 'declined' }
  /**
   * call:ended to every participant; silent call_ended push to `cancelRinging` (devices that may still
   * ring); the media room is destroyed; the conversation's call pointer is cleared.
   */
  | { type: 'call.ended'; view: CallView; cancelRinging: string[] };

export const roomNameOf = (callId: string) => `call_${callId}`;
