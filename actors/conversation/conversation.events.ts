/**
 * The conversation actor's vocabulary: its context (what it owns), the events it accepts, the
 * effects it emits and the data it replies with. Everything here is JSON (it is persisted in the
 * actor snapshot and the outbox). Times are ms since the epoch, taken from each event's `at`.
 */
export type ConversationType = 'dm' | 'group';
export type MemberStatus = 'pending' | 'accepted' | 'declined' | 'left';

export interface MemberState {
  status: MemberStatus;
  muted: boolean;
  /** Id of the newest message this member has read ('0' = none). */
  lastReadId: string;
  joinedAt: number;
  addedBy: string | null;
}

/** The author as the message shows them, captured when it was sent (the actor reads no profiles). */
export interface AuthorSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

export interface PendingMessage {
  id: string;
  authorId: string;
  author?: AuthorSummary;
  content: string;
  attachments: AttachmentRef[];
  createdAt: number;
}

export interface AttachmentRef {
  id: string;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface ConversationContext {
  id: string;
  type: ConversationType | null;
  name: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  members: Record<string, MemberState>;
  /** Bumped on every change the projection must see; projection writes are guarded by it. */
  rev: number;
  /** Newest accepted message id: message ids are strictly increasing in acceptance order. */
  lastMessageId: string;
  /**
   * Former protocol only (messages accepted, then written by an effect): always empty now, since a
   * message is written by the commit that accepts it. A snapshot that still holds some writes them
   * on its next `messages.persisted` / `persist.retry`.
   */
  pending: PendingMessage[];
  writing: PendingMessage[];
  writingSince: number | null;
  watchdogAt: number | null;
  /** The last accepted message ids (a retried send is answered, not accepted twice). */
  recentIds: string[];
  /** The conversation's live call (spec: one call per conversation). */
  activeCallId: string | null;
  /** How long a write may stay unconfirmed before it is handed to the writer again. */
  persistRetryMs: number;
  /** A deleted 1:1 conversation answers 404 from then on (a new one gets a new id). */
  deleted: boolean;
}

export interface ConversationInput {
  id: string;
  persistRetryMs?: number;
}

export interface NewMember {
  userId: string;
  status: 'pending' | 'accepted';
}

type At = { at: number };
export type ConversationEvent = At &
  (
    | { type: 'open'; by: string; other: string; otherStatus: 'pending' | 'accepted' }
    | { type: 'group.create'; by: string; name: string | null; members: NewMember[] }
    | { type: 'accept'; by: string }
    | { type: 'decline'; by: string }
    | { type: 'members.add'; by: string; members: NewMember[] }
    | { type: 'leave'; by: string }
    | { type: 'rename'; by: string; name: string }
    | { type: 'read'; by: string }
    | { type: 'mute'; by: string; muted: boolean }
    | { type: 'delete'; by: string }
    | {
        type: 'message.send';
        by: string;
        messageId: string;
        content: string;
        attachments: AttachmentRef[];
        author?: AuthorSummary;
      }
    | { type: 'messages.persisted'; upTo: string }
    | { type: 'persist.retry' }
    | { type: 'call.start'; by: string; callId: string }
    | { type: 'call.ended'; callId: string }
    | { type: 'get' }
  );

/** The conversation as the actor sees it; the service renders it for each viewer. */
export interface ConversationView {
  id: string;
  type: ConversationType;
  name: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  members: Array<{ userId: string } & MemberState>;
  lastMessageId: string;
  activeCallId: string | null;
  rev: number;
}

/** Effects (outbox): performed by conversation.effects.ts. */
export type ConversationEffect =
  /** Write the conversation and member rows as of `rev` (skipped when the projection is newer). */
  | { type: 'conversation.sync'; view: ConversationView }
  /** Socket events and notifications about membership changes. */
  | {
      type: 'conversation.announce';
      view: ConversationView;
      /** conversation:created to these users (new members, and new requests). */
      created: string[];
      /** conversation:updated to these users. */
      updated: string[];
      /** Users who got a message request now: dm_request notification. */
      requested: string[];
      /** conversation:member_left { conversationId, userId }. */
      left: string | null;
      by: string;
    }
  /**
   * Written INSIDE the actor's commit (an inline write, not an outbox row): the accepted messages'
   * rows and the conversation's last message. Events handled together share one insert.
   */
  | { type: 'messages.insert'; conversationId: string; messages: PendingMessage[] }
  /** After that commit: dm:new to the room, then notifications and pushes (outbox, in commit order). */
  | {
      type: 'messages.deliver';
      conversationId: string;
      messages: PendingMessage[];
      members: Array<{ userId: string; status: MemberStatus; muted: boolean }>;
    }
  /** Former protocol (outbox rows written before the inline insert): write, then deliver. */
  | {
      type: 'messages.persist';
      conversationId: string;
      messages: PendingMessage[];
      /** Who should hear of the batch (members who see the conversation), as of its hand-over. */
      members: Array<{ userId: string; status: MemberStatus; muted: boolean }>;
    }
  | { type: 'conversation.delete'; conversationId: string; members: string[] };

export interface SendReply {
  /** Null for a duplicate whose message was already written (read it from the table). */
  message: (PendingMessage & { conversationId: string }) | null;
  duplicate?: boolean;
}

export interface CallStartReply {
  type: ConversationType;
  name: string | null;
  /** Accepted members, the caller first. */
  participants: string[];
}
