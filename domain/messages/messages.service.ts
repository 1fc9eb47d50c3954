/**
 * Spec "Messages", "Reactions", "Pins", "Threads (Message Replies)", "Space Search". Sends go through
 * the space actor (permission check and ordering) and its group-commit writer; the answer comes once
 * the row is written. Edits, deletes, reactions and pins change existing rows after a permission check
 * from the tables and announce themselves on the channel room.
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { room } from '../../engine/rooms.ts';
import { has, Permission } from '../../actors/space/permissions.ts';
import type { AttachmentRef, AuthorRef, ReplyRef } from '../../actors/space/space.events.ts';
import { requireChannel, requireSpace, loadChannelPerms, permsIn } from '../spaces/access.ts';
import type { SpacesDeps } from '../spaces/deps.ts';
import {
  findMessage,
  listChannel,
  messageSelect,
  notBlockedBy,
  reactionsOf,
  toDtos,
  type MessageJoinRow,
} from './messages.repository.ts';
import { newMessageDto, type MessageDto } from './messages.schema.ts';

const MENTION_RE = /(?:^|[^A-Za-z0-9_])@([A-Za-z0-9_-]{2,32})/g;
const AUTHOR_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

/** Small bounded caches on the send path: a channel's space never changes; author names rarely do. */
class Bounded<V> {
  private readonly m = new Map<string, V>();
  get(k: string): V | undefined {
    return this.m.get(k);
  }
  set(k: string, v: V): void {
    if (this.m.size >= CACHE_MAX) this.m.delete(this.m.keys().next().value as string);
    this.m.set(k, v);
  }
}

export interface SendInput {
  content: string;
  replyToId?: string | null | undefined;
  threadId?: string | null;
  attachments?: AttachmentRef[];
}

export class MessagesService {
  private readonly spaceOf = new Bounded<string>();
  private readonly authors = new Bounded<{ ref: AuthorRef; at: number }>();

  constructor(private readonly d: SpacesDeps) {}

  /** The space of a channel (cached: channels never move). 404 when it does not exist. */
  async channelSpace(db: Db, channelId: string): Promise<string> {
    const hit = this.spaceOf.get(channelId);
    if (hit) return hit;
    const r = await db
      .selectFrom('channels')
      .select('space_id')
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (!r) throw notFound('Channel not found');
    this.spaceOf.set(channelId, r.space_id);
    return r.space_id;
  }

