/**
 * Spec "Messages", "Reactions", "Pins", "Threads (Message Replies)", the socket command `message:send`,
 * and the realtime gateway's access to `space:`, `channel:` and `thread:` rooms (and guest visits).
 */
import * as v from 'valibot';
import { checkFiles, MAX_FILES, MAX_VIDEO_BYTES, storeFiles } from '../../domain/messages/uploads.ts';
import {
  EditInput,
  emoji,
  ListQuery,
  MAX_CONTENT,
  SendInput,
} from '../../domain/messages/messages.schema.ts';
import { created, me, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse, query, snowflake, str } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const UploadFields = v.object({
  content: v.optional(str(0, MAX_CONTENT), ''),
  replyToId: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => (s === '' ? null : s)),
      v.nullable(snowflake),
    ),
  ),
});

export function registerSpaceMessagesRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { messages } = services.spaces;
  const M = '/channels/:channelId/messages';
  const files = (ctx: Ctx) => {
    const list = (ctx.multipart?.files ?? []).map((f) => ({
      filename: f.filename,
      mimeType: f.mimeType,
      data: f.data,
    }));
    checkFiles(list);
    return storeFiles(engine.storage, engine.ids, list);
  };
  const upload = { body: 'multipart' as const, maxFiles: MAX_FILES, maxFileBytes: MAX_VIDEO_BYTES };
  const emojiParam = (ctx: Ctx) => parse(emoji, ctx.params['emoji'], 'emoji');

  r.get(M, async (ctx) => messages.list(db, me(ctx).id, id(ctx, 'channelId'), query(ctx, ListQuery)));
  r.post(M, async (ctx) =>
    created(await messages.send(db, me(ctx).id, id(ctx, 'channelId'), body(ctx, SendInput))),
  );
  r.post(`${M}/upload`, upload, async (ctx) => {
    const fields = parse(UploadFields, ctx.multipart?.fields ?? {}, 'fields');
    const channelId = id(ctx, 'channelId');
    await messages.checkUpload(db, me(ctx).id, channelId);
    const attachments = await files(ctx);
    return created(
      await messages.send(db, me(ctx).id, channelId, {
        content: fields.content,
        replyToId: fields.replyToId ?? null,
        attachments,
      }),
    );
  });
  r.patch(`${M}/:messageId`, async (ctx) =>
    messages.edit(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), body(ctx, EditInput).content),
  );
  r.delete(`${M}/:messageId`, async (ctx) => {
    await messages.remove(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'));
  });
  r.post(`${M}/:messageId/attachments`, upload, async (ctx) =>
    messages.addAttachments(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), await files(ctx)),
  );
  r.put(`${M}/:messageId/reactions/:emoji`, { body: 'json-or-empty' }, async (ctx) =>
    messages.react(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), emojiParam(ctx), true),
  );
  r.delete(`${M}/:messageId/reactions/:emoji`, async (ctx) =>
    messages.react(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), emojiParam(ctx), false),
  );
  r.get('/channels/:channelId/pins', async (ctx) => messages.pins(db, me(ctx).id, id(ctx, 'channelId')));
  r.put(`${M}/:messageId/pin`, { body: 'json-or-empty' }, async (ctx) =>
    messages.pin(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), true),
  );
  r.delete(`${M}/:messageId/pin`, async (ctx) =>
    messages.pin(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId'), false),
  );
  r.get(`${M}/:messageId/thread`, async (ctx) =>
    messages.thread(db, me(ctx).id, id(ctx, 'channelId'), id(ctx, 'messageId')),
  );

  // ---- realtime ----
  const gw = services.realtime;
  const rooms = services.spaces.rooms;
  gw.command(
    'message:send',
    v.object({
      channelId: snowflake,
      content: str(0, MAX_CONTENT),
      replyToId: v.optional(v.nullable(snowflake)),
    }),
    (user, d) =>
      messages.send(db, user.id, d.channelId, { content: d.content, replyToId: d.replyToId ?? null }),
  );
  gw.access.register({
    prefix: 'space',
    roomsOf: async (userId) => (await rooms.spacesOf(userId)).map((s) => `space:${s}`),
    canJoin: (userId, room) => rooms.isMember(userId, room.slice('space:'.length)),
  });
  gw.access.register({
    prefix: 'channel',
    canJoin: (userId, room) => rooms.canViewChannel(userId, room.slice('channel:'.length)),
  });
  gw.access.register({
    prefix: 'thread',
    canJoin: (userId, room) => rooms.canViewThread(userId, room.slice('thread:'.length)),
  });
  gw.setGuestVisitPolicy({ canVisit: rooms.canVisit, canKickGuests: rooms.canKickGuests });
}
