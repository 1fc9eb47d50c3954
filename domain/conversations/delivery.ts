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
/** The notify work of many batches (also the `dm.notify` job of earlier versions; one batch is the oldest shape). */
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
  const notifyQueue = new NotifyFolder((batches) => notifyRecipients(d, { batches }));
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
    // Notifications and pushes of many conversations are written together (NotifyFolder): the
    // effect is done once they are stored. (dm:new left with the commit, so nothing waits on this.)
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
 * Group commit for notifications: the notify batches of many conversations are written together,
 * in a constant number of statements (notifyRecipients). While one flush runs, new batches queue;
 * the next flush takes them all, so a busy node writes fewer, larger batches and an idle one writes
 * at once. Each caller resolves once the flush holding its batch is done, so the outbox row of its
 * effect is deleted only after its notifications are stored (a failure is retried by the relay).
 */
export class NotifyFolder {
  private pending: Array<{ batch: NotifyBatch; done: (err?: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly run: (batches: NotifyBatch[]) => Promise<void>,
    private readonly max = 500,
  ) {}

  add(batch: NotifyBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (this.running) return;
      this.running = true;
      // Let the deliveries of this turn join the first flush.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const items = this.pending.splice(0, this.max);
        try {
          await this.run(items.map((i) => i.batch));
          for (const i of items) i.done();
        } catch (err) {
          for (const i of items) i.done(err ?? new Error('notify failed'));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

type NotifyDeps = Pick<DeliveryDeps, 'db' | 'notifier' | 'push'>;

/** One recipient's `dm` notification (and push) for one conversation's batch. */
interface Note {
  userId: string;
  conversationId: string;
  effectId: string;
  data: {
    conversationId: string;
    messageId: string;
    count: number;
    authorId: string;
    authorUsername: string | null;
    authorDisplayName: string | null;
    preview: string;
  };
  title: string;
}

/**
 * The notify work of many batches (the `dm.notify` job's shape): per conversation, its batches
 * folded into one (a `dm` notification and a push per recipient, counting every message, for the
 * latest), and the whole lot written with a constant number of statements: profiles of authors the
 * messages do not carry, blocks among group members, devices, the notifier's batch.
 */
export async function notifyRecipients(d: NotifyDeps, job: NotifyJob): Promise<void> {
  const batches = 'batches' in job ? job.batches : [job];
  const byConversation = new Map<string, NotifyBatch[]>();
  for (const b of batches) {
    const list = byConversation.get(b.effect.conversationId);
    if (list) list.push(b);
    else byConversation.set(b.effect.conversationId, [b]);
  }
  const folded: NotifyBatch[] = [...byConversation.values()].map((list) => {
    const last = list[list.length - 1]!;
    return {
      effect: { ...last.effect, messages: list.flatMap((b) => b.effect.messages) },
      inserted: list.flatMap((b) => b.inserted),
      effectId: last.effectId,
    };
  });
  const notes = await notesOf(d, folded);
  if (notes.length === 0) return;
  const items = notes.map((n) => ({ userId: n.userId, type: 'dm', data: n.data }));
  // Pushes: the recipient's `dm` mobile preference (social-graph-api "Notification Preferences"),
  // only for users with a device; muted conversations never got a note. With `notifyMany` the
  // notifier answers that with the notifications, in the same statement.
  let pushable: Note[];
  if (d.notifier.notifyMany) {
    const results = await d.notifier.notifyMany(items);
    pushable = notes.filter((_, i) => results[i]?.pushTo);
  } else {
    for (const it of items) await d.notifier.notify(it.userId, it.type, it.data);
    const withDevices = await d.push.usersWithDevices([...new Set(notes.map((n) => n.userId))]);
    pushable = [];
    for (const n of notes) {
      if (!withDevices.has(n.userId)) continue;
      const allowed = d.notifier.pushAllowed?.(n.userId, 'dm', { conversationId: n.conversationId });
      if (!allowed || (await allowed)) pushable.push(n);
    }
  }
  for (const n of pushable) {
    await d.push.enqueue(
      {
        kind: 'dm',
        userIds: [n.userId],
        conversationId: n.conversationId,
        messageId: n.data.messageId,
        title: n.title,
        body: n.data.preview,
      },
      `dm:${n.effectId}:${n.userId}`,
    );
  }
}

/**
 * Who gets a `dm` note for each folded batch: accepted members who did not mute the conversation,
 * for the messages of others whose author they do not block (spec "PUT /conversations/:id/mute",
 * "Block Filtering"); the note is about the latest such message and counts them all.
 */
async function notesOf(d: NotifyDeps, folded: NotifyBatch[]): Promise<Note[]> {
  const work = folded
    .map(({ effect: e, inserted, effectId }) => {
      const fresh = new Set(inserted);
      return {
        e,
        effectId,
        messages: e.messages.filter((m) => fresh.has(m.id)),
        recipients: e.members.filter((m) => m.status === 'accepted' && !m.muted),
      };
    })
    .filter((w) => w.messages.length > 0 && w.recipients.length > 0);
  if (work.length === 0) return [];
  const missing = work.flatMap((w) => w.messages.filter((m) => !m.author).map((m) => m.authorId));
  const known = missing.length ? await profiles(d.db, missing) : new Map<string, ProfileRow>();
  // In a 1:1 a block stops the send itself; only groups can carry messages from a blocked author.
  const groupUsers = work
    .filter((w) => w.e.members.length > 2)
    .flatMap((w) => [...w.e.members.map((m) => m.userId), ...w.messages.map((m) => m.authorId)]);
  const blocks = groupUsers.length ? await blocksAmong(d.db, [...new Set(groupUsers)]) : [];
  const blocked = new Set(blocks.map((b) => `${b.blocker_id}:${b.blocked_id}`));
  const notes: Note[] = [];
  for (const { e, effectId, messages, recipients } of work) {
    for (const r of recipients) {
      const theirs = messages.filter(
        (m) => m.authorId !== r.userId && !blocked.has(`${r.userId}:${m.authorId}`),
      );
      const latest = theirs[theirs.length - 1];
      if (!latest) continue;
      const p = latest.author ? null : known.get(latest.authorId);
      const author = latest.author
        ? { username: latest.author.username, displayName: latest.author.displayName }
        : p
          ? { username: p.username, displayName: p.display_name }
          : null;
      const preview = latest.content
        ? latest.content.slice(0, PREVIEW)
        : latest.attachments.length
          ? '📎 Attachment'
          : '';
      notes.push({
        userId: r.userId,
        conversationId: e.conversationId,
        effectId,
        data: {
          conversationId: e.conversationId,
          messageId: latest.id,
          count: theirs.length,
          authorId: latest.authorId,
          authorUsername: author?.username ?? null,
          authorDisplayName: author?.displayName ?? null,
          preview,
        },
        title: author?.displayName ?? author?.username ?? 'New message',
      });
    }
  }
  return notes;
}