  async author(db: Db, userId: string): Promise<AuthorRef> {
    const now = this.d.ports.clock.now();
    const hit = this.authors.get(userId);
    if (hit && now - hit.at < AUTHOR_TTL_MS) return hit.ref;
    const u = await db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'avatar_url'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!u) throw notFound('User not found');
    const ref = { id: u.id, username: u.username, displayName: u.display_name, avatarUrl: u.avatar_url };
    this.authors.set(userId, { ref, at: now });
    return ref;
  }

  /** `@username` mentions → user ids (the actor keeps only members who can see the channel). */
  async mentions(db: Db, content: string): Promise<string[]> {
    if (!content.includes('@')) return [];
    const names = [...new Set([...content.matchAll(MENTION_RE)].map((m) => m[1]!.toLowerCase()))].slice(
      0,
      50,
    );
    if (!names.length) return [];
    const rows = await db.selectFrom('users').select('id').where('username_lower', 'in', names).execute();
    return rows.map((r) => r.id);
  }

  /** The reply target: a message of the same channel (or the same forum thread). */
  async replyRef(db: Db, channelId: string, replyToId: string, threadId: string | null): Promise<ReplyRef> {
    const r = await findMessage(db, replyToId);
    if (!r || r.channel_id !== channelId || r.thread_id !== threadId)
      throw badRequest('replyToId must be a message of this channel');
    return {
      id: r.id,
      content: r.content,
      author:
        r.author_id && r.username
          ? { id: r.author_id, username: r.username, displayName: r.display_name ?? r.username }
          : null,
    };
  }

  /** Portal senders: the space (one the sender is a member of) this channel is mirrored into. */
  private async portalFor(db: Db, channelId: string, userId: string): Promise<string | null> {
    const v = await requireChannel(db, channelId, userId, Permission.SEND_MESSAGES).catch(() => null);
    return v?.viaPortal ?? null;
  }

  /**
   * POST /channels/:id/messages (and message:send, uploads, forum posts): accepted by the space actor,
   * written by its writer; resolves with the message as every member will see it.
   */
  async send(db: Db, userId: string, channelId: string, input: SendInput): Promise<MessageDto> {
    const attachments = input.attachments ?? [];
    if (!input.content.trim() && attachments.length === 0)
      throw badRequest('A message needs content or attachments');
    const spaceId = await this.channelSpace(db, channelId);
    const threadId = input.threadId ?? null;
    const [author, replyTo, mentions] = await Promise.all([
      this.author(db, userId),
      input.replyToId ? this.replyRef(db, channelId, input.replyToId, threadId) : Promise.resolve(null),
      this.mentions(db, input.content),
    ]);
    const message = {
      channelId,
      authorId: userId,
      author,
      content: input.content,
      replyToId: replyTo?.id ?? null,
      replyTo,
      threadId,
      attachments,
      mentions,
    };
    const ask = (viaPortal?: string) =>
      this.d.actors.send(spaceId, { by: userId, message, ...(viaPortal ? { viaPortal } : {}) });
    let accepted: { id: string; createdAt: number };
    try {
      accepted = await ask();
    } catch (err) {
      // Not a member of the channel's space: maybe a member of a space it is portaled into.
      const portal =
        (err as { code?: string }).code === 'FORBIDDEN' ? await this.portalFor(db, channelId, userId) : null;
      if (!portal) throw err;
      accepted = await ask(portal);
    }
    return newMessageDto({
      ...message,
      id: accepted.id,
      spaceId,
      type: 'default',
      createdAt: accepted.createdAt,
    });
  }

  /** GET /channels/:id/messages: cursor pages, blocked authors filtered out for this viewer. */
  async list(
    db: Db,
    userId: string,
    channelId: string,
    page: { before?: string | undefined; after?: string | undefined; limit: number },
  ) {
    await requireChannel(db, channelId, userId);
    return listChannel(db, channelId, userId, page);
  }

  private async inChannel(db: Db, channelId: string, messageId: string): Promise<MessageJoinRow> {
    const m = await findMessage(db, messageId);
    if (!m || m.channel_id !== channelId) throw notFound('Message not found');
    return m;
  }

  async dto(db: Db, messageId: string, viewerId: string | null): Promise<MessageDto> {
    const m = await findMessage(db, messageId);
    if (!m) throw notFound('Message not found');
    return (await toDtos(db, [m], viewerId))[0]!;
  }

  private async announceUpdate(
    db: Db,
    channelId: string,
    messageId: string,
    viewerId: string,
  ): Promise<MessageDto> {
    const everyone = await this.dto(db, messageId, null);
    this.d.ports.rooms.emit(room.channel(channelId), 'message:updated', everyone);
    return this.dto(db, messageId, viewerId);
  }

  /** PATCH: the author only. */
  async edit(
    db: Db,
    userId: string,
    channelId: string,
    messageId: string,
    content: string,
  ): Promise<MessageDto> {
    await requireChannel(db, channelId, userId);
    const m = await this.inChannel(db, channelId, messageId);
    if (m.author_id !== userId) throw forbidden('Only the author can edit a message');
    await db
      .updateTable('messages')
      .set({ content, edited_at: new Date(this.d.ports.clock.now()) })
      .where('id', '=', messageId)
      .execute();
    return this.announceUpdate(db, channelId, messageId, userId);
  }

  /** DELETE: the author, or MANAGE_MESSAGES in the channel. */
  async remove(db: Db, userId: string, channelId: string, messageId: string): Promise<void> {
    const v = await requireChannel(db, channelId, userId);
    const m = await this.inChannel(db, channelId, messageId);
    if (m.author_id !== userId && !has(v.perms, Permission.MANAGE_MESSAGES))
      throw forbidden("Deleting others' messages requires MANAGE_MESSAGES");
    await db.deleteFrom('messages').where('id', '=', messageId).execute();
    this.d.ports.rooms.emit(room.channel(channelId), 'message:deleted', { channelId, messageId });
  }

  /** PUT / DELETE reactions: one per emoji per user (the primary key), ADD_REACTIONS to add. */
  async react(db: Db, userId: string, channelId: string, messageId: string, emoji: string, add: boolean) {
    await requireChannel(db, channelId, userId, add ? Permission.ADD_REACTIONS : 0n);
    await this.inChannel(db, channelId, messageId);
    if (add)
      await db
        .insertInto('message_reactions')
        .values({
          message_id: messageId,
          user_id: userId,
          emoji,
          created_at: new Date(this.d.ports.clock.now()),
        })
        .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
        .execute();
    else
      await db
        .deleteFrom('message_reactions')
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId)
        .where('emoji', '=', emoji)
        .execute();
    const reactions = (await reactionsOf(db, [messageId], null)).get(messageId) ?? [];
    this.d.ports.rooms.emit(room.channel(channelId), 'message:reactions_updated', {
      channelId,
      messageId,
      reactions,
    });
    const mine = (await reactionsOf(db, [messageId], userId)).get(messageId) ?? [];
    return { channelId, messageId, reactions: mine };
  }

  async pins(db: Db, userId: string, channelId: string): Promise<MessageDto[]> {
    await requireChannel(db, channelId, userId);
    const rows = await notBlockedBy(
      messageSelect(db).where('m.channel_id', '=', channelId).where('m.pinned_at', 'is not', null),
      userId,
    )
      .orderBy('m.pinned_at', 'desc')
      .limit(100)
      .execute();
    return toDtos(db, rows, userId);
  }

  /** PUT / DELETE pin: MANAGE_MESSAGES. */
  async pin(
    db: Db,
    userId: string,
    channelId: string,
    messageId: string,
    pinned: boolean,
  ): Promise<MessageDto> {
    await requireChannel(db, channelId, userId, Permission.MANAGE_MESSAGES);
    await this.inChannel(db, channelId, messageId);
    await db
      .updateTable('messages')
      .set(
        pinned
          ? { pinned_at: new Date(this.d.ports.clock.now()), pinned_by: userId }
          : { pinned_at: null, pinned_by: null },
      )
      .where('id', '=', messageId)
      .execute();
    return this.announceUpdate(db, channelId, messageId, userId);
  }

  /** GET .../messages/:id/thread: the replies to a message, oldest first. */
  async thread(db: Db, userId: string, channelId: string, messageId: string): Promise<MessageDto[]> {
    await requireChannel(db, channelId, userId);
    await this.inChannel(db, channelId, messageId);
    const rows = await notBlockedBy(messageSelect(db).where('m.reply_to_id', '=', messageId), userId)
      .where('m.channel_id', '=', channelId)
      .orderBy('m.id', 'asc')
      .limit(500)
      .execute();
    return toDtos(db, rows, userId);
  }

  /** GET /spaces/:id/search?q=: full-text search over the channels the caller can see. */
  async search(
    db: Db,
    userId: string,
    spaceId: string,
    q: { q: string; limit: number; before?: string | undefined },
  ): Promise<MessageDto[]> {
    const a = await requireSpace(db, spaceId, userId, { member: true });
    const [channels, cp] = await Promise.all([
      db.selectFrom('channels').selectAll().where('space_id', '=', spaceId).execute(),
      loadChannelPerms(db, spaceId, userId),
    ]);
    const visible = channels.filter((c) => has(permsIn(a, c, cp), Permission.VIEW_CHANNELS)).map((c) => c.id);
    if (!visible.length) return [];
    let query = notBlockedBy(
      messageSelect(db)
        .where('m.channel_id', 'in', visible)
        .where(sql<boolean>`to_tsvector('english', m.content) @@ plainto_tsquery('english', ${q.q})`),
      userId,
    );
    if (q.before) query = query.where('m.id', '<', q.before);
    const rows = await query.orderBy('m.id', 'desc').limit(q.limit).execute();
    return toDtos(db, rows, userId);
  }

  /** Before files are stored: SEND_MESSAGES + ATTACH_FILES (the actor checks again when it accepts). */
  async checkUpload(db: Db, userId: string, channelId: string): Promise<void> {
    await requireChannel(db, channelId, userId, Permission.SEND_MESSAGES | Permission.ATTACH_FILES);
  }

  /** GET /messages/:messageId, the channel-message part: the message if the caller can see its channel. */
  async lookup(db: Db, userId: string, messageId: string): Promise<MessageDto | null> {
    const m = await findMessage(db, messageId);
    if (!m) return null;
    try {
      await requireChannel(db, m.channel_id, userId);
    } catch {
      return null;
    }
    const blocked = await db
      .selectFrom('user_blocks')
      .select('blocked_id')
      .where('blocker_id', '=', userId)
      .where('blocked_id', '=', m.author_id ?? '0')
      .executeTakeFirst();
    if (blocked) return null;
    return (await toDtos(db, [m], userId))[0] ?? null;
  }

  /** POST .../messages/:id/attachments: the author adds files (ATTACH_FILES). */
  async addAttachments(
    db: Db,
    userId: string,
    channelId: string,
    messageId: string,
    files: AttachmentRef[],
  ): Promise<MessageDto> {
    await requireChannel(db, channelId, userId, Permission.ATTACH_FILES);
    const m = await this.inChannel(db, channelId, messageId);
    if (m.author_id !== userId) throw forbidden('Only the author can add attachments to a message');
    if (m.attachments.length + files.length > 20) throw badRequest('A message holds at most 20 attachments');
    await db
      .updateTable('messages')
      .set({ attachments: JSON.stringify([...m.attachments, ...files]) })
      .where('id', '=', messageId)
      .execute();
    return this.announceUpdate(db, channelId, messageId, userId);
  }
}
