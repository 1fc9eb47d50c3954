/**
 * The space actor's projection: the rows and socket rooms each effect stands for. Every write is
 * idempotent (effects are delivered at least once): inserts skip existing rows, counters move only
 * when a row really appeared or went away.
 */
import { sql } from 'kysely';
import type { EffectContext } from '../../engine/actors/types.ts';
import type { Db } from '../../engine/db/index.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import type { ProjectionEffect } from '../../actors/space/space.effects.ts';
import { loadThreadDto } from '../messages/forum.repository.ts';

/** What the projection needs from the realtime gateway: move a user's sockets in and out of rooms. */
export interface RoomMembership {
  joinUser(userId: string, room: string): void;
  leaveUser(userId: string, room: string): void;
}

export interface ProjectionPorts {
  db: Db;
  rooms: Rooms;
  sockets: () => RoomMembership | null;
}

export function createProjection({ db, rooms, sockets }: ProjectionPorts) {
  return async function project(e: ProjectionEffect, _ctx: EffectContext): Promise<void> {
    switch (e.type) {
      case 'space.public':
        await db.updateTable('spaces').set({ is_public: e.isPublic }).where('id', '=', e.spaceId).execute();
        return;
      case 'space.deleted': {
        await db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('handles')
            .where('kind', '=', 'space')
            .where('owner_id', '=', e.spaceId)
            .execute();
          // The space's own posts go with it (their comments, reactions, reposts cascade).
          await trx.deleteFrom('posts').where('space_id', '=', e.spaceId).execute();
          await trx.deleteFrom('spaces').where('id', '=', e.spaceId).execute();
        });
        rooms.emit(room.space(e.spaceId), 'space:deleted', { spaceId: e.spaceId });
        for (const u of e.memberIds) sockets()?.leaveUser(u, room.space(e.spaceId));
        return;
      }
      case 'member.added': {
        const r = await db
          .insertInto('space_members')
          .values({
            space_id: e.spaceId,
            user_id: e.userId,
            invite_code: e.code,
            joined_at: new Date(e.joinedAt),
          })
          .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0)
          await db
            .updateTable('spaces')
            .set((eb) => ({ member_count: eb('member_count', '+', 1) }))
            .where('id', '=', e.spaceId)
            .execute();
        sockets()?.joinUser(e.userId, room.space(e.spaceId));
        rooms.emit(room.space(e.spaceId), 'space:member_joined', { spaceId: e.spaceId, userId: e.userId });
        return;
      }
      case 'member.removed': {
        const r = await db
          .deleteFrom('space_members')
          .where('space_id', '=', e.spaceId)
          .where('user_id', '=', e.userId)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) > 0)
          await db
            .updateTable('spaces')
            .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
            .where('id', '=', e.spaceId)
            .execute();
        await sql`delete from channel_members where user_id = ${e.userId}
          and channel_id in (select id from channels where space_id = ${e.spaceId})`.execute(db);
        rooms.emit(room.space(e.spaceId), 'space:member_left', {
          spaceId: e.spaceId,
          userId: e.userId,
          reason: e.reason,
        });
        const s = sockets();
        if (s) {
          s.leaveUser(e.userId, room.space(e.spaceId));
          for (const c of e.channelIds) s.leaveUser(e.userId, room.channel(c));
        }
        return;
      }
      case 'invite.used':
        await sql`update space_invites set uses = greatest(uses, ${e.uses}) where code = ${e.code}`.execute(
          db,
        );
        return;
      case 'ban.added':
        await db
          .insertInto('space_bans')
          .values({
            space_id: e.spaceId,
            user_id: e.userId,
            banned_by: e.by,
            reason: e.reason,
            created_at: new Date(e.createdAt),
          })
          .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
          .execute();
        return;
      case 'ban.removed':
        await db
          .deleteFrom('space_bans')
          .where('space_id', '=', e.spaceId)
          .where('user_id', '=', e.userId)
          .execute();
        return;
      case 'member.roles':
        await db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('space_member_roles')
            .where('space_id', '=', e.spaceId)
            .where('user_id', '=', e.userId)
            .execute();
          if (e.roleIds.length)
            await trx
              .insertInto('space_member_roles')
              .values(e.roleIds.map((role_id) => ({ space_id: e.spaceId, user_id: e.userId, role_id })))
              .onConflict((oc) => oc.doNothing())
              .execute();
        });
        return;
      case 'role.upsert':
        if (e.isNew) {
          await db
            .insertInto('space_roles')
            .values({
              id: e.roleId,
              space_id: e.spaceId,
              name: e.row.name ?? 'role',
              color: e.row.color ?? null,
              permissions: e.permissions ?? '0',
              position: e.row.position ?? 0,
              created_at: new Date(e.createdAt),
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        } else {
          const set = {
            ...(e.row.name !== undefined ? { name: e.row.name } : {}),
            ...(e.row.color !== undefined ? { color: e.row.color } : {}),
            ...(e.row.position !== undefined ? { position: e.row.position } : {}),
            ...(e.permissions !== undefined ? { permissions: e.permissions } : {}),
          };
          if (Object.keys(set).length)
            await db.updateTable('space_roles').set(set).where('id', '=', e.roleId).execute();
        }
        return;
      case 'role.deleted':
        await db.deleteFrom('space_roles').where('id', '=', e.roleId).execute();
        return;
      case 'channel.upsert':
        await db.transaction().execute(async (trx) => {
          if (e.isNew) {
            await trx
              .insertInto('channels')
              .values({
                id: e.channelId,
                space_id: e.spaceId,
                name: e.row.name ?? 'channel',
                topic: e.row.topic ?? null,
                type: e.channelType ?? 'text',
                is_private: e.isPrivate ?? false,
                is_public: e.row.isPublic ?? false,
                category_id: e.row.categoryId ?? null,
                position: e.row.position ?? 0,
                voice: JSON.stringify(e.row.voice ?? {}),
                voice_password_hash: e.row.voicePasswordHash ?? null,
                created_at: new Date(e.createdAt),
              })
              .onConflict((oc) => oc.column('id').doNothing())
              .execute();
          } else {
            const set = {
              ...(e.row.name !== undefined ? { name: e.row.name } : {}),
              ...(e.row.topic !== undefined ? { topic: e.row.topic } : {}),
              ...(e.row.isPublic !== undefined ? { is_public: e.row.isPublic } : {}),
              ...(e.row.categoryId !== undefined ? { category_id: e.row.categoryId } : {}),
              ...(e.row.position !== undefined && e.row.position !== null
                ? { position: e.row.position }
                : {}),
              ...(e.row.voice !== undefined ? { voice: JSON.stringify(e.row.voice) } : {}),
              ...(e.row.voicePasswordHash !== undefined
                ? { voice_password_hash: e.row.voicePasswordHash }
                : {}),
              ...(e.channelType !== undefined ? { type: e.channelType } : {}),
              ...(e.isPrivate !== undefined ? { is_private: e.isPrivate } : {}),
            };
            if (Object.keys(set).length)
              await trx.updateTable('channels').set(set).where('id', '=', e.channelId).execute();
          }
          if (e.memberIds.length)
            await trx
              .insertInto('channel_members')
              .values(e.memberIds.map((user_id) => ({ channel_id: e.channelId, user_id })))
              .onConflict((oc) => oc.doNothing())
              .execute();
          if (e.overrides.length)
            await trx
              .insertInto('channel_overrides')
              .values(
                e.overrides.map((o) => ({
                  channel_id: e.channelId,
                  role_id: o.roleId,
                  allow: o.allow,
                  deny: o.deny,
                })),
              )
              .onConflict((oc) =>
                oc
                  .columns(['channel_id', 'role_id'])
                  .doUpdateSet((eb) => ({ allow: eb.ref('excluded.allow'), deny: eb.ref('excluded.deny') })),
              )
              .execute();
        });
        return;
      case 'channel.deleted':
        await db.deleteFrom('channels').where('id', '=', e.channelId).execute();
        return;
      case 'override.upsert':
        await db
          .insertInto('channel_overrides')
          .values({ channel_id: e.channelId, role_id: e.roleId, allow: e.allow, deny: e.deny })
          .onConflict((oc) =>
            oc.columns(['channel_id', 'role_id']).doUpdateSet({ allow: e.allow, deny: e.deny }),
          )
          .execute();
        return;
      case 'override.deleted':
        await db
          .deleteFrom('channel_overrides')
          .where('channel_id', '=', e.channelId)
          .where('role_id', '=', e.roleId)
          .execute();
        return;
      case 'channel.member':
        if (e.add)
          await db
            .insertInto('channel_members')
            .values({ channel_id: e.channelId, user_id: e.userId })
            .onConflict((oc) => oc.doNothing())
            .execute();
        else {
          await db
            .deleteFrom('channel_members')
            .where('channel_id', '=', e.channelId)
            .where('user_id', '=', e.userId)
            .execute();
          sockets()?.leaveUser(e.userId, room.channel(e.channelId));
        }
        return;
      case 'invite.created':
        await db
          .insertInto('space_invites')
          .values({
            id: e.inviteId,
            space_id: e.spaceId,
            code: e.code,
            created_by: e.by,
            max_uses: e.maxUses,
            expires_at: e.expiresAt === null ? null : new Date(e.expiresAt),
            created_at: new Date(e.createdAt),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        return;
      case 'invite.deleted':
        await db.deleteFrom('space_invites').where('id', '=', e.inviteId).execute();
        return;
      case 'thread.upsert': {
        if (e.isNew) {
          await db
            .insertInto('forum_threads')
            .values({
              id: e.threadId,
              space_id: e.spaceId,
              channel_id: e.channelId,
              author_id: e.by,
              title: e.title ?? '',
              last_post_at: new Date(e.at),
              created_at: new Date(e.at),
              updated_at: new Date(e.at),
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        } else {
          await db
            .updateTable('forum_threads')
            .set({
              ...(e.title !== undefined ? { title: e.title } : {}),
              ...(e.isPinned !== undefined ? { is_pinned: e.isPinned } : {}),
              ...(e.isLocked !== undefined ? { is_locked: e.isLocked } : {}),
              updated_at: new Date(e.at),
            })
            .where('id', '=', e.threadId)
            .execute();
        }
        const dto = await loadThreadDto(db, e.threadId);
        if (dto) {
          const event = e.isNew ? 'forum:thread_created' : 'forum:thread_updated';
          rooms.emit(room.channel(e.channelId), event, dto);
          if (!e.isNew) rooms.emit(room.thread(e.threadId), event, dto);
        }
        return;
      }
      case 'thread.deleted':
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('messages').where('thread_id', '=', e.threadId).execute();
          await trx.deleteFrom('forum_threads').where('id', '=', e.threadId).execute();
        });
        rooms.emit(room.channel(e.channelId), 'forum:thread_deleted', {
          channelId: e.channelId,
          threadId: e.threadId,
        });
        return;
      case 'portal.added':
        await db
          .insertInto('portals')
          .values({
            id: e.portalId,
            source_space_id: e.spaceId,
            channel_id: e.channelId,
            target_space_id: e.targetSpaceId,
            created_by: e.by,
            created_at: new Date(e.createdAt),
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
        return;
      case 'portal.removed':
        await db.deleteFrom('portals').where('id', '=', e.portalId).execute();
        return;
    }
  };
}
