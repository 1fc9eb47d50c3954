/**
 * Spec "Direct Messages", the conversation side: create or get a 1:1, group DMs, requests, members,
 * read markers, mutes, delete. The conversation actor decides (membership is its state); this
 * service gathers the facts it cannot read itself (blocks, the recipient's privacy policy, follows,
 * shared spaces) and renders its answers. After each change the caller's own view of the rows is
 * brought up to date before answering (the actor's outbox does the same write again, guarded by rev).
 */
import { blockedEitherWay } from '../accounts/index.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Ids } from '../../engine/ids.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { ActorRuntime } from '../../engine/actors/types.ts';
import { room } from '../../engine/rooms.ts';
import { CONVERSATION_KIND } from '../../actors/conversation/conversation.machine.ts';
import type {
  ConversationEvent,
  ConversationView,
  NewMember,
} from '../../actors/conversation/conversation.events.ts';
import type { RoomMembership } from './delivery.ts';
import {
  applyView,
  blocksAmong,
  claimPair,
  conversationsOf,
  declineInProjection,
  findPair,
  follows,
  insertGroup,
  membership,
  pendingBetween,
  privacyOf,
  type MsgPolicy,
} from './conversations.repository.ts';
import { renderRows, renderView } from './presenter.ts';
import type { ConversationDto } from './conversations.schema.ts';
import { unreadCounts } from './conversations.repository.ts';

/** "Do these two users share a space?" (the spaces feature answers; until then: no). */
export interface SharedSpaces {
  shareSpace(db: Db, userA: string, userB: string): Promise<boolean>;
}

export interface ConversationsDeps {
  db: Db;
  ids: Ids;
  clock: Clock;
  actors: ActorRuntime;
  spaces: () => SharedSpaces;
  membership: () => RoomMembership;
  /** Schedules "decline the pending requests between these users" after a block commits. */
  onBlocked(a: string, b: string): Promise<void>;
}

type EventBody = ConversationEvent extends infer E
  ? E extends { at: number }
    ? Omit<E, 'at'>
    : never
  : never;

export class ConversationsService {
  constructor(private readonly d: ConversationsDeps) {}

  ask<T>(conversationId: string, event: EventBody, timeoutMs?: number): Promise<T> {
    return this.d.actors.ask<T>({ kind: CONVERSATION_KIND, id: conversationId }, event, timeoutMs);
  }

  /** Apply the actor's answer to the rows, then render it for the caller. */
  private async settle(view: ConversationView, viewerId: string): Promise<ConversationDto> {
    await applyView(this.d.db, view);
    const me = view.members.find((m) => m.userId === viewerId);
    if (me?.status === 'accepted') this.d.membership().joinUser(viewerId, room.dm(view.id));
    else if (me) this.d.membership().leaveUser(viewerId, room.dm(view.id));
    const dto = (await renderView(this.d.db, view, [viewerId])).get(viewerId);
    if (!dto) throw notFound('Conversation not found');
    return dto;
  }

  /** POST /conversations/with/:userId: create or get the one 1:1 conversation of a pair. */
  async open(meId: string, otherId: string): Promise<{ created: boolean; conversation: ConversationDto }> {
    const { db } = this.d;
    if (otherId === meId) throw badRequest('You cannot open a conversation with yourself');
    const [other] = await privacyOf(db, [otherId]);
    if (!other) throw notFound('User not found');
    if (await blockedEitherWay(db, meId, otherId)) throw forbidden('You cannot message this user');
    let id = await findPair(db, meId, otherId);
    let created = false;
    let otherStatus: 'accepted' | 'pending' = 'accepted';
    if (!id) {
      const policy = await this.policyFor(otherId, meId, other);
      if (policy === 'dont_allow') throw badRequest('This user does not accept messages from you');
      otherStatus = policy === 'require_approval' ? 'pending' : 'accepted';
      const newId = this.d.ids.next();
      id = await claimPair(db, meId, otherId, newId, meId, new Date(this.d.clock.now()));
      created = id === newId;
    }
    const view = await this.ask<ConversationView>(id, {
      type: 'open',
      by: meId,
      other: otherId,
      otherStatus,
    });
    return { created, conversation: await this.settle(view, meId) };
  }

  /** Spec: followed → msgPrivacyFollowed; else shared space → msgPrivacySpaces; else msgPrivacyAll. */
  private async policyFor(
    recipient: string,
    sender: string,
    prefs: {
      msg_privacy_all: string | null;
      msg_privacy_followed: string | null;
      msg_privacy_spaces: string | null;
    },
  ): Promise<MsgPolicy> {
    const pick = (p: string | null) => (p ?? 'accept_all') as MsgPolicy;
    if (await follows(this.d.db, recipient, sender)) return pick(prefs.msg_privacy_followed);
    if (await this.d.spaces().shareSpace(this.d.db, recipient, sender)) return pick(prefs.msg_privacy_spaces);
    return pick(prefs.msg_privacy_all);
  }

