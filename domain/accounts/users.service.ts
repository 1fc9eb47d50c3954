/** Spec "Users": the caller's own account (profile, preferences, avatar, deletion). */
import sharp from 'sharp';
import type { Updateable } from 'kysely';
import { badRequest, forbidden, notFound, unauthorized, validationError } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { inTx, type Db } from './tokens.ts';
import { findUserById, getPreferences } from './users.repository.ts';
import {
  toPreferences,
  toUserDto,
  type MsgPrivacy,
  type PatchMeInput,
  type PreferencesDto,
  type PreferencesInput,
  type UserDto,
  type UserRow,
} from './users.schema.ts';
import type { AccountHooks } from './extensions.ts';
import type { UsersTable } from './tables.ts';
import type { Passwords } from './passwords.ts';

const AVATAR_SIZE = 256;
/** Raster formats sharp decodes that we accept as avatars. */
const AVATAR_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

/** Spec "PUT /users/preferences": accept_all < require_approval < dont_allow. */
const RESTRICTIVENESS: Record<MsgPrivacy, number> = { accept_all: 0, require_approval: 1, dont_allow: 2 };
const MSG_SUB_SETTINGS = ['msgPrivacyFollowed', 'msgPrivacySpaces', 'msgPrivacyGroupDm'] as const;

export class UsersService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly passwords: Passwords,
    private readonly hooks: AccountHooks,
  ) {}

  private async user(db: Db, userId: string): Promise<UserRow> {
    const user = await findUserById(db, userId);
    if (!user) throw unauthorized('Account no longer exists');
    return user;
  }

  /** GET /users/me */
  async getMe(db: Db, userId: string): Promise<UserDto> {
    return toUserDto(await this.user(db, userId));
  }

  /** PATCH /users/me: only the fields present change; null clears a nullable one. */
  async patchMe(db: Db, userId: string, input: PatchMeInput): Promise<UserDto> {
    const set: Updateable<UsersTable> = {};
    if (input.displayName !== undefined) set.display_name = input.displayName;
    if (input.bio !== undefined) set.bio = input.bio;
    if (input.avatarUrl !== undefined) set.avatar_url = input.avatarUrl;
    if (input.baseColor !== undefined) set.base_color = input.baseColor;
    if (input.accentColor !== undefined) set.accent_color = input.accentColor;
    if (Object.keys(set).length === 0) return this.getMe(db, userId);
    const row = await db
      .updateTable('users')
      .set({ ...set, updated_at: new Date(this.e.clock.now()) })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw unauthorized('Account no longer exists');
    return toUserDto(row);
  }

  /**
   * POST /users/me/avatar: any raster image, re-encoded (which also drops metadata such as GPS
   * tags) to a 256×256 WebP cover crop, stored through the storage port.
   */
  async uploadAvatar(db: Db, userId: string, data: Buffer): Promise<{ avatarUrl: string }> {
    let out: Buffer;
    try {
      const meta = await sharp(data).metadata();
      if (!meta.format || !AVATAR_FORMATS.has(meta.format)) throw new Error(`format ${meta.format}`);
      out = await sharp(data)
        .rotate()
        .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' })
        .webp({ quality: 85 })
        .toBuffer();
    } catch {
      throw badRequest('Avatar must be an image (JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF)');
    }
    const old = await this.user(db, userId);
    const stored = await this.e.storage.put('avatars', this.e.ids.next(), 'webp', out);
    await db
      .updateTable('users')
      .set({ avatar_url: stored.url, updated_at: new Date(this.e.clock.now()) })
      .where('id', '=', userId)
      .execute();
    await this.deleteStoredAvatar(old.avatar_url);
    return { avatarUrl: stored.url };
  }

  private async deleteStoredAvatar(url: string | null): Promise<void> {
    if (!url?.startsWith('/uploads/avatars/')) return;
    await this.e.storage.delete(url.slice('/uploads/'.length));
  }

  /** DELETE /users/me: password-confirmed; frees the username (its handle) for others. */
  async deleteMe(db: Db, userId: string, password: string): Promise<void> {
    const user = await this.user(db, userId);
    if (!(await this.passwords.matches(user.password_hash, password))) throw forbidden('Incorrect password');
    await inTx(db, async (trx) => {
      for (const hook of this.hooks.onUserDeleted) await hook(trx, userId);
      await trx.deleteFrom('handles').where('kind', '=', 'user').where('owner_id', '=', userId).execute();
      // Tokens, preferences, links, blocks, mutes, follows and bans go with it (on delete cascade).
      await trx.deleteFrom('users').where('id', '=', userId).execute();
    });
    await this.deleteStoredAvatar(user.avatar_url);
  }

  /** GET /users/preferences */
  async getPreferences(db: Db, userId: string): Promise<PreferencesDto> {
    return toPreferences(await getPreferences(db, userId));
  }

  /**
   * PUT /users/preferences. The messaging sub-settings may not be less restrictive than
   * msgPrivacyAll, judged on the stored values merged with this update.
   */
  async putPreferences(db: Db, userId: string, input: PreferencesInput): Promise<PreferencesDto> {
    return inTx(db, async (trx) => {
      const current = toPreferences(await getPreferences(trx, userId));
      const merged = { ...current, ...stripUndefined(input) };
      const all = RESTRICTIVENESS[merged.msgPrivacyAll as MsgPrivacy];
      const issues = MSG_SUB_SETTINGS.filter((k) => RESTRICTIVENESS[merged[k] as MsgPrivacy] < all).map(
        (k) => ({
          path: k,
          message: `cannot be less restrictive than msgPrivacyAll (${merged.msgPrivacyAll})`,
        }),
      );
      if (issues.length) throw validationError(`${issues[0]!.path}: ${issues[0]!.message}`, { issues });
      const row = await trx
        .updateTable('user_preferences')
        .set({
          distance_units: merged.distanceUnits,
          default_visibility: merged.defaultVisibility,
          profile_visibility: merged.profileVisibility,
          onboarding_completed: merged.onboardingCompleted,
          newsletter_enabled: merged.newsletterEnabled,
          activities_visibility: merged.activitiesVisibility,
          follow_request_policy: merged.followRequestPolicy,
          msg_privacy_all: merged.msgPrivacyAll,
          msg_privacy_followed: merged.msgPrivacyFollowed,
          msg_privacy_spaces: merged.msgPrivacySpaces,
          msg_privacy_group_dm: merged.msgPrivacyGroupDm,
          timezone: merged.timezone,
        })
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('Preferences not found');
      return toPreferences(row);
    });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
