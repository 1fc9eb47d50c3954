/**
 * The space actor's vocabulary: its context (what it owns), the events it accepts, the effects it
 * emits. Everything is JSON (persisted in the snapshot and the outbox); bitfields are decimal strings,
 * times ms since the epoch taken from each event's `at`.
 *
 * The context is small on purpose: permission data (roles, members' role ids, channel overrides and
 * direct members, bans), invite counters and the newest message id. It never holds messages: a sent
 * message leaves at once in a `messages.write` effect (see space.writer.ts for why).
 */
export type ChannelType =
  'text' | 'announcement' | 'read_only' | 'forum' | 'media_gallery' | 'route_library' | 'voice';

export interface RoleState {
  /** Permission bits, decimal. */
  p: string;
  pos: number;
}

export interface ChannelState {
  t: ChannelType;
  priv: boolean;
  /** The space's admin channel (system messages about bans and reports). */
  adm: boolean;
  /** Overrides by role id: [allow, deny], decimal. */
  ov: Record<string, [string, string]>;
  /** Direct members (private channels). */
  mem: string[];
  /** Spaces this channel is mirrored into (portals). */
  portals: string[];
}

export interface InviteState {
  id: string;
  max: number | null;
  uses: number;
  /** Expiry, ms since the epoch; null = never. */
  exp: number | null;
}

export interface SpaceContext {
  id: string;
  status: 'new' | 'active' | 'deleted';
  ownerId: string;
  isPublic: boolean;
  defaultRoleId: string;
  adminChannelId: string;
  roles: Record<string, RoleState>;
  /** Members → the non-default role ids they hold. */
  members: Record<string, string[]>;
  bans: Record<string, true>;
  /** Invites by code. */
  invites: Record<string, InviteState>;
  channels: Record<string, ChannelState>;
  /** Locked forum threads (a locked thread refuses posts). */
  locked: Record<string, true>;
  /** Newest accepted message id: ids are strictly increasing in acceptance order. */
  lastMessageId: string;
}

/** What hydration loads from the tables for an actor that has never run (space.init). */
export type SpaceInit = Omit<SpaceContext, 'status' | 'lastMessageId'>;

