/**
 * Spec "Direct Messages" (REST), and the dm:send socket command. dm:join and dm:typing are the
 * gateway's own commands; they ask the `dm` room access registered here (accepted members only).
 */
import type * as v from 'valibot';
import { schema } from '../../domain/conversations/index.ts';
import { MAX_FILES, MAX_VIDEO_BYTES } from '../../domain/conversations/messages.service.ts';
import { created, me, noContent, Reply, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const C = '/conversations/:conversationId';
const M = `${C}/messages/:messageId`;

export function registerConversationsRoutes(r: Router, { services }: RouteDeps): void {
  const { conversations, messages } = services.dms;
  const cid = (ctx: Ctx) => id(ctx, 'conversationId');
  const mid = (ctx: Ctx) => id(ctx, 'messageId');
  const emoji = (ctx: Ctx) => parse(schema.Emoji, ctx.params.emoji, 'emoji');
  const files = (ctx: Ctx) =>
    (ctx.multipart?.files ?? []).filter((f) => f.field === 'files' || f.field === 'files[]');

  // ---- conversations ----
  r.get('/conversations', async (ctx) => conversations.list(me(ctx).id));
  r.get('/conversations/requests', async (ctx) => conversations.requests(me(ctx).id));
  r.get('/conversations/unreads', async (ctx) => conversations.unreads(me(ctx).id));
  r.post('/conversations/with/:userId', { body: 'json-or-empty' }, async (ctx) => {
    const out = await conversations.open(me(ctx).id, id(ctx, 'userId'));
    return out.created ? created(out.conversation) : out.conversation;
  });
  r.post('/conversations/groups', async (ctx) => {
    const input = body(ctx, schema.GroupInput);
    return created(await conversations.createGroup(me(ctx).id, input.name ?? null, input.participantIds));
  });
  r.post(`${C}/accept`, { body: 'json-or-empty' }, async (ctx) =>
    conversations.change(me(ctx).id, cid(ctx), { type: 'accept', by: me(ctx).id }),
  );
  r.post(`${C}/decline`, { body: 'json-or-empty' }, async (ctx) =>
    conversations.change(me(ctx).id, cid(ctx), { type: 'decline', by: me(ctx).id }),
  );
  r.post(`${C}/members`, async (ctx) =>
    conversations.addMembers(me(ctx).id, cid(ctx), body(ctx, schema.AddMembersInput).userIds),
  );
  r.delete(`${C}/members/me`, { body: 'json-or-empty' }, async (ctx) => {
    await conversations.change(me(ctx).id, cid(ctx), { type: 'leave', by: me(ctx).id });
    return noContent();
  });
  r.patch(C, async (ctx) =>
    conversations.change(me(ctx).id, cid(ctx), {
      type: 'rename',
      by: me(ctx).id,
      name: body(ctx, schema.RenameInput).name,
    }),
  );
  r.put(`${C}/read`, { body: 'json-or-empty' }, async (ctx) => {
    await conversations.change(me(ctx).id, cid(ctx), { type: 'read', by: me(ctx).id });
    return noContent();
  });
  r.put(`${C}/mute`, { body: 'json-or-empty' }, async (ctx) => {
    await conversations.change(me(ctx).id, cid(ctx), { type: 'mute', by: me(ctx).id, muted: true });
    return noContent();
  });
  r.delete(`${C}/mute`, { body: 'json-or-empty' }, async (ctx) => {
    await conversations.change(me(ctx).id, cid(ctx), { type: 'mute', by: me(ctx).id, muted: false });
    return noContent();
  });
  r.delete(C, { body: 'json-or-empty' }, async (ctx) => {
    await conversations.remove(me(ctx).id, cid(ctx));
    return noContent();
  });

  // ---- messages ----
  r.get(`${C}/messages`, async (ctx) =>
    messages.list(me(ctx).id, cid(ctx), query(ctx, schema.MessagesQuery)),
  );
  r.post(`${C}/messages`, async (ctx) =>
    created(await messages.send(me(ctx).id, cid(ctx), body(ctx, schema.SendInput).content)),
  );
  const upload = { body: 'multipart' as const, maxFiles: MAX_FILES, maxFileBytes: MAX_VIDEO_BYTES };
  r.post(`${C}/messages/upload`, upload, async (ctx) => {
    const fields = parse(schema.UploadFields, ctx.multipart?.fields ?? {}, 'form');
    const attachments = await messages.storeFiles(files(ctx));
    return created(await messages.send(me(ctx).id, cid(ctx), fields.content ?? '', attachments));
  });
  r.post(`${M}/attachments`, upload, async (ctx) =>
    messages.addAttachments(me(ctx).id, cid(ctx), mid(ctx), files(ctx)),
  );
  r.patch(M, async (ctx) =>
    messages.edit(me(ctx).id, cid(ctx), mid(ctx), body(ctx, schema.EditInput).content),
  );
  r.delete(M, { body: 'json-or-empty' }, async (ctx) => {
    await messages.remove(me(ctx), cid(ctx), mid(ctx));
    return noContent();
  });
  r.put(`${M}/reactions/:emoji`, { body: 'json-or-empty' }, async (ctx) =>
    messages.react(me(ctx).id, cid(ctx), mid(ctx), emoji(ctx), true),
  );
  r.delete(`${M}/reactions/:emoji`, { body: 'json-or-empty' }, async (ctx) => {
    await messages.react(me(ctx).id, cid(ctx), mid(ctx), emoji(ctx), false);
    return new Reply(204, undefined);
  });

  // ---- sockets ----
  services.realtime.access.register({
    prefix: 'dm',
    roomsOf: (userId) => conversations.roomsOf(userId),
    canJoin: (userId, room) => conversations.canJoin(userId, room),
  });
  services.realtime.command(
    'dm:send',
    schema.SocketSendInput,
    (user, d: v.InferOutput<typeof schema.SocketSendInput>) =>
      messages.send(user.id, d.conversationId, d.content),
    { rateLimit: { limit: 20, windowMs: 5000 } },
  );
}
