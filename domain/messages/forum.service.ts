/**
 * Spec "Forum Threads": threads of forum channels and their posts. A thread's opening post and every
 * later post are messages of the forum channel (with thread_id), accepted in order by the space actor
 * (CREATE_THREADS / SEND_MESSAGES; a locked thread refuses posts) and written by its writer.
 */
import type { Db } from '../../engine/db/index.ts';
import { notFound } from '../../engine/errors.ts';
import { requireChannel } from '../spaces/access.ts';
import type { SpacesDeps } from '../spaces/deps.ts';
import { listThreads, loadThreadDto, type ThreadDto, type ThreadSort } from './forum.repository.ts';
import { messageSelect, notBlockedBy, toDtos } from './messages.repository.ts';
import { toPost } from './messages.schema.ts';
import type { MessagesService } from './messages.service.ts';

export class ForumService {
  constructor(
    private readonly d: SpacesDeps,
    private readonly messages: MessagesService,
  ) {}

  private async forum(db: Db, userId: string, spaceId: string, channelId: string) {
    const v = await requireChannel(db, channelId, userId);
    if (v.channel.space_id !== spaceId || v.channel.type !== 'forum')
      throw notFound('Forum channel not found');
    return v;
  }

  private async threadIn(db: Db, channelId: string, threadId: string): Promise<ThreadDto> {
    const t = await loadThreadDto(db, threadId);
    if (!t || t.channelId !== channelId) throw notFound('Thread not found');
    return t;
  }

  async list(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    q: { before?: string | undefined; limit: number; sort: ThreadSort },
  ) {
    await this.forum(db, userId, spaceId, channelId);
    return listThreads(db, channelId, q);
  }

  async create(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    input: { title: string; content: string },
  ): Promise<ThreadDto> {
    await this.forum(db, userId, spaceId, channelId);
    const [author, mentions] = await Promise.all([
      this.messages.author(db, userId),
      this.messages.mentions(db, input.content),
    ]);
    const threadId = this.d.ports.ids.next();
    await this.d.actors.askWithMessageId(spaceId, (postId) => ({
      type: 'thread.create',
      by: userId,
      channelId,
      threadId,
      title: input.title,
      post: {
        id: postId,
        authorId: userId,
        author,
        content: input.content,
        replyToId: null,
        replyTo: null,
        attachments: [],
        mentions,
      },
    }));
    return this.threadIn(db, channelId, threadId);
  }

  async get(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    threadId: string,
  ): Promise<ThreadDto> {
    await this.forum(db, userId, spaceId, channelId);
    return this.threadIn(db, channelId, threadId);
  }

  async update(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    threadId: string,
    input: { title?: string | undefined; isPinned?: boolean | undefined; isLocked?: boolean | undefined },
  ): Promise<ThreadDto> {
    await this.forum(db, userId, spaceId, channelId);
    await this.threadIn(db, channelId, threadId);
    await this.d.actors.ask(spaceId, {
      type: 'thread.update',
      by: userId,
      channelId,
      threadId,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.isPinned !== undefined ? { isPinned: input.isPinned } : {}),
      ...(input.isLocked !== undefined ? { isLocked: input.isLocked } : {}),
    });
    return this.threadIn(db, channelId, threadId);
  }

  async remove(db: Db, userId: string, spaceId: string, channelId: string, threadId: string): Promise<void> {
    await this.forum(db, userId, spaceId, channelId);
    await this.threadIn(db, channelId, threadId);
    await this.d.actors.ask(spaceId, { type: 'thread.delete', by: userId, channelId, threadId });
  }

  /** Posts oldest first; a post replying to another carries `replyTo` { id, content, author }. */
  async posts(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    threadId: string,
    q: { after?: string | undefined; limit: number },
  ) {
    await this.forum(db, userId, spaceId, channelId);
    await this.threadIn(db, channelId, threadId);
    let query = notBlockedBy(messageSelect(db).where('m.thread_id', '=', threadId), userId);
    if (q.after) query = query.where('m.id', '>', q.after);
    const rows = await query.orderBy('m.id', 'asc').limit(q.limit).execute();
    return (await toDtos(db, rows, userId)).map(toPost);
  }

  async post(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    threadId: string,
    input: { content: string; replyToId?: string | null | undefined },
  ) {
    await this.forum(db, userId, spaceId, channelId);
    await this.threadIn(db, channelId, threadId);
    const m = await this.messages.send(db, userId, channelId, {
      content: input.content,
      replyToId: input.replyToId ?? null,
      threadId,
    });
    return toPost(m);
  }
}
