/**
 * Spec "Follows" and social-graph-api "Follow Limits". The target's followRequestPolicy decides the
 * status of a new follow: accept_all → accepted; accept_mutual_spaces → accepted when the two share
 * a space, else pending; require_approval → pending. Counts and lists are of accepted follows only.
 * Events (to each one's personal room): follow:request_received and follow:new_follower to the
 * followee, follow:accepted to the follower whose request was accepted.
 */
import { blockedEitherWay } from '../accounts/index.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { room } from '../../engine/rooms.ts';
import type { ResolvedStatus, StatusResolver } from '../notifications/index.ts';
import { inTx } from './tx.ts';
import type { SocialDeps, SocialPorts } from './ports.ts';
import {
  acceptPending,
  countAccepted,
  countOutgoing,
  deleteFollow,
  getFollow,
  insertFollow,
  listFollowUsers,
  lockUser,
  userSummaries,
} from './follows.repository.ts';
import {
  toUserSummary,
  type FollowListQuery,
  type FollowStatus,
  type UserSummary,
} from './follows.schema.ts';

export class FollowsService {
  constructor(
    private readonly p: SocialPorts,
    private readonly deps: SocialDeps,
  ) {}

  private async summary(db: Db, userId: string): Promise<UserSummary> {
    const [row] = await userSummaries(db, [userId]);
    if (!row) throw notFound('User not found');
    return toUserSummary(row);
  }

  private async policyStatus(
    db: Db,
    followerId: string,
    followeeId: string,
  ): Promise<'pending' | 'accepted'> {
    const prefs = await db
      .selectFrom('user_preferences')
      .select('follow_request_policy')
      .where('user_id', '=', followeeId)
      .executeTakeFirst();
    switch (prefs?.follow_request_policy ?? 'accept_all') {
      case 'require_approval':
        return 'pending';
      case 'accept_mutual_spaces':
        return (await this.deps.directory().shareSpace(db, followerId, followeeId)) ? 'accepted' : 'pending';
      default:
        return 'accepted';
    }
  }

  /** POST /follows/:userId */
  async follow(db: Db, meId: string, targetId: string): Promise<{ status: 'pending' | 'accepted' }> {
    if (meId === targetId) throw badRequest('You cannot follow yourself');
    await this.summary(db, targetId); // 404 for an unknown user
    if (await blockedEitherWay(db, meId, targetId)) throw forbidden('You cannot follow this user');
    const max = this.p.config.FOLLOW_MAX;
    const status = await inTx(db, async (trx) => {
      await lockUser(trx, meId);
      const existing = await getFollow(trx, meId, targetId);
      if (existing?.status === 'pending') throw badRequest('A follow request is already pending');
      if (existing?.status === 'accepted') return null;
      if ((await countOutgoing(trx, meId)) >= max)
        throw badRequest(`You can follow at most ${max} accounts; unfollow someone first`, { limit: max });
      const s = await this.policyStatus(trx, meId, targetId);
      await insertFollow(trx, {
        followerId: meId,
        followeeId: targetId,
        status: s,
        createdAt: new Date(this.p.clock.now()),
      });
      return s;
    });
    if (status === null) return { status: 'accepted' };
    const me = await this.summary(db, meId);
    if (status === 'pending') {
      this.p.rooms.emit(room.user(targetId), 'follow:request_received', { followerId: meId, follower: me });
      await this.deps.notifier.notify(
        targetId,
        'follow_request',
        {
          followerId: meId,
          actorUsername: me.username,
          actorDisplayName: me.displayName,
          actorAvatarUrl: me.avatarUrl,
        },
        { actorId: meId },
      );
    } else {
      this.p.rooms.emit(room.user(targetId), 'follow:new_follower', { followerId: meId, follower: me });
    }
    return { status };
  }

  /** DELETE /follows/:userId: the row goes, accepted or pending. */
  async unfollow(db: Db, meId: string, targetId: string): Promise<void> {
    await deleteFollow(db, meId, targetId);
  }

  /** POST /follows/requests/:followerId/accept */
  async accept(db: Db, meId: string, followerId: string): Promise<{ success: true }> {
    if (!(await acceptPending(db, followerId, meId)))
      throw badRequest('No pending follow request from this user');
    const me = await this.summary(db, meId);
    this.p.rooms.emit(room.user(followerId), 'follow:accepted', { userId: meId, user: me });
    return { success: true };
  }

  /** POST /follows/requests/:followerId/decline */
  async decline(db: Db, meId: string, followerId: string): Promise<{ success: true }> {
    if ((await deleteFollow(db, followerId, meId, 'pending')) === 0)
      throw badRequest('No pending follow request from this user');
    return { success: true };
  }

  /** DELETE /follows/followers/:followerId */
  async removeFollower(db: Db, meId: string, followerId: string): Promise<void> {
    if ((await deleteFollow(db, followerId, meId, 'accepted')) === 0)
      throw badRequest('This user does not follow you');
  }

  /** GET /follows/status/:userId */
  async status(db: Db, meId: string, userId: string): Promise<FollowStatus> {
    const [out, inc] = await Promise.all([getFollow(db, meId, userId), getFollow(db, userId, meId)]);
    return {
      isFollowing: out?.status === 'accepted',
      isFollowedBy: inc?.status === 'accepted',
      followRequestPending: out?.status === 'pending',
      incomingRequestPending: inc?.status === 'pending',
    };
  }

  /** GET /follows/counts/:userId */
  async counts(db: Db, userId: string): Promise<{ followingCount: number; followerCount: number }> {
    await this.summary(db, userId);
    const c = await countAccepted(db, userId);
    return { followingCount: c.following, followerCount: c.followers };
  }

  /** GET /follows/:userId/followers and /following (accepted). */
  async list(
    db: Db,
    side: 'followers' | 'following',
    userId: string,
    page: FollowListQuery,
  ): Promise<UserSummary[]> {
    await this.summary(db, userId);
    return (await listFollowUsers(db, side, userId, 'accepted', page)).map(toUserSummary);
  }

  /** GET /follows/requests/pending (incoming) and /sent (outgoing). */
  async requests(
    db: Db,
    meId: string,
    dir: 'incoming' | 'sent',
    page: FollowListQuery,
  ): Promise<UserSummary[]> {
    const side = dir === 'incoming' ? 'followers' : 'following';
    return (await listFollowUsers(db, side, meId, 'pending', page)).map(toUserSummary);
  }

  /** resolvedStatus of follow_request notifications: the request's current state. */
  readonly resolveRequests: StatusResolver = async (db, userId, items) => {
    const out = new Map<string, ResolvedStatus>();
    for (const it of items) {
      const followerId = typeof it.data['followerId'] === 'string' ? it.data['followerId'] : null;
      const row = followerId ? await getFollow(db, followerId, userId) : undefined;
      out.set(
        it.id,
        row?.status === 'pending' ? 'pending' : row?.status === 'accepted' ? 'accepted' : 'rejected',
      );
    }
    return out;
  };
}
