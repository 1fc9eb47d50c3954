/**
 * Public-space guest visits (spec "WebSocket Events": space:visit, space:leave_visit,
 * space:kick_guest; space:guest_joined / guest_left / guest_kicked).
 *
 * A visiting socket joins the `space:<id>` room as a guest. Visits are counted per user and space in
 * the kv (`guests:<space>:<user>`), so a user visiting from two tabs or two nodes joins once and
 * leaves once. A kick ends the user's visits on every node through a control message on their
 * `user:<id>` room.
 */
import { AppError, conflict, forbidden, notFound } from '../../engine/errors.ts';
import type { Engine } from '../../engine/index.ts';
import { room } from '../../engine/rooms.ts';
import { findPublicUser } from '../../domain/presence/presence.repository.ts';
import type { Connection } from './connection.ts';
import type { ControlOp } from './gateway.ts';
import type { RoomHub } from './room-hub.ts';
import type { AuthUser, GuestVisitPolicy } from './types.ts';

const guestKey = (spaceId: string, userId: string) => `guests:${spaceId}:${userId}`;
/** Visits outlive no socket; the TTL only bounds what a crashed node leaves behind. */
const GUEST_KEY_TTL_MS = 24 * 3600_000;

export class GuestVisits {
  /** Set by the spaces feature (gateway.setGuestVisitPolicy). */
  policy: GuestVisitPolicy | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly hub: RoomHub,
    private readonly control: (userId: string, op: ControlOp) => void,
  ) {}

  private requirePolicy(): GuestVisitPolicy {
    if (!this.policy)
      throw new AppError('SERVICE_UNAVAILABLE', 503, 'Public space visits are not available on this server');
    return this.policy;
  }

  /** space:visit: join a public space's room as a guest. */
  async visit(conn: Connection, spaceId: string): Promise<{ spaceId: string }> {
    const policy = this.requirePolicy();
    const r = room.space(spaceId);
    if (conn.visits?.has(spaceId)) return { spaceId };
    if (conn.joined.has(r)) throw conflict('You are already in this space');
    if (!(await policy.canVisit(conn.userId, spaceId)))
      throw forbidden('This space is not public or you cannot visit it');
    if (conn.closed) return { spaceId };
    (conn.visits ??= new Set()).add(spaceId);
    if (this.hub.join(conn, r)) await this.hub.flush();
    const n = await this.engine.kv.incr(guestKey(spaceId, conn.userId), 1, GUEST_KEY_TTL_MS);
    if (n === 1) {
      const user = (await findPublicUser(this.engine.db.db, conn.userId)) ?? {
        id: conn.userId,
        username: conn.user.username,
      };
      this.engine.rooms.emit(r, 'space:guest_joined', { spaceId, user }, { exceptUserId: conn.userId });
    }
    return { spaceId };
  }

  /** space:leave_visit, and a visiting socket that closes. */
  async leave(conn: Connection, spaceId: string): Promise<{ spaceId: string }> {
    if (!conn.visits?.delete(spaceId)) return { spaceId };
    this.hub.leave(conn, room.space(spaceId));
    const key = guestKey(spaceId, conn.userId);
    const n = await this.engine.kv.incr(key, -1);
    if (n <= 0) {
      await this.engine.kv.del(key);
      this.engine.rooms.emit(room.space(spaceId), 'space:guest_left', { spaceId, userId: conn.userId });
    }
    return { spaceId };
  }

  /** space:kick_guest: requires MANAGE_MEMBERS (asked of the policy). */
  async kick(
    user: AuthUser,
    spaceId: string,
    targetUserId: string,
  ): Promise<{ spaceId: string; userId: string }> {
    const policy = this.requirePolicy();
    if (!(await policy.canKickGuests(user.id, spaceId)))
      throw forbidden('Kicking guests requires MANAGE_MEMBERS');
    const key = guestKey(spaceId, targetUserId);
    if (Number((await this.engine.kv.get(key)) ?? '0') <= 0)
      throw notFound('That user is not visiting this space');
    await this.engine.kv.del(key);
    // 1. every node ends the target's visits of this space, 2. the target is told, 3. the space is told.
    this.control(targetUserId, { op: 'endVisit', spaceId });
    this.engine.rooms.emit(room.user(targetUserId), 'space:guest_kicked', { spaceId });
    this.engine.rooms.emit(room.space(spaceId), 'space:guest_left', { spaceId, userId: targetUserId });
    return { spaceId, userId: targetUserId };
  }

  /** Control message: end a local socket's visit without counting (the kick reset the count). */
  endLocal(conn: Connection, spaceId: string): void {
    if (!conn.visits?.delete(spaceId)) return;
    this.hub.leave(conn, room.space(spaceId));
  }
}
