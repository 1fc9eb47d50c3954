/**
 * The writer's sink (actors/space/space.writer.ts): the batch insert, then, in order, what a written
 * message announces: `message:new` to its channel room (`forum:post_created` to its thread room),
 * `channel:activity` to everyone who can see the channel (the space room, or the user rooms of a
 * private channel's audience, and the rooms of spaces it is portaled into), mention and reply
 * notifications, and workflow triggers (message_created, image_uploaded, gpx_uploaded).
 */
import type { Bus } from '../../engine/bus/index.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Logger } from '../../engine/log.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import { publishTrigger } from '../../actors/space/space.effects.ts';
import type { MessageSink, WriteJob } from '../../actors/space/space.writer.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { inlineInsert, insertBatch } from './messages.repository.ts';
import { newMessageDto, toPost } from './messages.schema.ts';

export interface DeliveryPorts {
  db: Db;
  rooms: Rooms;
  bus: Bus;
  namespace: string;
  notifier: Notifier;
  log: Logger;
}

const IMAGE = /^image\//;
const GPX = /\.gpx$/i;

export function createMessageSink(p: DeliveryPorts): MessageSink {
  return {
    insert: (jobs) => insertBatch(p.db, jobs),
    inlineInsert,
    delivered(jobs: WriteJob[]) {
      let notices: Notice[] | undefined;
      for (const job of jobs) {
        const m = job.message;
        const dto = newMessageDto(m);
        if (m.threadId) p.rooms.emit(room.thread(m.threadId), 'forum:post_created', toPost(dto));
        else p.rooms.emit(room.channel(m.channelId), 'message:new', dto);
        const activity = {
          channelId: m.channelId,
          authorId: m.authorId,
          messageId: m.id,
          spaceId: m.spaceId,
        };
        if (job.audience === null) p.rooms.emit(room.space(m.spaceId), 'channel:activity', activity);
        else for (const u of job.audience) p.rooms.emit(room.user(u), 'channel:activity', activity);
        for (const s of job.portals) p.rooms.emit(room.space(s), 'channel:activity', activity);
        if (m.type === 'system') continue;
        const targets = notifyTargets(job);
        if (targets.length) (notices ??= []).push({ job, targets });
        const base = {
          spaceId: m.spaceId,
          channelId: m.channelId,
          messageId: m.id,
          userId: m.authorId,
          at: m.createdAt,
        };
        publishTrigger(
          p.bus,
          p.namespace,
          { type: 'message_created', ...base, content: m.content },
          `message:${m.id}`,
        );
        for (const a of m.attachments) {
          const type = IMAGE.test(a.mimeType)
            ? 'image_uploaded'
            : GPX.test(a.filename)
              ? 'gpx_uploaded'
              : null;
          if (type)
            publishTrigger(p.bus, p.namespace, { type, ...base, attachment: a }, `message:${m.id}:${a.id}`);
        }
      }
      if (notices)
        void notifyBatch(p, notices).catch((err: unknown) =>
          p.log.warn({ err: (err as Error).message }, 'message notifications failed'),
        );
    },
  };
}

interface Notice {
  job: WriteJob;
  /** Users to tell (mentioned or replied to), the author excluded. */
  targets: string[];
}

function notifyTargets(job: WriteJob): string[] {
  const m = job.message;
  const replyTo = m.replyTo?.author?.id;
  if (!m.mentions.length && !replyTo) return [];
  return [...new Set([...m.mentions, ...(replyTo ? [replyTo] : [])])].filter((u) => u !== m.authorId);
}

/**
 * Mention and reply notifications of one written batch, in message order: the member settings of
 * every target are read with ONE query per space for the whole batch (not one per message).
 */
async function notifyBatch(p: DeliveryPorts, notices: Notice[]): Promise<void> {
  const bySpace = new Map<string, Set<string>>();
  for (const n of notices) {
    let users = bySpace.get(n.job.message.spaceId);
    if (!users) bySpace.set(n.job.message.spaceId, (users = new Set()));
    for (const u of n.targets) users.add(u);
  }
  // Space member settings (spec "Space Member Settings"): muteAll / muteMentions silence these.
  const silent = new Set<string>();
  for (const [spaceId, users] of bySpace) {
    const muted = await p.db
      .selectFrom('space_member_settings')
      .select(['user_id', 'settings'])
      .where('space_id', '=', spaceId)
      .where('user_id', 'in', [...users])
      .execute();
    for (const r of muted)
      if (r.settings['muteAll'] || r.settings['muteMentions']) silent.add(`${spaceId}:${r.user_id}`);
  }
  for (const { job } of notices) {
    try {
      await notifyOne(p, job, (u) => silent.has(`${job.message.spaceId}:${u}`));
    } catch (err) {
      p.log.warn({ err: (err as Error).message, messageId: job.message.id }, 'message notifications failed');
    }
  }
}

async function notifyOne(p: DeliveryPorts, job: WriteJob, isSilent: (u: string) => boolean): Promise<void> {
  const m = job.message;
  const data = {
    spaceId: m.spaceId,
    channelId: m.channelId,
    messageId: m.id,
    threadId: m.threadId,
    authorId: m.authorId,
    author: m.author,
    preview: m.content.slice(0, 200),
  };
  const opts = m.authorId ? { actorId: m.authorId } : {};
  const replyTo = m.replyTo?.author?.id;
  const told = new Set<string>();
  for (const u of m.mentions) {
    if (u === m.authorId || told.has(u) || isSilent(u)) continue;
    told.add(u);
    await p.notifier.notify(u, 'mention', data, opts);
  }
  if (replyTo && replyTo !== m.authorId && !told.has(replyTo) && !isSilent(replyTo))
    await p.notifier.notify(replyTo, 'reply', data, opts);
}
