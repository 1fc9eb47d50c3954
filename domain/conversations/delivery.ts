/**
 * What the conversation actor's effects do, over the db, the room fan-out, notifications and push
 * (bound as the actor's ConversationPorts at the composition root).
 *
 * Rooms: message events (dm:new, dm:updated, ...) go to `dm:<id>`, which only members who accepted
 * are in (the access provider, and the room moves below); membership events go to each member's
 * `user:<id>` room, so a pending recipient sees the request (conversation:created) and no messages.
 */
import type { Db } from '../../engine/db/index.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import type { Jobs } from '../../engine/jobs/index.ts';
import type { ConversationEffect } from '../../actors/conversation/conversation.events.ts';
import type { ConversationPorts } from '../../actors/conversation/conversation.effects.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { PushService } from '../devices/push.service.ts';
import {
  applyView,
  blocksAmong,
  deleteConversationRows,
  profiles,
  type ProfileRow,
} from './conversations.repository.ts';
import { inlineInsert, insertBatch } from './messages.repository.ts';
import { pendingToDto, toUserSummary } from './conversations.schema.ts';
import { renderView } from './presenter.ts';

type Of<T extends ConversationEffect['type']> = Extract<ConversationEffect, { type: T }>;

/** Moves every socket of a user in or out of a room, on every node (the realtime gateway). */
export interface RoomMembership {
  joinUser(userId: string, room: string): void;
  leaveUser(userId: string, room: string): void;
}

export const NOTIFY_QUEUE = 'dm.notify';
export interface NotifyBatch {
  effect: Of<'messages.persist'> | Of<'messages.deliver'>;
  inserted: string[];
  effectId: string;
}
/** One job for the deliveries of one turn (any conversations); a job of one batch is the older shape. */
export type NotifyJob = NotifyBatch | { batches: NotifyBatch[] };

export interface DeliveryDeps {
  db: Db;
  jobs: Jobs;
  rooms: Rooms;
  notifier: Notifier;
  push: PushService;
  membership: () => RoomMembership;
}

const PREVIEW = 140;

export function deliveryPorts(d: DeliveryDeps): ConversationPorts {
  const notifyQueue = new NotifyFolder((batches) =>
    d.jobs.enqueue<NotifyJob>(
      NOTIFY_QUEUE,
      { batches },
      { jobId: `dm-notify:${batches[0]!.effectId}:${batches.length}`, attempts: 3 },
    ),
  );
  return {
    async sync(view) {
      await applyView(d.db, view);
    },
    announce: (e) => announce(d, e),
    insertInline: (effects, fenced) => inlineInsert(effects, fenced),
    fanOutNow: (effects) => {
      for (const e of effects) {
        if (e.messages.every((m) => m.author)) {
          const dmRoom = room.dm(e.conversationId);
          for (const m of e.messages) d.rooms.emit(dmRoom, 'dm:new', pendingToDto(e.conversationId, m));
        } else
          void fanOut(
            d,
            e,
            e.messages.map((m) => m.id),
          ).catch(() => undefined);
      }
    },
    write: (e) => insertBatch(d.db, e.conversationId, e.messages),
    fanOut: (e, inserted) => fanOut(d, e, inserted),
    // Notifications and pushes leave through the jobs port: the next delivery does not wait for them.
    // Deliveries of the same turn (many conversations) share one job.
    notify: (e, inserted, ctx) => notifyQueue.add({ effect: e, inserted, effectId: ctx.effectId }),
    async remove(e) {
      await deleteConversationRows(d.db, e.conversationId);
      for (const u of e.members) d.membership().leaveUser(u, room.dm(e.conversationId));
    },
  };
}

async function announce(d: DeliveryDeps, e: Of<'conversation.announce'>): Promise<void> {
  const { view } = e;
  const dmRoom = room.dm(view.id);
  const audience = [...new Set([...e.created, ...e.updated, ...(e.left ? [e.left] : [])])];
  const rendered = await renderView(d.db, view, audience);
  const statusOf = new Map(view.members.map((m) => [m.userId, m.status]));
  for (const u of audience) {
    const status = statusOf.get(u);
    if (status === 'accepted') d.membership().joinUser(u, dmRoom);
    else d.membership().leaveUser(u, dmRoom);
  }
  for (const u of e.created) {
    const dto = rendered.get(u);
    if (dto) d.rooms.emit(room.user(u), 'conversation:created', dto);
  }
  for (const u of e.updated) {
    const dto = rendered.get(u);
    if (dto) d.rooms.emit(room.user(u), 'conversation:updated', dto);
  }
  if (e.left) {
    const payload = { conversationId: view.id, userId: e.left };
    const told = view.members
      .filter((m) => m.status === 'accepted' || m.status === 'pending')
      .map((m) => m.userId);
    for (const u of new Set([...told, e.left]))
      d.rooms.emit(room.user(u), 'conversation:member_left', payload);
  }
  if (e.requested.length > 0) {
    const by = (await profiles(d.db, [e.by])).get(e.by);
    for (const u of e.requested) {
      await d.notifier.notify(u, 'dm_request', {
        conversationId: view.id,
        conversationType: view.type,
        conversationName: view.name,
        fromUserId: e.by,
        fromUsername: by?.username ?? null,
        fromDisplayName: by?.display_name ?? null,
        fromAvatarUrl: by?.avatar_url ?? null,
      });
    }
  }
}