/** Author summary carried with a message so the fan-out needs no read. */
export interface AuthorRef {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface AttachmentRef {
  id: string;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface ReplyRef {
  id: string;
  content: string;
  author: { id: string; username: string; displayName: string } | null;
}

/** A message as accepted by the actor, written by the writer and fanned out as is. */
export interface NewMessage {
  id: string;
  spaceId: string;
  channelId: string;
  authorId: string | null;
  author: AuthorRef | null;
  type: 'default' | 'system';
  content: string;
  replyToId: string | null;
  replyTo: ReplyRef | null;
  threadId: string | null;
  attachments: AttachmentRef[];
  /** Members mentioned (already filtered to members of the space). */
  mentions: string[];
  createdAt: number;
}

/** Row fields of a channel the actor does not own but carries to the projection. */
export interface ChannelRow {
  name: string;
  topic: string | null;
  isPublic: boolean;
  categoryId: string | null;
  position: number | null;
  voice: Record<string, unknown>;
  /** bcrypt hash; undefined = unchanged, null = cleared. */
  voicePasswordHash?: string | null;
}

export interface RoleRow {
  name: string;
  color: string | null;
  position: number;
}

/** One message of a `messages.send` batch. */
export interface SendItem {
  by: string;
  message: Omit<NewMessage, 'createdAt' | 'spaceId' | 'type'>;
  /** Sent by a member of this space through a portal (the caller checked that space's permissions). */
  viaPortal?: string;
}

/** The answer for each item of a `messages.send` batch, in order. */
export type SendResult =
  | { ok: true; id: string; createdAt: number }
  | { ok: false; error: { code: string; status: number; message: string } };

/** Fields every event that may need an acknowledgement carries (see space.client.ts). */
interface Ticketed {
  ticket?: string;
  origin?: string;
}

type At = { at: number };
export type SpaceEvent = At &
  Ticketed &
  (
    | { type: 'space.init'; state: SpaceInit }
    | { type: 'space.public'; by: string; isPublic: boolean }
    | { type: 'space.delete'; by: string }
    | { type: 'member.join'; userId: string; via: 'invite' | 'public'; code?: string }
    | { type: 'member.leave'; userId: string }
    /** The account was deleted: forget the member (its rows went with the account). */
    | { type: 'member.purge'; userId: string }
    | { type: 'member.kick'; by: string; userId: string }
    | {
        type: 'member.ban';
        by: string;
        userId: string;
        reason: string | null;
        messageId: string;
        content: string;
      }
    | { type: 'member.unban'; by: string; userId: string }
    | { type: 'member.roles'; by: string; userId: string; roleIds: string[] }
    | { type: 'role.create'; by: string; roleId: string; row: RoleRow; permissions: string }
    | { type: 'role.update'; by: string; roleId: string; row: Partial<RoleRow>; permissions?: string }
    | { type: 'role.delete'; by: string; roleId: string }
    | {
        type: 'channel.create';
        by: string;
        channelId: string;
        channelType: ChannelType;
        isPrivate: boolean;
        memberIds: string[];
        roleOverrides: string[];
        row: ChannelRow;
      }
    | {
        type: 'channel.update';
        by: string;
        channelId: string;
        channelType?: ChannelType;
        isPrivate?: boolean;
        row: Partial<ChannelRow>;
      }
    | { type: 'channel.delete'; by: string; channelId: string }
    | { type: 'override.set'; by: string; channelId: string; roleId: string; allow: string; deny: string }
    | { type: 'override.delete'; by: string; channelId: string; roleId: string }
    | { type: 'channel.member'; by: string; channelId: string; userId: string; add: boolean }
    | {
        type: 'invite.create';
        by: string;
        inviteId: string;
        code: string;
        maxUses: number | null;
        expiresAt: number | null;
      }
    | { type: 'invite.delete'; by: string; inviteId: string }
    | {
        /** Messages sent while the previous batch was in flight, as one event (space.client.ts). */
        type: 'messages.send';
        items: SendItem[];
      }
    | { type: 'system.post'; messageId: string; content: string; channelId?: string }
    | {
        type: 'thread.create';
        by: string;
        channelId: string;
        threadId: string;
        title: string;
        post: Omit<NewMessage, 'mentions' | 'createdAt' | 'spaceId' | 'type' | 'threadId' | 'channelId'> & {
          mentions: string[];
        };
      }
    | {
        type: 'thread.update';
        by: string;
        channelId: string;
        threadId: string;
        title?: string;
        isPinned?: boolean;
        isLocked?: boolean;
      }
    | { type: 'thread.delete'; by: string; channelId: string; threadId: string }
    | { type: 'portal.add'; by: string | null; portalId: string; channelId: string; targetSpaceId: string }
    | {
        type: 'portal.remove';
        by: string;
        portalId: string;
        channelId: string;
        targetSpaceId: string;
        fromTarget: boolean;
      }
  );

export type SpaceEventType = SpaceEvent['type'];

/** Effects (outbox), performed by space.effects.ts in commit order. */
export type SpaceEffect =
  | { type: 'space.public'; spaceId: string; isPublic: boolean }
  | { type: 'space.deleted'; spaceId: string; memberIds: string[] }
  | { type: 'member.added'; spaceId: string; userId: string; code: string | null; joinedAt: number }
  | {
      type: 'member.removed';
      spaceId: string;
      userId: string;
      channelIds: string[];
      reason: 'left' | 'kicked' | 'banned';
    }
  | { type: 'invite.used'; spaceId: string; code: string; uses: number }
  | {
      type: 'ban.added';
      spaceId: string;
      userId: string;
      by: string;
      reason: string | null;
      createdAt: number;
    }
  | { type: 'ban.removed'; spaceId: string; userId: string }
  | { type: 'member.roles'; spaceId: string; userId: string; roleIds: string[] }
  | {
      type: 'role.upsert';
      spaceId: string;
      roleId: string;
      row: Partial<RoleRow>;
      permissions?: string;
      createdAt: number;
      isNew: boolean;
    }
  | { type: 'role.deleted'; spaceId: string; roleId: string }
  | {
      type: 'channel.upsert';
      spaceId: string;
      channelId: string;
      isNew: boolean;
      channelType?: ChannelType;
      isPrivate?: boolean;
      row: Partial<ChannelRow>;
      memberIds: string[];
      overrides: Array<{ roleId: string; allow: string; deny: string }>;
      createdAt: number;
    }
  | { type: 'channel.deleted'; spaceId: string; channelId: string }
  | {
      type: 'override.upsert';
      spaceId: string;
      channelId: string;
      roleId: string;
      allow: string;
      deny: string;
    }
  | { type: 'override.deleted'; spaceId: string; channelId: string; roleId: string }
  | { type: 'channel.member'; spaceId: string; channelId: string; userId: string; add: boolean }
  | {
      type: 'invite.created';
      spaceId: string;
      inviteId: string;
      code: string;
      by: string;
      maxUses: number | null;
      expiresAt: number | null;
      createdAt: number;
    }
  | { type: 'invite.deleted'; spaceId: string; inviteId: string }
  /** To the group-commit writer; it acknowledges `ticket` to `origin` once these rows are written. */
  | { type: 'messages.write'; items: WriteItem[]; ticket: string | null; origin: string | null }
  /**
   * Sent messages (`messages.send`): written INSIDE the actor's commit (an inline write of the kind,
   * not an outbox row), then fanned out and acknowledged to `ticket` right after that commit.
   */
  | { type: 'messages.insert'; items: WriteItem[]; ticket: string | null; origin: string | null }
  | {
      type: 'thread.upsert';
      spaceId: string;
      channelId: string;
      threadId: string;
      isNew: boolean;
      by: string;
      title?: string;
      isPinned?: boolean;
      isLocked?: boolean;
      at: number;
    }
  | { type: 'thread.deleted'; spaceId: string; channelId: string; threadId: string }
  | {
      type: 'portal.added';
      spaceId: string;
      portalId: string;
      channelId: string;
      targetSpaceId: string;
      by: string | null;
      createdAt: number;
    }
  | { type: 'portal.removed'; spaceId: string; portalId: string; channelId: string; targetSpaceId: string }
  /** Publishes a workflow trigger (space.effects.ts documents the subject and shape). */
  | { type: 'trigger'; trigger: WorkflowTrigger }
  /** Last effect of an event whose caller waits for its projection: acknowledge `ticket` to `origin`. */
  | { type: 'ack'; ticket: string; origin: string };

/** One message for the writer, with who must hear of it. */
export interface WriteItem {
  message: NewMessage;
  /** Members who may see the channel (null: the whole space room). */
  audience: string[] | null;
  /** Spaces the channel is mirrored into. */
  portals: string[];
}

/**
 * A workflow trigger as the workflows feature receives it on the bus subject
 * `<NAMESPACE>.workflows.trigger.<type>` (JSON). `effectId` de-duplicates redeliveries.
 */
export type WorkflowTrigger =
  | { type: 'member_joined'; spaceId: string; userId: string; inviteCode: string | null; at: number }
  | {
      type: 'message_created';
      spaceId: string;
      channelId: string;
      messageId: string;
      userId: string | null;
      content: string;
      at: number;
    }
  | {
      type: 'image_uploaded' | 'gpx_uploaded';
      spaceId: string;
      channelId: string;
      messageId: string;
      userId: string | null;
      attachment: AttachmentRef;
      at: number;
    };

/** What every answer of the machine looks like: the data, and whether effects must be awaited. */
export interface SpaceReply<T = unknown> {
  data: T;
  wait: boolean;
}
