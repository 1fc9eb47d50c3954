/**
 * Spec "Portals": a channel of one space mirrored into another. Its messages live once, in the
 * source channel; members of the target space see it in their channel list and read and post in it
 * with their own space's rights (actors/space: `viaPortal`). A portal is created directly by someone
 * who manages channels in both spaces, or through an invite the target space accepts.
 */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, conflict, forbidden, notFound } from '../../engine/errors.ts';
import { has, Permission } from '../../actors/space/permissions.ts';
import { requireChannel, requireSpace } from './access.ts';
import type { SpacesDeps } from './deps.ts';
import { toSpace, type SpaceDto } from './spaces.schema.ts';

interface PortalRow {
  id: string;
  source_space_id: string;
  channel_id: string;
  target_space_id: string;
  created_by: string | null;
  created_at: Date;
}
const toPortal = (r: PortalRow) => ({
  id: r.id,
  sourceSpaceId: r.source_space_id,
  channelId: r.channel_id,
  targetSpaceId: r.target_space_id,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});
interface InviteRow extends Omit<PortalRow, 'created_by'> {
  requested_by: string | null;
  status: string;
}
const toInvite = (r: InviteRow) => ({
  id: r.id,
  sourceSpaceId: r.source_space_id,
  channelId: r.channel_id,
  targetSpaceId: r.target_space_id,
  requestedBy: r.requested_by,
  status: r.status,
  createdAt: r.created_at.toISOString(),
});

export class PortalsService {
  constructor(private readonly d: SpacesDeps) {}

  private async sourceChannel(db: Db, spaceId: string, channelId: string) {
    const ch = await db
      .selectFrom('channels')
      .select(['id', 'is_private', 'is_admin'])
      .where('id', '=', channelId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!ch) throw notFound('Channel not found');
    if (ch.is_private || ch.is_admin) throw badRequest('Private and admin channels cannot be portaled');
  }

  private async portal(db: Db, portalId: string) {
    const r = await db.selectFrom('portals').selectAll().where('id', '=', portalId).executeTakeFirst();
    if (!r) throw notFound('Portal not found');
    return r;
  }

  /** POST /spaces/:id/portals: MANAGE_CHANNELS here (the actor checks) and in the target space. */
  async create(db: Db, userId: string, spaceId: string, channelId: string, targetSpaceId: string) {
    await this.sourceChannel(db, spaceId, channelId);
    const target = await requireSpace(db, targetSpaceId, userId);
    if (!has(target.base, Permission.MANAGE_CHANNELS))
      throw forbidden('Requires MANAGE_CHANNELS in the target space; send a portal invite instead');
    const portalId = this.d.ports.ids.next();
    await this.d.actors.ask(spaceId, { type: 'portal.add', by: userId, portalId, channelId, targetSpaceId });
    return toPortal(await this.portal(db, portalId));
  }