  /** Each invitee's msgPrivacyGroupDm: dont_allow refuses the whole request (400). */
  private async groupInvitees(meId: string, userIds: string[]): Promise<NewMember[]> {
    const ids = [...new Set(userIds)].filter((u) => u !== meId);
    const prefs = await privacyOf(this.d.db, ids);
    if (prefs.length !== ids.length) throw badRequest('Unknown user in participantIds');
    const blocks = await blocksAmong(this.d.db, [meId, ...ids]);
    if (blocks.some((b) => b.blocker_id === meId || b.blocked_id === meId))
      throw forbidden('You cannot add a user you blocked or who blocked you');
    return prefs.map((p) => {
      const policy = (p.msg_privacy_group_dm ?? 'accept_all') as MsgPolicy;
      if (policy === 'dont_allow')
        throw badRequest('A participant does not accept group conversations', { userId: p.id });
      return { userId: p.id, status: policy === 'require_approval' ? 'pending' : 'accepted' };
    });
  }

  async createGroup(meId: string, name: string | null, participantIds: string[]): Promise<ConversationDto> {
    const members = await this.groupInvitees(meId, participantIds);
    if (members.length === 0) throw badRequest('A group needs at least one participant besides you');
    const id = this.d.ids.next();
    await insertGroup(this.d.db, id, name, meId, new Date(this.d.clock.now()));
    const view = await this.ask<ConversationView>(id, { type: 'group.create', by: meId, name, members });
    return this.settle(view, meId);
  }

  /** The caller must be in the conversation (any state but never-invited): else 404. */
  async requireMember(conversationId: string, userId: string) {
    const m = await membership(this.d.db, conversationId, userId);
    if (!m) throw notFound('Conversation not found');
    return m;
  }

  async change(meId: string, conversationId: string, event: EventBody): Promise<ConversationDto> {
    await this.requireMember(conversationId, meId);
    const view = await this.ask<ConversationView>(conversationId, event);
    return this.settle(view, meId);
  }

  async addMembers(meId: string, conversationId: string, userIds: string[]): Promise<ConversationDto> {
    const m = await this.requireMember(conversationId, meId);
    if (m.type !== 'group') throw badRequest('Members can only be added to group conversations');
    const members = await this.groupInvitees(meId, userIds);
    return this.change(meId, conversationId, { type: 'members.add', by: meId, members });
  }

  async remove(meId: string, conversationId: string): Promise<void> {
    const m = await this.requireMember(conversationId, meId);
    if (m.type !== 'dm') throw badRequest('Group conversations cannot be deleted; leave them instead');
    await this.ask(conversationId, { type: 'delete', by: meId });
  }

  list(meId: string): Promise<ConversationDto[]> {
    return conversationsOf(this.d.db, meId, ['accepted']).then((rows) => renderRows(this.d.db, rows));
  }

  requests(meId: string): Promise<ConversationDto[]> {
    return conversationsOf(this.d.db, meId, ['pending']).then((rows) => renderRows(this.d.db, rows));
  }

  async unreads(meId: string) {
    const rows = await unreadCounts(this.d.db, meId);
    return {
      total: rows.reduce((n, r) => n + r.unread, 0),
      conversations: rows.map((r) => ({ conversationId: r.conversation_id, unreadCount: r.unread })),
    };
  }

  /** For the realtime gateway: DM rooms a user's sockets join (accepted conversations only). */
  async roomsOf(userId: string): Promise<string[]> {
    const rows = await conversationsOf(this.d.db, userId, ['accepted']);
    return rows.map((r) => room.dm(r.id));
  }

  async canJoin(userId: string, roomName: string): Promise<boolean> {
    const id = roomName.slice('dm:'.length);
    if (!/^\d{1,19}$/.test(id)) return false;
    return (await membership(this.d.db, id, userId))?.status === 'accepted';
  }

  /**
   * Accounts' onBlock hook, inside the block's transaction (spec "User Blocks": a block declines
   * pending DM requests between the two). The rows change with the block; the actor hears of it
   * after the commit.
   */
  async declineOnBlock(trx: Db, a: string, b: string): Promise<void> {
    const pending = await pendingBetween(trx, a, b);
    for (const p of pending) await declineInProjection(trx, p.id, p.pendingUser);
    if (pending.length > 0) await this.d.onBlocked(a, b);
  }

  /** After a block committed: the actors decline what the rows already show declined (null: no block yet). */
  async declinePendingBetween(a: string, b: string): Promise<number | null> {
    const { db } = this.d;
    if (!(await blockedEitherWay(db, a, b))) return null;
    const id = await findPair(db, a, b);
    if (!id) return 0;
    const view = await this.ask<ConversationView>(id, { type: 'get' });
    let n = 0;
    for (const m of view.members)
      if (m.status === 'pending') {
        const next = await this.ask<ConversationView>(id, { type: 'decline', by: m.userId });
        await applyView(db, next);
        n++;
      }
    return n;
  }
}
