/** Spec "Space Members" and "Space Bans": listing, kicks, member roles, bans. */
import type { Db } from '../../engine/db/index.ts';
import { notFound } from '../../engine/errors.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import { toRole, type RoleDto } from './spaces.schema.ts';

export interface MemberDto {
  userId: string;
  spaceId: string;
  joinedAt: string;
  isOwner: boolean;
  /** Role ids held, the default role included. */
  roles: string[];
  user: { id: string; username: string; displayName: string; avatarUrl: string | null };
}

export class MembersService {
  constructor(private readonly d: SpacesDeps) {}

  /** GET /spaces/:id/members: member objects with user info and roles, by join time. */
  async list(db: Db, userId: string, spaceId: string): Promise<MemberDto[]> {
    const a = await requireSpace(db, spaceId, userId, { view: true });
    const [rows, roles] = await Promise.all([
      db
        .selectFrom('space_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.user_id', 'm.joined_at', 'u.username', 'u.display_name', 'u.avatar_url'])
        .where('m.space_id', '=', spaceId)
        .orderBy('m.joined_at')
        .orderBy('m.user_id')
        .limit(5000)
        .execute(),
      db
        .selectFrom('space_member_roles')
        .select(['user_id', 'role_id'])
        .where('space_id', '=', spaceId)
        .execute(),
    ]);
    const held = new Map<string, string[]>();
    for (const r of roles) {
      let list = held.get(r.user_id);
      if (!list) held.set(r.user_id, (list = []));
      list.push(r.role_id);
    }
    return rows.map((r) => ({
      userId: r.user_id,
      spaceId,
      joinedAt: r.joined_at.toISOString(),
      isOwner: r.user_id === a.space.owner_id,
      roles: [a.defaultRoleId, ...(held.get(r.user_id) ?? [])],
      user: { id: r.user_id, username: r.username, displayName: r.display_name, avatarUrl: r.avatar_url },
    }));
  }

  async kick(userId: string, spaceId: string, targetId: string): Promise<void> {
    await this.d.actors.ask(spaceId, { type: 'member.kick', by: userId, userId: targetId });
  }

  private async rolesOf(db: Db, spaceId: string, targetId: string): Promise<RoleDto[]> {
    const member = await db
      .selectFrom('space_members')
      .select('user_id')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', targetId)
      .executeTakeFirst();
    if (!member) throw notFound('Member not found');
    const rows = await db
      .selectFrom('space_roles as r')
      .selectAll('r')
      .where('r.space_id', '=', spaceId)
      .where((eb) =>
        eb.or([
          eb('r.is_default', '=', true),
          eb.exists(
            eb
              .selectFrom('space_member_roles as mr')
              .select('mr.role_id')
              .whereRef('mr.role_id', '=', 'r.id')
              .where('mr.user_id', '=', targetId),
          ),
        ]),
      )
      .orderBy('r.position')
      .orderBy('r.id')
      .execute();
    return rows.map(toRole);
  }

  /** GET /spaces/:id/members/:userId/roles: requires VIEW_ROLES. */
  async memberRoles(db: Db, userId: string, spaceId: string, targetId: string): Promise<RoleDto[]> {
    await requireSpace(db, spaceId, userId, { need: Permission.VIEW_ROLES });
    return this.rolesOf(db, spaceId, targetId);
  }

  /** PUT /spaces/:id/members/:userId/roles: requires MANAGE_MEMBERS (the actor decides). */
  async setMemberRoles(
    db: Db,
    userId: string,
    spaceId: string,
    targetId: string,
    roleIds: string[],
  ): Promise<RoleDto[]> {
    await this.d.actors.ask(spaceId, { type: 'member.roles', by: userId, userId: targetId, roleIds });
    return this.rolesOf(db, spaceId, targetId);
  }

  /**
   * POST /spaces/:id/bans/:userId: removes the member and posts a system message to the admin channel
   * in the same actor step (403 for the owner, 409 when already banned).
   */
  async ban(
    db: Db,
    userId: string,
    spaceId: string,
    targetId: string,
    reason: string | null,
  ): Promise<{ success: true }> {
    const names = await db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', 'in', [userId, targetId])
      .execute();
    const target = names.find((n) => n.id === targetId);
    if (!target) throw notFound('User not found');
    const by = names.find((n) => n.id === userId)?.username ?? userId;
    const content = `@${target.username} was banned by @${by}${reason ? `: ${reason}` : ''}`;
    await this.d.actors.askWithMessageId(spaceId, (messageId) => ({
      type: 'member.ban',
      by: userId,
      userId: targetId,
      reason,
      messageId,
      content,
    }));
    return { success: true };
  }

  async unban(userId: string, spaceId: string, targetId: string): Promise<void> {
    await this.d.actors.ask(spaceId, { type: 'member.unban', by: userId, userId: targetId });
  }

  /** GET /spaces/:id/bans: requires MANAGE_MEMBERS. */
  async bans(db: Db, userId: string, spaceId: string) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_MEMBERS });
    const rows = await db
      .selectFrom('space_bans as b')
      .innerJoin('users as u', 'u.id', 'b.user_id')
      .select([
        'b.space_id',
        'b.user_id',
        'b.banned_by',
        'b.reason',
        'b.created_at',
        'u.username',
        'u.display_name',
        'u.avatar_url',
      ])
      .where('b.space_id', '=', spaceId)
      .orderBy('b.created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      spaceId: r.space_id,
      userId: r.user_id,
      bannedBy: r.banned_by,
      reason: r.reason,
      createdAt: r.created_at.toISOString(),
      user: { id: r.user_id, username: r.username, displayName: r.display_name, avatarUrl: r.avatar_url },
    }));
  }
}
