/** Spec "Roles" and "Invites": role CRUD (the actor decides, rows follow) and invite links. */
import { randomBytes } from 'node:crypto';
import type * as v from 'valibot';
import type { Db } from '../../engine/db/index.ts';
import { notFound } from '../../engine/errors.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import {
  toInvite,
  toRole,
  type CreateRoleInput,
  type InviteInput,
  type PatchRoleInput,
  type RoleDto,
} from './spaces.schema.ts';

/** 10 characters of an alphabet without look-alikes: ~50 bits, unguessable enough for a link. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
function inviteCode(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

export class RolesService {
  constructor(private readonly d: SpacesDeps) {}

  async role(db: Db, spaceId: string, roleId: string): Promise<RoleDto> {
    const r = await db
      .selectFrom('space_roles')
      .selectAll()
      .where('id', '=', roleId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!r) throw notFound('Role not found');
    return toRole(r);
  }

  /** GET /spaces/:id/roles: requires VIEW_CHANNELS. */
  async list(db: Db, userId: string, spaceId: string): Promise<RoleDto[]> {
    await requireSpace(db, spaceId, userId, { need: Permission.VIEW_CHANNELS });
    const rows = await db
      .selectFrom('space_roles')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map(toRole);
  }

  async create(
    db: Db,
    userId: string,
    spaceId: string,
    input: v.InferOutput<typeof CreateRoleInput>,
  ): Promise<RoleDto> {
    const roleId = this.d.ports.ids.next();
    let position = input.position;
    if (position === undefined) {
      const max = await db
        .selectFrom('space_roles')
        .select((eb) => eb.fn.max('position').as('p'))
        .where('space_id', '=', spaceId)
        .executeTakeFirst();
      position = Number(max?.p ?? 0) + 1;
    }
    await this.d.actors.ask(spaceId, {
      type: 'role.create',
      by: userId,
      roleId,
      row: { name: input.name, color: input.color ?? null, position },
      permissions: input.permissions ?? '0',
    });
    return this.role(db, spaceId, roleId);
  }

  async update(
    db: Db,
    userId: string,
    spaceId: string,
    roleId: string,
    input: v.InferOutput<typeof PatchRoleInput>,
  ): Promise<RoleDto> {
    await this.d.actors.ask(spaceId, {
      type: 'role.update',
      by: userId,
      roleId,
      row: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.color !== undefined ? { color: input.color } : {}),
        ...(input.position !== undefined ? { position: input.position } : {}),
      },
      ...(input.permissions !== undefined ? { permissions: input.permissions } : {}),
    });
    return this.role(db, spaceId, roleId);
  }

  async remove(userId: string, spaceId: string, roleId: string): Promise<void> {
    await this.d.actors.ask(spaceId, { type: 'role.delete', by: userId, roleId });
  }

  // ---- invites ----

  /** GET /spaces/invites/:code/preview (no auth). */
  async preview(db: Db, code: string) {
    const r = await db
      .selectFrom('space_invites as i')
      .innerJoin('spaces as s', 's.id', 'i.space_id')
      .select([
        's.name',
        's.slug',
        's.description',
        's.icon_url',
        's.member_count',
        'i.max_uses',
        'i.uses',
        'i.expires_at',
      ])
      .where('i.code', '=', code)
      .executeTakeFirst();
    if (!r) throw notFound('Invite not found');
    const now = this.d.ports.clock.now();
    if ((r.expires_at && r.expires_at.getTime() <= now) || (r.max_uses !== null && r.uses >= r.max_uses))
      throw notFound('Invite not found or no longer valid');
    return {
      space: {
        name: r.name,
        slug: r.slug,
        description: r.description,
        iconUrl: r.icon_url,
        memberCount: r.member_count,
      },
    };
  }

  async createInvite(db: Db, userId: string, spaceId: string, input: v.InferOutput<typeof InviteInput>) {
    const inviteId = this.d.ports.ids.next();
    const hours = input.expiresInHours ?? null;
    await this.d.actors.ask(spaceId, {
      type: 'invite.create',
      by: userId,
      inviteId,
      code: inviteCode(),
      maxUses: input.maxUses ?? null,
      expiresAt: hours === null ? null : this.d.ports.clock.now() + Math.round(hours * 3600_000),
    });
    const row = await db
      .selectFrom('space_invites')
      .selectAll()
      .where('id', '=', inviteId)
      .executeTakeFirstOrThrow();
    return toInvite(row);
  }

  async listInvites(db: Db, userId: string, spaceId: string) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_INVITES });
    const rows = await db
      .selectFrom('space_invites')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toInvite);
  }

  async deleteInvite(db: Db, userId: string, spaceId: string, inviteId: string): Promise<void> {
    const row = await db
      .selectFrom('space_invites')
      .select('id')
      .where('id', '=', inviteId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!row) {
      await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_INVITES });
      throw notFound('Invite not found');
    }
    await this.d.actors.ask(spaceId, { type: 'invite.delete', by: userId, inviteId });
  }
}