async function fanOut(
  d: DeliveryDeps,
  e: Pick<Of<'messages.persist'>, 'conversationId' | 'messages'>,
  inserted: string[],
): Promise<void> {
  // Only the messages written (a redelivered former-protocol batch: none of them).
  const fresh = new Set(inserted);
  const messages = e.messages.filter((m) => fresh.has(m.id));
  if (messages.length === 0) return;
  const missing = messages.filter((m) => !m.author).map((m) => m.authorId);
  const authors = missing.length ? await profiles(d.db, missing) : new Map<string, ProfileRow>();
  const dmRoom = room.dm(e.conversationId);
  for (const m of messages) {
    const p = authors.get(m.authorId);
    const author = m.author ?? (p ? toUserSummary(p) : undefined);
    d.rooms.emit(dmRoom, 'dm:new', pendingToDto(e.conversationId, author ? { ...m, author } : m));
  }
}

/**
 * Collects the notify batches handed to it in one turn and enqueues them as one job; each caller
 * resolves once the job holding its batch is queued (so the outbox row is deleted only then).
 */
class NotifyFolder {
  private pending: Array<{ batch: NotifyBatch; done: (err?: unknown) => void }> = [];

  constructor(private readonly enqueue: (batches: NotifyBatch[]) => Promise<void>) {}

  add(batch: NotifyBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ batch, done: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  }

  private async flush(): Promise<void> {
    const items = this.pending.splice(0, 500);
    if (this.pending.length) setImmediate(() => void this.flush());
    try {
      await this.enqueue(items.map((i) => i.batch));
      for (const i of items) i.done();
    } catch (err) {
      for (const i of items) i.done(err ?? new Error('enqueue failed'));
    }
  }
}

/**
 * The `dm.notify` job: per conversation, its batches folded into one (a `dm` notification and a
 * push per recipient, counting every message of the job, for the latest), as a group commit would.
 */
export async function notifyRecipients(
  d: Pick<DeliveryDeps, 'db' | 'notifier' | 'push'>,
  job: NotifyJob,
): Promise<void> {
  const batches = 'batches' in job ? job.batches : [job];
  const byConversation = new Map<string, NotifyBatch[]>();
  for (const b of batches) {
    const list = byConversation.get(b.effect.conversationId);
    if (list) list.push(b);
    else byConversation.set(b.effect.conversationId, [b]);
  }
  for (const list of byConversation.values()) {
    const last = list[list.length - 1]!;
    await notifyBatch(d, {
      effect: { ...last.effect, messages: list.flatMap((b) => b.effect.messages) },
      inserted: list.flatMap((b) => b.inserted),
      effectId: last.effectId,
    });
  }
}

/**
 * One conversation's batch: a `dm` notification and a push per recipient; none for muted
 * conversations or blocked authors (spec "PUT /conversations/:id/mute", "Block Filtering").
 */
async function notifyBatch(
  d: Pick<DeliveryDeps, 'db' | 'notifier' | 'push'>,
  { effect: e, inserted, effectId }: NotifyBatch,
): Promise<void> {
  const fresh = new Set(inserted);
  const messages = e.messages.filter((m) => fresh.has(m.id));
  const recipients = e.members.filter((m) => m.status === 'accepted' && !m.muted);
  if (recipients.length === 0 || messages.length === 0) return;
  const missing = messages.filter((m) => !m.author).map((m) => m.authorId);
  const known = missing.length ? await profiles(d.db, missing) : new Map<string, ProfileRow>();
  const authorOf = (m: (typeof messages)[number]) => {
    if (m.author) return { username: m.author.username, displayName: m.author.displayName };
    const p = known.get(m.authorId);
    return p ? { username: p.username, displayName: p.display_name } : null;
  };
  // In a 1:1 a block stops the send itself; only groups can carry messages from a blocked author.
  const blocks =
    e.members.length > 2
      ? await blocksAmong(d.db, [
          ...new Set([...e.members.map((m) => m.userId), ...messages.map((m) => m.authorId)]),
        ])
      : [];
  const blocked = new Set(blocks.map((b) => `${b.blocker_id}:${b.blocked_id}`));
  const withDevices = await d.push.usersWithDevices(recipients.map((r) => r.userId));
  for (const r of recipients) {
    const theirs = messages.filter(
      (m) => m.authorId !== r.userId && !blocked.has(`${r.userId}:${m.authorId}`),
    );
    const latest = theirs[theirs.length - 1];
    if (!latest) continue;
    const author = authorOf(latest);
    const preview = latest.content
      ? latest.content.slice(0, PREVIEW)
      : latest.attachments.length
        ? '📎 Attachment'
        : '';
    await d.notifier.notify(r.userId, 'dm', {
      conversationId: e.conversationId,
      messageId: latest.id,
      count: theirs.length,
      authorId: latest.authorId,
      authorUsername: author?.username ?? null,
      authorDisplayName: author?.displayName ?? null,
      preview,
    });
    // The recipient's `dm` mobile preference (social-graph-api "Notification Preferences").
    if (!withDevices.has(r.userId)) continue;
    const allowed = d.notifier.pushAllowed?.(r.userId, 'dm', { conversationId: e.conversationId });
    if (allowed && !(await allowed)) continue;
    await d.push.enqueue(
      {
        kind: 'dm',
        userIds: [r.userId],
        conversationId: e.conversationId,
        messageId: latest.id,
        title: author?.displayName ?? author?.username ?? 'New message',
        body: preview,
      },
      `dm:${effectId}:${r.userId}`,
    );
  }
}
