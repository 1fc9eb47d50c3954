/**
 * Spec "Channels", "Channel Permission Overrides", "Channel Members (Private Channels)", "Channel
 * Mutes". What the actor owns (existence, type, privacy, overrides, direct members) goes through it;
 * plain row fields (positions) are written here after the permission check.
 */
import bcrypt from 'bcryptjs';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { has, Permission } from '../../actors/space/permissions.ts';
import type { ChannelRow as ActorChannelRow } from '../../actors/space/space.events.ts';
import {
  loadChannelPerms,
  permsIn,
  requireChannel,
  requireSpace,
  type SpaceAccess,
} from '../spaces/access.ts';
import type { SpacesDeps } from '../spaces/deps.ts';
import {
  toChannel,
  type ChannelDto,
  type CreateChannelInput,
  type PatchChannelInput,
} from './channels.schema.ts';

type Voice = Pick<
  CreateChannelInput,
  'publicVoiceAccess' | 'publicVoiceChat' | 'publicVoiceParticipation' | 'voiceIdentityMode'
>;
function voiceOf(input: Voice, current: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const k of [
    'publicVoiceAccess',
    'publicVoiceChat',
    'publicVoiceParticipation',
    'voiceIdentityMode',
  ] as const)
    if (input[k] !== undefined) out[k] = input[k];
  return out;
}

export class ChannelsService {
  constructor(private readonly d: SpacesDeps) {}

  async row(db: Db, spaceId: string, channelId: string) {
    const r = await db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', channelId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!r) throw notFound('Channel not found');
    return r;
  }

  private async checkCategory(db: Db, spaceId: string, categoryId: string | null | undefined): Promise<void> {
    if (!categoryId) return;
    const c = await db
      .selectFrom('channel_categories')
      .select('id')
      .where('id', '=', categoryId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!c) throw badRequest('categoryId is not a category of this space');
  }

  /** POST /spaces/:id/channels: requires MANAGE_CHANNELS (the actor decides). */
  async create(db: Db, userId: string, spaceId: string, input: CreateChannelInput): Promise<ChannelDto> {
    await this.checkCategory(db, spaceId, input.categoryId);
    const channelId = this.d.ports.ids.next();
    const max = await db
      .selectFrom('channels')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    const row: ActorChannelRow = {
      name: input.name,
      topic: input.topic ?? null,
      isPublic: input.isPublic,
      categoryId: input.categoryId ?? null,
      position: Number(max?.p ?? -1) + 1,
      voice: input.type === 'voice' ? voiceOf(input) : {},
      voicePasswordHash:
        input.type === 'voice' && input.voicePassword ? await bcrypt.hash(input.voicePassword, 10) : null,
    };
    await this.d.actors.ask(spaceId, {
      type: 'channel.create',
      by: userId,
      channelId,
      channelType: input.type,
      isPrivate: input.isPrivate,
      memberIds: input.memberIds,
      roleOverrides: input.roleOverrides,
      row,
    });
    return toChannel(await this.row(db, spaceId, channelId));
  }

  /**
   * GET /spaces/:id/channels: the channels the caller can see (overrides and private visibility
   * applied), then channels of other spaces portaled into this one.
   */
  async list(db: Db, userId: string, spaceId: string): Promise<ChannelDto[]> {
    const a = await requireSpace(db, spaceId, userId, { view: true });
    return this.visible(db, a);
  }

  async visible(db: Db, a: SpaceAccess): Promise<ChannelDto[]> {
    const spaceId = a.space.id;
    const [rows, cp] = await Promise.all([
      db
        .selectFrom('channels')
        .selectAll()
        .where('space_id', '=', spaceId)
        .orderBy('position')
        .orderBy('id')
        .execute(),
      loadChannelPerms(db, spaceId, a.subject.userId),
    ]);
    const out = rows.filter((r) => has(permsIn(a, r, cp), Permission.VIEW_CHANNELS)).map(toChannel);
    if (a.isMember) {
      const portaled = await db
        .selectFrom('portals as p')
        .innerJoin('channels as c', 'c.id', 'p.channel_id')
        .selectAll('c')
        .select(['p.id as portal_id', 'p.source_space_id'])
        .where('p.target_space_id', '=', spaceId)
        .orderBy('p.id')
        .execute();
      for (const r of portaled)
        out.push({ ...toChannel(r), portal: { portalId: r.portal_id, sourceSpaceId: r.source_space_id } });
    }
    return out;
  }

