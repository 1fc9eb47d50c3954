/** Spec "Unread Tracking", "Channel Categories" and "Space Entry" (one round trip into a space). */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { forbidden, notFound } from '../../engine/errors.ts';
import { snowflakeAt } from '../../engine/ids.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { requireChannel, requireSpace, type SpaceAccess } from '../spaces/access.ts';
import type { SpacesDeps } from '../spaces/deps.ts';
import { listChannel } from '../messages/messages.repository.ts';
import type { MessageDto } from '../messages/messages.schema.ts';
import type { ChannelsService } from './channels.service.ts';
import { toCategory, type CategoryDto, type ChannelDto } from './channels.schema.ts';

export type Unreads = Record<string, { unreadCount: number; mentionCount: number }>;

export class EntryService {
  constructor(
    private readonly d: SpacesDeps,
    private readonly channels: ChannelsService,
  ) {}

  /** POST /spaces/:id/channels/:channelId/read { messageId }: the read marker only moves forward. */
  async markRead(db: Db, userId: string, spaceId: string, channelId: string, messageId: string) {
    const v = await requireChannel(db, channelId, userId);
    if (v.channel.space_id !== spaceId && v.viaPortal !== spaceId) throw notFound('Channel not found');
    await sql`insert into channel_reads (user_id, channel_id, last_read_id) values (${userId}, ${channelId}, ${messageId})
      on conflict (user_id, channel_id) do update set last_read_id = greatest(channel_reads.last_read_id, excluded.last_read_id)`.execute(
      db,
    );
    return { channelId, lastReadId: messageId };
  }

  /**
   * Unread and mention counts per channel: messages after the read marker (or after the member joined,
   * for a channel never read), not the caller's own, not from users the caller blocked.
   */
  async countsFor(db: Db, a: SpaceAccess, channelIds: string[]): Promise<Unreads> {
    const out: Unreads = {};
    if (!channelIds.length) return out;
    let since = '0';
    if (a.isMember) {
      const m = await db
        .selectFrom('space_members')
        .select('joined_at')
        .where('space_id', '=', a.space.id)
        .where('user_id', '=', a.subject.userId)
        .executeTakeFirst();
      if (m) since = snowflakeAt(m.joined_at.getTime());
    }
    const me = a.subject.userId;
    const r = await sql<{ id: string; unread: string; mentions: string }>`
      select c.id,
        (select count(*) from messages m where m.channel_id = c.id and m.thread_id is null
           and m.id > coalesce(r.last_read_id, ${since}::bigint) and m.author_id is distinct from ${me}::bigint
           and not exists (select 1 from user_blocks b where b.blocker_id = ${me} and b.blocked_id = m.author_id)) as unread,
        (select count(*) from message_mentions mm where mm.user_id = ${me} and mm.channel_id = c.id
           and mm.message_id > coalesce(r.last_read_id, ${since}::bigint)) as mentions
      from channels c left join channel_reads r on r.channel_id = c.id and r.user_id = ${me}
      where c.id = any(${`{${channelIds.join(',')}}`}::bigint[])`.execute(db);
    for (const x of r.rows) out[x.id] = { unreadCount: Number(x.unread), mentionCount: Number(x.mentions) };
    return out;
  }

  /** GET /spaces/:id/channels/unreads: keyed by channel id, for every channel the caller can see. */
  async unreads(db: Db, userId: string, spaceId: string): Promise<Unreads> {
    const a = await requireSpace(db, spaceId, userId, { member: true });
    const visible = await this.channels.visible(db, a);
    return this.countsFor(
      db,
      a,
      visible.map((c) => c.id),
    );
  }

  // ---- categories ----

  async categories(db: Db, userId: string, spaceId: string): Promise<CategoryDto[]> {
    await requireSpace(db, spaceId, userId, { view: true });
    return this.categoriesOf(db, spaceId);
  }

  private async categoriesOf(db: Db, spaceId: string): Promise<CategoryDto[]> {
    const rows = await db
      .selectFrom('channel_categories')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map(toCategory);
  }

  async createCategory(db: Db, userId: string, spaceId: string, name: string): Promise<CategoryDto> {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    const max = await db
      .selectFrom('channel_categories')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    const row = await db
      .insertInto('channel_categories')
      .values({
        id: this.d.ports.ids.next(),
        space_id: spaceId,
        name,
        position: Number(max?.p ?? -1) + 1,
        created_at: new Date(this.d.ports.clock.now()),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(row);
  }

  async updateCategory(
    db: Db,
    userId: string,
    spaceId: string,
    categoryId: string,
    input: { name?: string | undefined; position?: number | undefined },
  ) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    const set = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
    };
    const q = db
      .updateTable('channel_categories')
      .where('id', '=', categoryId)
      .where('space_id', '=', spaceId);
    const row = Object.keys(set).length
      ? await q.set(set).returningAll().executeTakeFirst()
      : await db
          .selectFrom('channel_categories')
          .selectAll()
          .where('id', '=', categoryId)
          .where('space_id', '=', spaceId)
          .executeTakeFirst();
    if (!row) throw notFound('Category not found');
    return toCategory(row);
  }

  async reorderCategories(
    db: Db,
    userId: string,
    spaceId: string,
    items: Array<{ categoryId: string; position: number }>,
  ) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    await db.transaction().execute(async (trx) => {
      for (const i of items)
        await trx
          .updateTable('channel_categories')
          .set({ position: i.position })
          .where('id', '=', i.categoryId)
          .where('space_id', '=', spaceId)
          .execute();
    });
    return this.categoriesOf(db, spaceId);
  }

  /** Channels of a deleted category stay, uncategorised (on delete set null). */
  async deleteCategory(db: Db, userId: string, spaceId: string, categoryId: string): Promise<void> {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    const r = await db
      .deleteFrom('channel_categories')
      .where('id', '=', categoryId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound('Category not found');
  }

  /**
   * GET /spaces/:id/enter: channels, categories, unreads and the last 50 messages of one channel (the
   * requested one, else the first visible non-admin channel), in one response.
   */
  async enter(db: Db, userId: string, spaceId: string, channelId: string | undefined) {
    const a = await requireSpace(db, spaceId, userId, { view: true });
    const channels: ChannelDto[] = await this.channels.visible(db, a);
    const [categories, unreads] = await Promise.all([
      this.categoriesOf(db, spaceId),
      a.isMember
        ? this.countsFor(
            db,
            a,
            channels.map((c) => c.id),
          )
        : Promise.resolve({} as Unreads),
    ]);
    let target: string | null;
    if (channelId !== undefined) {
      if (!channels.some((c) => c.id === channelId)) throw forbidden('You cannot view that channel');
      target = channelId;
    } else
      target =
        channels.find((c) => !c.isAdminChannel && c.type !== 'voice' && c.type !== 'forum')?.id ??
        channels.find((c) => !c.isAdminChannel)?.id ??
        null;
    const messages: MessageDto[] = target ? await listChannel(db, target, userId, { limit: 50 }) : [];
    return { channels, categories, unreads, messages, channelId: target };
  }
}
