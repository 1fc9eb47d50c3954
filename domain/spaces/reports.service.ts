/**
 * Spec "Space Reports": reports about a user or one of their contents. One pending report per reporter
 * and reported item (a partial unique index, so a race cannot create two); a report in a space posts
 * a system message to the space's admin channel. Status moves once: pending → resolved | dismissed.
 */
import * as v from 'valibot';
import type { Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, conflict, isUniqueViolation, notFound } from '../../engine/errors.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import { snowflake, str } from './inputs.ts';
import type { ReportsTable, ReportStatus } from './tables.ts';

const optId = v.optional(v.nullable(snowflake));
export const ReportInput = v.object({
  reportedUserId: snowflake,
  spaceId: optId,
  channelId: optId,
  messageId: optId,
  dmMessageId: optId,
  conversationId: optId,
  galleryItemId: optId,
  routeId: optId,
  forumPostId: optId,
  postId: optId,
  reason: v.pipe(
    str(1, 2000),
    v.check((s) => s.trim().length > 0, 'must not be blank'),
  ),
});
export type ReportInput = v.InferOutput<typeof ReportInput>;
export const StatusInput = v.object({
  status: v.picklist(['resolved', 'dismissed'], 'must be resolved or dismissed'),
});
export const StatusQuery = v.object({ status: v.optional(v.picklist(['pending', 'resolved', 'dismissed'])) });

type ReportRow = Selectable<ReportsTable>;

function toReport(r: ReportRow & { preview?: string | null }) {
  return {
    id: r.id,
    reporterId: r.reporter_id,
    reportedUserId: r.reported_user_id,
    spaceId: r.space_id,
    channelId: r.channel_id,
    messageId: r.message_id,
    dmMessageId: r.dm_message_id,
    conversationId: r.conversation_id,
    galleryItemId: r.gallery_item_id,
    routeId: r.route_id,
    forumPostId: r.forum_post_id,
    postId: r.post_id,
    contentType: r.content_type,
    reason: r.reason,
    status: r.status,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at ? r.resolved_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    ...(r.preview !== undefined ? { messagePreview: r.preview } : {}),
  };
}

/** What the report is about: the first content id present, else the conversation, else the user. */
function contentOf(i: ReportInput): { type: string | null; key: string } {
  if (i.galleryItemId) return { type: 'gallery', key: `gallery:${i.galleryItemId}` };
  if (i.routeId) return { type: 'route', key: `route:${i.routeId}` };
  if (i.forumPostId) return { type: 'forum_post', key: `forum_post:${i.forumPostId}` };
  if (i.postId) return { type: 'post', key: `post:${i.postId}` };
  if (i.messageId) return { type: null, key: `message:${i.messageId}` };
  if (i.dmMessageId) return { type: null, key: `dm:${i.dmMessageId}` };
  if (i.conversationId) return { type: null, key: `conversation:${i.conversationId}:${i.reportedUserId}` };
  return { type: null, key: `user:${i.reportedUserId}${i.spaceId ? `:space:${i.spaceId}` : ''}` };
}

export class ReportsService {
  constructor(private readonly d: SpacesDeps) {}

  async create(db: Db, userId: string, input: ReportInput) {
    if (input.reportedUserId === userId) throw badRequest('You cannot report yourself');
    const users = await db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', 'in', [userId, input.reportedUserId])
      .execute();
    const reported = users.find((u) => u.id === input.reportedUserId);
    if (!reported) throw notFound('Reported user not found');
    if (input.spaceId) {
      const s = await db.selectFrom('spaces').select('id').where('id', '=', input.spaceId).executeTakeFirst();
      if (!s) throw notFound('Space not found');
    }
    const { type, key } = contentOf(input);
    let row: ReportRow;
    try {
      row = await db
        .insertInto('reports')
        .values({
          id: this.d.ports.ids.next(),
          reporter_id: userId,
          reported_user_id: input.reportedUserId,
          space_id: input.spaceId ?? null,
          channel_id: input.channelId ?? null,
          message_id: input.messageId ?? null,
          dm_message_id: input.dmMessageId ?? null,
          conversation_id: input.conversationId ?? null,
          gallery_item_id: input.galleryItemId ?? null,
          route_id: input.routeId ?? null,
          forum_post_id: input.forumPostId ?? null,
          post_id: input.postId ?? null,
          content_type: type,
          content_key: key,
          reason: input.reason,
          created_at: new Date(this.d.ports.clock.now()),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('You already have an active report about this');
      throw err;
    }
    if (input.spaceId) {
      const by = users.find((u) => u.id === userId)?.username ?? userId;
      const what = type ?? (input.messageId ? 'message' : 'user');
      const content = `Report ${row.id}: @${by} reported @${reported.username} (${what}): ${input.reason.slice(0, 500)}`;
      await this.d.actors.askWithMessageId(input.spaceId, (messageId) => ({
        type: 'system.post',
        messageId,
        content,
      }));
    }
    return toReport(row);
  }

  private async listWhere(db: Db, spaceId: string | null, status: ReportStatus | undefined) {
    let q = db
      .selectFrom('reports as r')
      .leftJoin('messages as m', (j) =>
        j.on((eb) => eb('m.id', '=', eb.fn.coalesce('r.message_id', 'r.forum_post_id'))),
      )
      .selectAll('r')
      .select('m.content as preview');
    if (spaceId !== null) q = q.where('r.space_id', '=', spaceId);
    if (status) q = q.where('r.status', '=', status);
    const rows = await q.orderBy('r.id', 'desc').limit(500).execute();
    return rows.map((r) => toReport({ ...r, preview: r.preview === null ? null : r.preview.slice(0, 200) }));
  }

  async listForSpace(db: Db, userId: string, spaceId: string, status?: ReportStatus) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_MEMBERS });
    return this.listWhere(db, spaceId, status);
  }

  async listAll(db: Db, status?: ReportStatus) {
    return this.listWhere(db, null, status);
  }

  /** pending → resolved | dismissed, once (409 for a report already handled). */
  async setStatus(
    db: Db,
    userId: string,
    reportId: string,
    status: 'resolved' | 'dismissed',
    spaceId: string | null,
  ) {
    if (spaceId !== null) await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_MEMBERS });
    let q = db.selectFrom('reports').selectAll().where('id', '=', reportId);
    if (spaceId !== null) q = q.where('space_id', '=', spaceId);
    const cur = await q.executeTakeFirst();
    if (!cur) throw notFound('Report not found');
    const row = await db
      .updateTable('reports')
      .set({ status, resolved_by: userId, resolved_at: new Date(this.d.ports.clock.now()) })
      .where('id', '=', reportId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict(`Report is already ${cur.status}`);
    return toReport(row);
  }
}