  /** PUT /spaces/:id/channels/reorder: positions and categories are plain row fields. */
  async reorder(
    db: Db,
    userId: string,
    spaceId: string,
    items: Array<{ channelId: string; position: number; categoryId?: string | null | undefined }>,
  ) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    for (const c of new Set(items.map((i) => i.categoryId).filter((x): x is string => !!x)))
      await this.checkCategory(db, spaceId, c);
    await db.transaction().execute(async (trx) => {
      for (const i of items)
        await trx
          .updateTable('channels')
          .set({ position: i.position, ...(i.categoryId !== undefined ? { category_id: i.categoryId } : {}) })
          .where('id', '=', i.channelId)
          .where('space_id', '=', spaceId)
          .execute();
    });
    return this.list(db, userId, spaceId);
  }

  async update(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    input: PatchChannelInput,
  ): Promise<ChannelDto> {
    const current = await this.row(db, spaceId, channelId);
    await this.checkCategory(db, spaceId, input.categoryId);
    const row: Partial<ActorChannelRow> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.topic !== undefined ? { topic: input.topic } : {}),
      ...(input.isPublic !== undefined ? { isPublic: input.isPublic } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.categoryId !== undefined ? { categoryId: input.categoryId } : {}),
    };
    const voice = voiceOf(input, current.voice as Record<string, unknown>);
    if (JSON.stringify(voice) !== JSON.stringify(current.voice)) row.voice = voice;
    if (input.voicePassword !== undefined)
      row.voicePasswordHash =
        input.voicePassword === null ? null : await bcrypt.hash(input.voicePassword, 10);
    await this.d.actors.ask(spaceId, {
      type: 'channel.update',
      by: userId,
      channelId,
      ...(input.type !== undefined ? { channelType: input.type } : {}),
      ...(input.isPrivate !== undefined ? { isPrivate: input.isPrivate } : {}),
      row,
    });
    return toChannel(await this.row(db, spaceId, channelId));
  }

  async remove(db: Db, userId: string, spaceId: string, channelId: string): Promise<void> {
    await this.row(db, spaceId, channelId);
    await this.d.actors.ask(spaceId, { type: 'channel.delete', by: userId, channelId });
  }

  // ---- overrides ----

  async overrides(db: Db, userId: string, spaceId: string, channelId: string) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    await this.row(db, spaceId, channelId);
    const rows = await db
      .selectFrom('channel_overrides')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('role_id')
      .execute();
    return rows.map((r) => ({ channelId: r.channel_id, roleId: r.role_id, allow: r.allow, deny: r.deny }));
  }

  async setOverride(
    userId: string,
    spaceId: string,
    channelId: string,
    roleId: string,
    allow: string,
    deny: string,
  ) {
    return this.d.actors.ask(spaceId, { type: 'override.set', by: userId, channelId, roleId, allow, deny });
  }

  async deleteOverride(userId: string, spaceId: string, channelId: string, roleId: string): Promise<void> {
    await this.d.actors.ask(spaceId, { type: 'override.delete', by: userId, channelId, roleId });
  }

  // ---- direct members of private channels ----

  async members(db: Db, userId: string, spaceId: string, channelId: string) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    await this.row(db, spaceId, channelId);
    const rows = await db
      .selectFrom('channel_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.username', 'u.display_name', 'u.avatar_url'])
      .where('m.channel_id', '=', channelId)
      .orderBy('u.username_lower')
      .execute();
    return rows.map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      avatarUrl: u.avatar_url,
    }));
  }

  async setMember(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    targetId: string,
    add: boolean,
  ) {
    await this.row(db, spaceId, channelId);
    return this.d.actors.ask(spaceId, {
      type: 'channel.member',
      by: userId,
      channelId,
      userId: targetId,
      add,
    });
  }

  // ---- mutes ----

  async muted(db: Db, userId: string, spaceId: string): Promise<string[]> {
    await requireSpace(db, spaceId, userId, { member: true });
    const rows = await db
      .selectFrom('channel_mutes as m')
      .innerJoin('channels as c', 'c.id', 'm.channel_id')
      .select('m.channel_id')
      .where('m.user_id', '=', userId)
      .where('c.space_id', '=', spaceId)
      .orderBy('m.channel_id')
      .execute();
    return rows.map((r) => r.channel_id);
  }

  async setMuted(
    db: Db,
    userId: string,
    spaceId: string,
    channelId: string,
    muted: boolean,
  ): Promise<{ muted: boolean }> {
    const v = await requireChannel(db, channelId, userId);
    if (v.channel.space_id !== spaceId) throw notFound('Channel not found');
    if (!v.access.isMember) throw forbidden('You are not a member of this space');
    if (muted)
      await db
        .insertInto('channel_mutes')
        .values({ user_id: userId, channel_id: channelId })
        .onConflict((oc) => oc.columns(['user_id', 'channel_id']).doNothing())
        .execute();
    else
      await db
        .deleteFrom('channel_mutes')
        .where('user_id', '=', userId)
        .where('channel_id', '=', channelId)
        .execute();
    return { muted };
  }
}
