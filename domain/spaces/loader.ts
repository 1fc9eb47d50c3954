/**
 * Hydration of a space actor from its rows (space.client.ts): used the first time an actor runs
 * (the rows were created by POST /spaces) and whenever an actor's state was never committed.
 */
import type { Db } from '../../engine/db/index.ts';
import type { ChannelState, ChannelType, SpaceInit } from '../../actors/space/space.events.ts';
import type { SpaceLoader } from '../../actors/space/space.client.ts';

export function createSpaceLoader(db: Db, now: () => number): SpaceLoader {
  return {
    async load(spaceId) {
      const space = await db.selectFrom('spaces').selectAll().where('id', '=', spaceId).executeTakeFirst();
      if (!space) return null;
      const [
        roles,
        members,
        memberRoles,
        bans,
        invites,
        channels,
        overrides,
        channelMembers,
        portals,
        locked,
      ] = await Promise.all([
        db
          .selectFrom('space_roles')
          .select(['id', 'permissions', 'position', 'is_default'])
          .where('space_id', '=', spaceId)
          .execute(),
        db.selectFrom('space_members').select('user_id').where('space_id', '=', spaceId).execute(),
        db
          .selectFrom('space_member_roles')
          .select(['user_id', 'role_id'])
          .where('space_id', '=', spaceId)
          .execute(),
        db.selectFrom('space_bans').select('user_id').where('space_id', '=', spaceId).execute(),
        db
          .selectFrom('space_invites')
          .select(['id', 'code', 'max_uses', 'uses', 'expires_at'])
          .where('space_id', '=', spaceId)
          .execute(),
        db
          .selectFrom('channels')
          .select(['id', 'type', 'is_private', 'is_admin'])
          .where('space_id', '=', spaceId)
          .execute(),
        db
          .selectFrom('channel_overrides as o')
          .innerJoin('channels as c', 'c.id', 'o.channel_id')
          .select(['o.channel_id', 'o.role_id', 'o.allow', 'o.deny'])
          .where('c.space_id', '=', spaceId)
          .execute(),
        db
          .selectFrom('channel_members as m')
          .innerJoin('channels as c', 'c.id', 'm.channel_id')
          .select(['m.channel_id', 'm.user_id'])
          .where('c.space_id', '=', spaceId)
          .execute(),
        db
          .selectFrom('portals')
          .select(['channel_id', 'target_space_id'])
          .where('source_space_id', '=', spaceId)
          .execute(),
        db
          .selectFrom('forum_threads')
          .select('id')
          .where('space_id', '=', spaceId)
          .where('is_locked', '=', true)
          .execute(),
      ]);
      const t = now();
      const state: SpaceInit = {
        id: spaceId,
        ownerId: space.owner_id,
        isPublic: space.is_public,
        defaultRoleId: roles.find((r) => r.is_default)?.id ?? '0',
        adminChannelId: channels.find((c) => c.is_admin)?.id ?? '0',
        roles: Object.fromEntries(roles.map((r) => [r.id, { p: r.permissions, pos: r.position }])),
        members: Object.fromEntries(members.map((m) => [m.user_id, [] as string[]])),
        bans: Object.fromEntries(bans.map((b) => [b.user_id, true as const])),
        invites: Object.fromEntries(
          invites
            .filter(
              (i) =>
                (i.expires_at === null || i.expires_at.getTime() > t) &&
                (i.max_uses === null || i.uses < i.max_uses),
            )
            .map((i) => [
              i.code,
              { id: i.id, max: i.max_uses, uses: i.uses, exp: i.expires_at ? i.expires_at.getTime() : null },
            ]),
        ),
        channels: {},
        locked: Object.fromEntries(locked.map((l) => [l.id, true as const])),
      };
      for (const mr of memberRoles) state.members[mr.user_id]?.push(mr.role_id);
      for (const c of channels) {
        const ch: ChannelState = {
          t: c.type as ChannelType,
          priv: c.is_private,
          adm: c.is_admin,
          ov: {},
          mem: [],
          portals: [],
        };
        state.channels[c.id] = ch;
      }
      for (const o of overrides) {
        const ch = state.channels[o.channel_id];
        if (ch) ch.ov[o.role_id] = [o.allow, o.deny];
      }
      for (const m of channelMembers) state.channels[m.channel_id]?.mem.push(m.user_id);
      for (const p of portals) state.channels[p.channel_id]?.portals.push(p.target_space_id);
      return state;
    },
  };
}