  /** POST /spaces/:id/portal-invites: MANAGE_CHANNELS in the source space; the target decides. */
  async invite(db: Db, userId: string, spaceId: string, channelId: string, targetSpaceId: string) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    await this.sourceChannel(db, spaceId, channelId);
    if (targetSpaceId === spaceId) throw badRequest('A channel cannot be portaled into its own space');
    const target = await db
      .selectFrom('spaces')
      .select('id')
      .where('id', '=', targetSpaceId)
      .executeTakeFirst();
    if (!target) throw notFound('Target space not found');
    const dup = await db
      .selectFrom('portal_invites')
      .select('id')
      .where('channel_id', '=', channelId)
      .where('target_space_id', '=', targetSpaceId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (dup) throw conflict('A portal invite for this channel and space is already pending');
    const row = await db
      .insertInto('portal_invites')
      .values({
        id: this.d.ports.ids.next(),
        source_space_id: spaceId,
        channel_id: channelId,
        target_space_id: targetSpaceId,
        requested_by: userId,
        created_at: new Date(this.d.ports.clock.now()),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.notifyInvite(db, userId, row.id, spaceId, channelId, targetSpaceId);
    return toInvite(row);
  }

  /** portal_invite (actionable) to the target space's owner, who decides. */
  private async notifyInvite(
    db: Db,
    userId: string,
    inviteId: string,
    spaceId: string,
    channelId: string,
    targetSpaceId: string,
  ): Promise<void> {
    const [source, target, channel] = await Promise.all([
      db.selectFrom('spaces').select(['name']).where('id', '=', spaceId).executeTakeFirstOrThrow(),
      db
        .selectFrom('spaces')
        .select(['owner_id', 'name'])
        .where('id', '=', targetSpaceId)
        .executeTakeFirstOrThrow(),
      db.selectFrom('channels').select(['name']).where('id', '=', channelId).executeTakeFirstOrThrow(),
    ]);
    if (target.owner_id === userId) return;
    await this.d.notifier.notify(
      target.owner_id,
      'portal_invite',
      {
        inviteId,
        // the recipient's space: muting it silences the push
        spaceId: targetSpaceId,
        targetSpaceName: target.name,
        sourceSpaceId: spaceId,
        spaceName: source.name,
        channelId,
        channelName: channel.name,
        actorId: userId,
      },
      { actorId: userId },
    );
  }

  async list(db: Db, userId: string, spaceId: string) {
    await requireSpace(db, spaceId, userId, { member: true });
    const rows = await db
      .selectFrom('portals')
      .selectAll()
      .where((eb) => eb.or([eb('source_space_id', '=', spaceId), eb('target_space_id', '=', spaceId)]))
      .orderBy('id')
      .execute();
    return rows.map(toPortal);
  }

  async invites(db: Db, userId: string, spaceId: string) {
    await requireSpace(db, spaceId, userId, { member: true });
    const rows = await db
      .selectFrom('portal_invites')
      .selectAll()
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('source_space_id', '=', spaceId), eb('target_space_id', '=', spaceId)]))
      .orderBy('id')
      .execute();
    return rows.map(toInvite);
  }

  /** Accept or reject an invite addressed to this space: MANAGE_CHANNELS here. */
  async decide(db: Db, userId: string, spaceId: string, inviteId: string, accept: boolean) {
    await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    const inv = await db
      .selectFrom('portal_invites')
      .selectAll()
      .where('id', '=', inviteId)
      .where('target_space_id', '=', spaceId)
      .executeTakeFirst();
    if (!inv) throw notFound('Portal invite not found');
    if (inv.status !== 'pending') throw conflict(`Portal invite is already ${inv.status}`);
    if (!accept) {
      await db.updateTable('portal_invites').set({ status: 'rejected' }).where('id', '=', inviteId).execute();
      return { ...toInvite(inv), status: 'rejected' };
    }
    const portalId = this.d.ports.ids.next();
    await this.d.actors.ask(inv.source_space_id, {
      type: 'portal.add',
      by: null,
      portalId,
      channelId: inv.channel_id,
      targetSpaceId: spaceId,
    });
    await db.updateTable('portal_invites').set({ status: 'accepted' }).where('id', '=', inviteId).execute();
    return toPortal(await this.portal(db, portalId));
  }

  /** DELETE /spaces/:id/portals/:portalId: from either side, with MANAGE_CHANNELS on that side. */
  async remove(db: Db, userId: string, spaceId: string, portalId: string): Promise<void> {
    const p = await this.portal(db, portalId);
    if (p.source_space_id !== spaceId && p.target_space_id !== spaceId) throw notFound('Portal not found');
    const fromTarget = p.target_space_id === spaceId;
    if (fromTarget) await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CHANNELS });
    await this.d.actors.ask(p.source_space_id, {
      type: 'portal.remove',
      by: userId,
      portalId,
      channelId: p.channel_id,
      targetSpaceId: p.target_space_id,
      fromTarget,
    });
  }

  /** GET /portals/eligible-spaces/:channelId: the caller's other spaces without this portal yet. */
  async eligible(db: Db, userId: string, channelId: string): Promise<SpaceDto[]> {
    const v = await requireChannel(db, channelId, userId);
    const rows = await db
      .selectFrom('spaces as s')
      .innerJoin('space_members as m', 'm.space_id', 's.id')
      .selectAll('s')
      .where('m.user_id', '=', userId)
      .where('s.id', '!=', v.channel.space_id)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('portals as p')
              .select('p.id')
              .where('p.channel_id', '=', channelId)
              .whereRef('p.target_space_id', '=', 's.id'),
          ),
        ),
      )
      .orderBy('s.id')
      .execute();
    return rows.map(toSpace);
  }
}
