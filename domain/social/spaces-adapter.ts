/**
 * `SocialSpaces` over the spaces feature (domain/spaces): its managed-social-spaces rule (member
 * with MANAGE_SOCIAL in a socialEnabled space, the owner always) decides who posts as a space; the
 * rest are plain reads of the spaces projection (spaces, space_members).
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { SocialSpaces, SpaceAuthor } from './ports.ts';

interface SpaceRowLite {
  id: string;
  name: string;
  slug: string;
  icon_url: string | null;
  settings: Record<string, unknown>;
}

export interface ManagedSocialSpaces {
  managedSocialSpaces(db: Db, userId: string): Promise<Array<{ id: string }>>;
}

const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toAuthor(r: SpaceRowLite): SpaceAuthor {
  return {
    id: String(r.id),
    name: r.name,
    slug: r.slug,
    iconUrl: r.icon_url,
    baseColor: strOrNull(r.settings['baseColor']),
    accentColor: strOrNull(r.settings['accentColor']),
  };
}

async function spacesById(db: Db, ids: readonly string[]): Promise<SpaceRowLite[]> {
  if (ids.length === 0) return [];
  const r = await sql<SpaceRowLite>`select id, name, slug, icon_url, settings from spaces
    where id = any(${[...ids]}::bigint[])`.execute(db);
  return r.rows;
}

export function createSpacesSocial(spaces: () => ManagedSocialSpaces): SocialSpaces {
  return {
    memberSocialSpacesSql(userId) {
      return sql`select m.space_id from space_members m join spaces s on s.id = m.space_id
        where m.user_id = ${userId} and s.settings->>'socialEnabled' = 'true'`;
    },
    async requireManageSocial(db, userId, spaceId) {
      const [row] = await spacesById(db, [spaceId]);
      if (!row) throw notFound('Space not found');
      if (row.settings['socialEnabled'] !== true) throw badRequest('Social is not enabled on this space');
      const managed = await spaces().managedSocialSpaces(db, userId);
      if (!managed.some((s) => String(s.id) === String(spaceId))) throw forbidden('Requires MANAGE_SOCIAL');
      return toAuthor(row);
    },
    async authors(db, spaceIds) {
      return new Map((await spacesById(db, spaceIds)).map((r) => [String(r.id), toAuthor(r)]));
    },
    async socialSpace(db, spaceId) {
      const [row] = await spacesById(db, [spaceId]);
      return row && row.settings['socialEnabled'] === true ? toAuthor(row) : null;
    },
  };
}
