/**
 * Spec "Direct Messages", the message side. Sending goes through the conversation actor, which
 * orders the message and writes it with the other messages that arrived during the previous write
 * (group commit); the sender is answered once that write is done. Edits, deletes and reactions
 * change one existing row and need no ordering, so they go straight to the table.
 */
import path from 'node:path';
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import { snowflakeTime, type Ids } from '../../engine/ids.ts';
import type { Storage } from '../../engine/storage.ts';
import type { Logger } from '../../engine/log.ts';
import { AppError, badRequest, forbidden, notFound, payloadTooLarge } from '../../engine/errors.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import type {
  AttachmentRef,
  AuthorSummary,
  SendReply,
} from '../../actors/conversation/conversation.events.ts';
import { senderContext } from './conversations.repository.ts';
import {
  addReaction,
  deleteMessage,
  editMessage,
  messageById,
  pageOf,
  reactionsOf,
  removeReaction,
  setAttachments,
  type MessageRow,
  type Page,
} from './messages.repository.ts';
import { pendingToDto, type MessageDto } from './conversations.schema.ts';
import { renderMessages } from './presenter.ts';
import type { ConversationsService } from './conversations.service.ts';

/** Spec: at most 20 files; 100 MB for a video, 10 MB for anything else. */
export const MAX_FILES = 20;
export const MAX_VIDEO_BYTES = 100 * 1024 * 1024;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface UploadFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MessagesDeps {
  db: Db;
  ids: Ids;
  clock: Clock;
  rooms: Rooms;
  storage: Storage;
  log: Logger;
  conversations: ConversationsService;
  /** How long a send may take in all (actor, then the write of its batch). */
  sendTimeoutMs: number;
  /** How long one ask of a send may go unanswered before it is asked again (same message id). */
  attemptTimeoutMs: number;
}

const MAX_REDRAWS = 50;
/** Ask outcomes where the event may not have been handled: asked again, same message id. */
const RETRYABLE = new Set(['ACTOR_TIMEOUT', 'SERVICE_UNAVAILABLE']);

export class MessagesService {
  constructor(private readonly d: MessagesDeps) {}

