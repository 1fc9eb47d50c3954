/**
 * Spec "Spaces" and "Public Spaces Directory": create (claiming the slug in the handles namespace in
 * the same transaction), read, update, icon, delete, join by invite or publicly, leave, by-slug and
 * embeds, the directory.
 */
import { sql } from 'kysely';
import type * as v from 'valibot';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, conflict, isUniqueViolation, notFound } from '../../engine/errors.ts';
import { DEFAULT_ROLE_PERMISSIONS, Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import {
  toEmbed,
  toSpace,
  type CreateSpaceInput,
  type DirectoryQuery,
  type PatchSpaceInput,
  type SpaceDto,
  type SpaceRow,
} from './spaces.schema.ts';

const IMAGE_TYPES: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
export const ICON_MAX_BYTES = 10 * 1024 * 1024;

export class SpacesService {
  constructor(private readonly d: SpacesDeps) {}

  private now(): Date {
    return new Date(this.d.ports.clock.now());
  }

  async row(db: Db, spaceId: string): Promise<SpaceRow> {
    const r = await db.selectFrom('spaces').selectAll().where('id', '=', spaceId).executeTakeFirst();
    if (!r) throw notFound('Space not found');
    return r;
  }

  /**
   * POST /spaces. One transaction: the slug's handle (unique across usernames and slugs: a race or a
   * taken name is a 409), the space, its default role, the owner's membership, and two channels:
   * `general` and the private `admin` channel (system messages about bans and reports).
   */
  async create(db: Db, userId: string, input: v.InferOutput<typeof CreateSpaceInput>): Promise<SpaceDto> {
    const { ids } = this.d.ports;
    const id = ids.next();
    const now = this.now();
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('handles')
          .values({ handle_lower: input.slug.toLowerCase(), kind: 'space', owner_id: id })
          .execute();
        await trx
          .insertInto('spaces')
          .values({
            id,
            name: input.name,
            slug: input.slug,
            slug_lower: input.slug.toLowerCase(),
            description: input.description ?? null,
            owner_id: userId,
            member_count: 1,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('space_roles')
          .values({
            id: ids.next(),
            space_id: id,
            name: '@everyone',
            permissions: DEFAULT_ROLE_PERMISSIONS,
            position: 0,
            is_default: true,
            created_at: now,
          })
          .execute();
        await trx
          .insertInto('space_members')
          .values({ space_id: id, user_id: userId, invite_code: null, joined_at: now })
          .execute();
        await trx
          .insertInto('channels')
          .values([
            { id: ids.next(), space_id: id, name: 'general', type: 'text', position: 0, created_at: now },
            {
              id: ids.next(),
              space_id: id,
              name: 'admin',
              type: 'text',
              is_private: true,
              is_admin: true,
              position: 1,
              created_at: now,
            },
          ])
          .execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('Slug is already taken', { field: 'slug' });
      throw err;
    }
    return toSpace(await this.row(db, id));
  }

  /** GET /spaces: the caller's spaces, oldest membership first. */
  async listMine(db: Db, userId: string): Promise<SpaceDto[]> {
    const rows = await db
      .selectFrom('spaces as s')
      .innerJoin('space_members as m', 'm.space_id', 's.id')
      .selectAll('s')
      .where('m.user_id', '=', userId)
      .orderBy('m.joined_at')
      .orderBy('s.id')
      .execute();
    return rows.map(toSpace);
  }

  async get(db: Db, userId: string, spaceId: string): Promise<SpaceDto> {
    return toSpace((await requireSpace(db, spaceId, userId, { view: true })).space);
  }

  private async channelCount(db: Db, spaceId: string): Promise<number> {
    const r = await db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('space_id', '=', spaceId)
      .where('is_private', '=', false)
      .where('is_admin', '=', false)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async embed(db: Db, userId: string, spaceId: string) {
    const a = await requireSpace(db, spaceId, userId, { view: true });
    return toEmbed(a.space, await this.channelCount(db, spaceId));
  }

  async bySlug(db: Db, slug: string): Promise<SpaceDto> {
    const r = await db
      .selectFrom('spaces')
      .selectAll()
      .where('slug_lower', '=', slug.toLowerCase())
      .executeTakeFirst();
    if (!r) throw notFound('Space not found');
    return toSpace(r);
  }

  async bySlugEmbed(db: Db, slug: string) {
    const r = await db
      .selectFrom('spaces')
      .selectAll()
      .where('slug_lower', '=', slug.toLowerCase())
      .executeTakeFirst();
    if (!r) throw notFound('Space not found');
    return toEmbed(r, await this.channelCount(db, r.id));
  }

  async update(
    db: Db,
    userId: string,
    spaceId: string,
    input: v.InferOutput<typeof PatchSpaceInput>,
  ): Promise<SpaceDto> {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE });
    const set = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.iconUrl !== undefined ? { icon_url: input.iconUrl } : {}),
      updated_at: this.now(),
    };
    await db.updateTable('spaces').set(set).where('id', '=', spaceId).execute();
    return toSpace(await this.row(db, spaceId));
  }

  /** POST /spaces/:id/icon: an image (png, jpeg, gif, webp), stored through the storage port. */
  async uploadIcon(
    db: Db,
    userId: string,
    spaceId: string,
    file: { mimeType: string; data: Buffer },
  ): Promise<SpaceDto> {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE });
    const ext = IMAGE_TYPES[file.mimeType];
    if (!ext) throw badRequest('The icon must be a PNG, JPEG, GIF or WebP image');
    const stored = await this.d.ports.storage.put('space-icons', this.d.ports.ids.next(), ext, file.data);
    await db
      .updateTable('spaces')
      .set({ icon_url: stored.url, updated_at: this.now() })
      .where('id', '=', spaceId)
      .execute();
    return toSpace(await this.row(db, spaceId));
  }

  /** DELETE /spaces/:id: owner only (the actor decides); frees the slug. */
  async remove(userId: string, spaceId: string): Promise<void> {
    await this.d.actors.ask(spaceId, { type: 'space.delete', by: userId });
  }

  /** POST /spaces/join { code } */
  async joinByCode(db: Db, userId: string, code: string): Promise<SpaceDto> {
    const inv = await db
      .selectFrom('space_invites')
      .select('space_id')
      .where('code', '=', code)
      .executeTakeFirst();
    if (!inv) throw notFound('Invite not found');
    await this.d.actors.ask(inv.space_id, { type: 'member.join', userId, via: 'invite', code });
    return toSpace(await this.row(db, inv.space_id));
  }

  /** POST /spaces/:id/join-public */
  async joinPublic(db: Db, userId: string, spaceId: string): Promise<SpaceDto> {
    await this.d.actors.ask(spaceId, { type: 'member.join', userId, via: 'public' });
    return toSpace(await this.row(db, spaceId));
  }

  async leave(userId: string, spaceId: string): Promise<{ success: true }> {
    await this.d.actors.ask(spaceId, { type: 'member.leave', userId });
    return { success: true };
  }

  /** GET /spaces/directory: public spaces by name/description search and tag, most members first. */
  async directory(db: Db, q: v.InferOutput<typeof DirectoryQuery>): Promise<SpaceDto[]> {
    let query = db.selectFrom('spaces as s').selectAll('s').where('s.is_public', '=', true);
    const search = q.search?.trim();
    if (search) {
      const like = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(s.name)`, 'like', like),
          eb(sql`lower(coalesce(s.description, ''))`, 'like', like),
          eb('s.slug_lower', 'like', like),
        ]),
      );
    }
    if (q.tag)
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('space_tags as t')
            .select('t.space_id')
            .whereRef('t.space_id', '=', 's.id')
            .where('t.tag_lower', '=', q.tag!.toLowerCase()),
        ),
      );
    const rows = await query
      .orderBy('s.member_count', 'desc')
      .orderBy('s.id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map(toSpace);
  }

  async featured(db: Db): Promise<SpaceDto[]> {
    const rows = await db
      .selectFrom('spaces')
      .selectAll()
      .where('is_public', '=', true)
      .where('is_featured', '=', true)
      .orderBy('member_count', 'desc')
      .orderBy('id')
      .limit(50)
      .execute();
    return rows.map(toSpace);
  }

  /** GET /spaces/directory/tags: tags of public spaces with how many spaces use each. */
  async directoryTags(db: Db): Promise<Array<{ tag: string; count: number }>> {
    const r = await sql<{ tag: string; count: string }>`
      select min(t.tag) as tag, count(*) as count from space_tags t join spaces s on s.id = t.space_id
      where s.is_public group by t.tag_lower order by count(*) desc, min(t.tag) limit 200`.execute(db);
    return r.rows.map((x) => ({ tag: x.tag, count: Number(x.count) }));
  }
}
