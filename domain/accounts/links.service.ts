/** Spec "Profile Links": at most 10 per user, ordered by `position`. */
import { badRequest, notFound } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { inTx, type Db } from './tokens.ts';
import { findUserById } from './users.repository.ts';
import { findLink, listLinks } from './links.repository.ts';
import { toProfileLink } from './users.schema.ts';

export const MAX_PROFILE_LINKS = 10;

export class LinksService {
  constructor(private readonly e: AccountsPorts) {}

  /** GET /users/me/profile-links, GET /users/:userId/profile-links */
  async list(db: Db, userId: string) {
    if (!(await findUserById(db, userId))) throw notFound('User not found');
    return (await listLinks(db, userId)).map(toProfileLink);
  }

  /** POST /users/me/profile-links */
  async create(db: Db, userId: string, input: { label: string; url: string }) {
    return inTx(db, async (trx) => {
      // Lock the owner so two concurrent creates cannot both pass the count check.
      await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      const links = await listLinks(trx, userId);
      if (links.length >= MAX_PROFILE_LINKS)
        throw badRequest(`A profile can have at most ${MAX_PROFILE_LINKS} links`);
      const position = links.reduce((max, l) => Math.max(max, l.position + 1), 0);
      const row = await trx
        .insertInto('profile_links')
        .values({
          id: this.e.ids.next(),
          user_id: userId,
          label: input.label,
          url: input.url,
          position,
          created_at: new Date(this.e.clock.now()),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProfileLink(row);
    });
  }

  /** PATCH /users/me/profile-links/:linkId */
  async update(db: Db, userId: string, linkId: string, input: { label?: string; url?: string }) {
    const set: { label?: string; url?: string } = {};
    if (input.label !== undefined) set.label = input.label;
    if (input.url !== undefined) set.url = input.url;
    if (Object.keys(set).length === 0) {
      const link = await findLink(db, userId, linkId);
      if (!link) throw notFound('Profile link not found');
      return toProfileLink(link);
    }
    const row = await db
      .updateTable('profile_links')
      .set(set)
      .where('id', '=', linkId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('Profile link not found');
    return toProfileLink(row);
  }

  /** DELETE /users/me/profile-links/:linkId */
  async remove(db: Db, userId: string, linkId: string): Promise<void> {
    const row = await db
      .deleteFrom('profile_links')
      .where('id', '=', linkId)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('Profile link not found');
  }

  /** PUT /users/me/profile-links/reorder: `linkIds` must be exactly the user's links, each once. */
  async reorder(db: Db, userId: string, linkIds: string[]) {
    return inTx(db, async (trx) => {
      await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      const current = new Set((await listLinks(trx, userId)).map((l) => l.id));
      const given = new Set(linkIds);
      if (given.size !== linkIds.length) throw badRequest('linkIds contains duplicates');
      if (given.size !== current.size || linkIds.some((id) => !current.has(id)))
        throw badRequest('linkIds must list exactly your profile links');
      for (const [position, id] of linkIds.entries())
        await trx.updateTable('profile_links').set({ position }).where('id', '=', id).execute();
      return (await listLinks(trx, userId)).map(toProfileLink);
    });
  }
}