  async send(
    meId: string,
    conversationId: string,
    content: string,
    attachments: AttachmentRef[] = [],
  ): Promise<MessageDto> {
    if (!content.trim() && attachments.length === 0)
      throw badRequest('A message needs content or attachments');
    const me = await senderContext(this.d.db, conversationId, meId);
    if (!me) throw notFound('Conversation not found');
    // Spec "POST .../messages": 403 when either side of a 1:1 blocked the other.
    if (me.blocked) throw forbidden('You cannot message this user');
    const author: AuthorSummary = {
      id: meId,
      username: me.username,
      displayName: me.display_name,
      avatarUrl: me.avatar_url,
      baseColor: me.base_color,
      accentColor: me.accent_color,
    };
    const deadline = performance.now() + this.d.sendTimeoutMs;
    let messageId = this.d.ids.next();
    let backoff = 25;
    for (let redraws = 0; ;) {
      let reply: SendReply;
      try {
        // The actor writes the message with the commit that accepts it: its reply means written.
        // One attempt may be lost with a node that leaves (no answer, outcome unknown): it is asked
        // again with the same id, which the actor accepts once only.
        const left = deadline - performance.now();
        reply = await this.d.conversations.ask<SendReply>(
          conversationId,
          { type: 'message.send', by: meId, messageId, content, attachments, author },
          Math.max(1, Math.min(this.d.attemptTimeoutMs, left)),
        );
      } catch (err) {
        const code = err instanceof AppError ? err.code : '';
        if (code === 'MESSAGE_ID_STALE' && redraws++ < MAX_REDRAWS) {
          // Acceptance order is id order: an id that lost a race to a newer one is drawn again.
          await waitPast(String((err as AppError).data?.lastMessageId ?? '0'), this.d.clock);
          messageId = this.d.ids.next();
          continue;
        }
        if (RETRYABLE.has(code) && performance.now() + backoff < deadline) {
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 500);
          continue;
        }
        throw err;
      }
      if (reply.message) return pendingToDto(conversationId, reply.message);
      // A duplicate (an earlier attempt was accepted, and so written): answer with the stored row.
      const row = await messageById(this.d.db, messageId);
      if (!row)
        throw new AppError('SERVICE_UNAVAILABLE', 503, 'The message was accepted; try reading it again');
      return (await renderMessages(this.d.db, [row]))[0]!;
    }
  }

  /** Store uploaded files as attachments, enforcing the spec's per-file limits. */
  async storeFiles(files: UploadFile[]): Promise<AttachmentRef[]> {
    if (files.length > MAX_FILES) throw badRequest(`At most ${MAX_FILES} files per message`);
    for (const f of files) {
      const limit = f.mimeType.startsWith('video/') ? MAX_VIDEO_BYTES : MAX_FILE_BYTES;
      if (f.data.length > limit)
        throw payloadTooLarge(`${f.filename} is larger than ${limit / (1024 * 1024)} MB`, {
          filename: f.filename,
        });
    }
    const out: AttachmentRef[] = [];
    for (const f of files) {
      const id = this.d.ids.next();
      const stored = await this.d.storage.put('dm', id, path.extname(f.filename).slice(1), f.data);
      out.push({ id, url: stored.url, filename: f.filename, mimeType: f.mimeType, size: stored.size });
    }
    return out;
  }

  /** Members read the history; so does a pending recipient (the request shows its messages). */
  async list(meId: string, conversationId: string, page: Page): Promise<MessageDto[]> {
    const m = await this.d.conversations.requireMember(conversationId, meId);
    if (m.status === 'left' || m.status === 'declined') throw notFound('Conversation not found');
    return renderMessages(this.d.db, await pageOf(this.d.db, conversationId, meId, page));
  }

  /** A message of a conversation the caller is in (any state but declined/left: 404 otherwise). */
  async visible(meId: string, messageId: string): Promise<MessageRow | null> {
    const row = await messageById(this.d.db, messageId);
    if (!row) return null;
    const m = await this.d.conversations.requireMember(row.conversation_id, meId).catch(() => null);
    if (!m || m.status === 'declined' || m.status === 'left') return null;
    return row;
  }

  /** GET /messages/:messageId, the DM part. */
  async lookup(meId: string, messageId: string): Promise<MessageDto | null> {
    const row = await this.visible(meId, messageId);
    if (!row) return null;
    return (await renderMessages(this.d.db, [row]))[0] ?? null;
  }

  private async own(meId: string, conversationId: string, messageId: string): Promise<MessageRow> {
    await this.d.conversations.requireMember(conversationId, meId);
    const row = await messageById(this.d.db, messageId);
    if (!row || row.conversation_id !== conversationId) throw notFound('Message not found');
    return row;
  }

  async edit(meId: string, conversationId: string, messageId: string, content: string): Promise<MessageDto> {
    const row = await this.own(meId, conversationId, messageId);
    if (row.author_id !== meId) throw forbidden('Only the author can edit a message');
    await editMessage(this.d.db, messageId, content, new Date(this.d.clock.now()));
    return this.announceUpdated(messageId);
  }

  async addAttachments(
    meId: string,
    conversationId: string,
    messageId: string,
    files: UploadFile[],
  ): Promise<MessageDto> {
    const row = await this.own(meId, conversationId, messageId);
    if (row.author_id !== meId) throw forbidden('Only the author can add attachments');
    if (files.length === 0) throw badRequest('No files');
    if (row.attachments.length + files.length > MAX_FILES)
      throw badRequest(`At most ${MAX_FILES} files per message`);
    const added = await this.storeFiles(files);
    await setAttachments(this.d.db, messageId, [...row.attachments, ...added]);
    return this.announceUpdated(messageId);
  }

  private async announceUpdated(messageId: string): Promise<MessageDto> {
    const row = await messageById(this.d.db, messageId);
    if (!row) throw notFound('Message not found');
    const [dto] = await renderMessages(this.d.db, [row]);
    this.d.rooms.emit(room.dm(row.conversation_id), 'dm:updated', dto);
    return dto!;
  }

  /** Author deletes own; a global admin deletes any (spec). */
  async remove(
    me: { id: string; isAdmin: boolean },
    conversationId: string,
    messageId: string,
  ): Promise<void> {
    const row = me.isAdmin
      ? await messageById(this.d.db, messageId).then((r) =>
          r?.conversation_id === conversationId ? r : undefined,
        )
      : await this.own(me.id, conversationId, messageId);
    if (!row) throw notFound('Message not found');
    if (row.author_id !== me.id && !me.isAdmin) throw forbidden('Only the author can delete a message');
    await deleteMessage(this.d.db, messageId);
    this.d.rooms.emit(room.dm(conversationId), 'dm:deleted', { conversationId, messageId });
  }

  async react(meId: string, conversationId: string, messageId: string, emoji: string, add: boolean) {
    const m = await this.d.conversations.requireMember(conversationId, meId);
    if (m.status !== 'accepted') throw forbidden('Accept the message request first');
    const row = await messageById(this.d.db, messageId);
    if (!row || row.conversation_id !== conversationId) throw notFound('Message not found');
    if (add) await addReaction(this.d.db, messageId, meId, emoji, new Date(this.d.clock.now()));
    else await removeReaction(this.d.db, messageId, meId, emoji);
    const reactions = (await reactionsOf(this.d.db, [messageId])).get(messageId) ?? [];
    const payload = { conversationId, messageId, reactions };
    this.d.rooms.emit(room.dm(conversationId), 'dm:reactions_updated', payload);
    return payload;
  }
}

/** A redrawn id must be newer than the actor's newest: wait out a clock that is behind it. */
async function waitPast(lastMessageId: string, clock: Clock): Promise<void> {
  const behind = snowflakeTime(lastMessageId).getTime() - clock.now();
  if (behind >= 0) await new Promise((r) => setTimeout(r, Math.min(behind + 1, 50)));
}
