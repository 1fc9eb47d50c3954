/**
 * Spec "Space Admin Settings", "Space Tags", "Space Mutes", "Space Member Settings", and the Users
 * endpoints over spaces (`/users/muted-spaces`, `/users/me/managed-social-spaces`).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../engine/db/index.ts';
import { forbidden } from '../../engine/errors.ts';
import { basePermissions, has, parseBits, Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import {
  MEMBER_SETTINGS_DEFAULTS,
  toAdminSettings,
  type AdminSettings,
  type AdminSettingsInput,
} from './spaces.schema.ts';

const secret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export class SettingsService {
  constructor(private readonly d: SpacesDeps) {}

  async adminSettings(db: Db, userId: string, spaceId: string): Promise<AdminSettings> {
    return toAdminSettings(
      (await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE })).space,
    );
  }

  /**
   * PUT /spaces/:id/admin-settings: any subset. `isPublic` is the actor's (public joins depend on it);
   * `isFeatured` is a global admin's call (POST /admin/spaces/:id/feature); enabling webhooks the first
   * time generates a secret.
   */
  async putAdminSettings(
    db: Db,
    user: { id: string; isAdmin: boolean },
    spaceId: string,
    input: AdminSettingsInput,
  ): Promise<AdminSettings> {
    const a = await requireSpace(db, spaceId, user.id, { need: Permission.MANAGE_SPACE });
    const { isPublic, isFeatured, ...rest } = input;
    if (isFeatured !== undefined && isFeatured !== a.space.is_featured && !user.isAdmin)
      throw forbidden('Only a global admin can feature a space');
    if (isPublic !== undefined)
      await this.d.actors.ask(spaceId, { type: 'space.public', by: user.id, isPublic });
    const patch: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(rest)) if (val !== undefined) patch[k] = val;
    if (rest.webhooksEnabled === true && !a.space.settings['webhookSecret'])
      patch['webhookSecret'] = secret();
    await db
      .updateTable('spaces')
      .set({
        settings: JSON.stringify({ ...a.space.settings, ...patch }),
        ...(isFeatured !== undefined ? { is_featured: isFeatured } : {}),
        updated_at: new Date(this.d.ports.clock.now()),
      })
      .where('id', '=', spaceId)
      .execute();
    return this.adminSettingsOf(db, spaceId);
  }

  private async adminSettingsOf(db: Db, spaceId: string): Promise<AdminSettings> {
    return toAdminSettings(
      await db.selectFrom('spaces').selectAll().where('id', '=', spaceId).executeTakeFirstOrThrow(),
    );
  }

  async rotateWebhookSecret(db: Db, userId: string, spaceId: string): Promise<AdminSettings> {
    const a = await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE });
    await db
      .updateTable('spaces')
      .set({ settings: JSON.stringify({ ...a.space.settings, webhookSecret: secret() }) })
      .where('id', '=', spaceId)
      .execute();
    return this.adminSettingsOf(db, spaceId);
  }

  // ---- tags ----

  async tags(db: Db, userId: string, spaceId: string): Promise<string[]> {
    await requireSpace(db, spaceId, userId, { view: true });
    const rows = await db
      .selectFrom('space_tags')
      .select('tag')
      .where('space_id', '=', spaceId)
      .orderBy('position')
      .execute();
    return rows.map((r) => r.tag);
  }

  async putTags(db: Db, userId: string, spaceId: string, tags: string[]): Promise<string[]> {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE });
    const seen = new Set<string>();
    const unique = tags.filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('space_tags').where('space_id', '=', spaceId).execute();
      if (unique.length)
        await trx
          .insertInto('space_tags')
          .values(
            unique.map((tag, position) => ({
              space_id: spaceId,
              tag,
              tag_lower: tag.toLowerCase(),
              position,
            })),
          )
          .execute();
    });
    return unique;
  }

  // ---- mutes and member settings ----

  async isMuted(db: Db, userId: string, spaceId: string): Promise<{ muted: boolean }> {
    await requireSpace(db, spaceId, userId, { member: true });
    const r = await db
      .selectFrom('space_mutes')
      .select('space_id')
      .where('user_id', '=', userId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    return { muted: !!r };
  }

  /** Push suppressor (spec "Space Mutes"): the notification is about a space the user muted. */
  async pushMuted(db: Db, userId: string, data: Record<string, unknown>): Promise<boolean> {
    const spaceId = data['spaceId'];
    if (typeof spaceId !== 'string' || !/^\d{1,19}$/.test(spaceId)) return false;
    const r = await db
      .selectFrom('space_mutes')
      .select('space_id')
      .where('user_id', '=', userId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    return !!r;
  }

  async setMuted(db: Db, userId: string, spaceId: string, muted: boolean): Promise<{ muted: boolean }> {
    await requireSpace(db, spaceId, userId, { member: true });
    if (muted)
      await db
        .insertInto('space_mutes')
        .values({ user_id: userId, space_id: spaceId, created_at: new Date(this.d.ports.clock.now()) })
        .onConflict((oc) => oc.columns(['user_id', 'space_id']).doNothing())
        .execute();
    else
      await db
        .deleteFrom('space_mutes')
        .where('user_id', '=', userId)
        .where('space_id', '=', spaceId)
        .execute();
    return { muted };
  }

  async mutedSpaces(db: Db, userId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('space_mutes')
      .select('space_id')
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.space_id);
  }

  async memberSettings(db: Db, userId: string, spaceId: string): Promise<Record<string, boolean>> {
    await requireSpace(db, spaceId, userId, { member: true });
    const r = await db
      .selectFrom('space_member_settings')
      .select('settings')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return { ...MEMBER_SETTINGS_DEFAULTS, ...(r?.settings ?? {}) };
  }

  async putMemberSettings(
    db: Db,
    userId: string,
    spaceId: string,
    input: Record<string, boolean>,
  ): Promise<Record<string, boolean>> {
    const merged = { ...(await this.memberSettings(db, userId, spaceId)), ...input };
    const settings = JSON.stringify(merged);
    await db
      .insertInto('space_member_settings')
      .values({ space_id: spaceId, user_id: userId, settings })
      .onConflict((oc) => oc.columns(['space_id', 'user_id']).doUpdateSet({ settings }))
      .execute();
    return merged;
  }

  /** GET /users/me/managed-social-spaces: socialEnabled spaces where the caller has MANAGE_SOCIAL. */
  async managedSocialSpaces(db: Db, userId: string) {
    const spaces = await db
      .selectFrom('spaces as s')
      .innerJoin('space_members as m', 'm.space_id', 's.id')
      .selectAll('s')
      .where('m.user_id', '=', userId)
      .where((eb) => eb(eb.ref('s.settings', '->>').key('socialEnabled'), '=', 'true'))
      .orderBy('s.id')
      .execute();
    if (!spaces.length) return [];
    const roles = await db
      .selectFrom('space_roles as r')
      .leftJoin('space_member_roles as mr', (j) =>
        j.onRef('mr.role_id', '=', 'r.id').on('mr.user_id', '=', userId),
      )
      .select(['r.id', 'r.space_id', 'r.permissions', 'r.is_default', 'mr.role_id as held'])
      .where(
        'r.space_id',
        'in',
        spaces.map((s) => s.id),
      )
      .execute();
    return spaces
      .filter((s) => {
        const mine = roles.filter((r) => r.space_id === s.id);
        const p = basePermissions({
          userId,
          ownerId: s.owner_id,
          isMember: true,
          roleIds: mine.filter((r) => r.held !== null).map((r) => r.id),
          roles: mine.map((r) => ({
            id: r.id,
            permissions: parseBits(r.permissions),
            isDefault: r.is_default,
          })),
        });
        return has(p, Permission.MANAGE_SOCIAL);
      })
      .map((s) => ({
        id: s.id,
        name: s.name,
        slug: s.slug,
        iconUrl: s.icon_url,
        baseColor: (s.settings['baseColor'] as string | undefined) ?? null,
        accentColor: (s.settings['accentColor'] as string | undefined) ?? null,
      }));
  }
}
