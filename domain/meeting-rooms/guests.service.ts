/**
 * Spec "Public Meeting Rooms (No Auth Required)": the pre-join screen, guest joins (password, invite
 * token, email verification, or sign-in), session tokens for reconnects, leave and heartbeat; and
 * the members' side of guests: invites, the guest list, kicks.
 */
import bcrypt from 'bcryptjs';
import type { Db } from '../../engine/db/index.ts';
import { AppError, badRequest, forbidden, notFound, unauthorized } from '../../engine/errors.ts';
import type { AuthUser } from '../../engine/auth/types.ts';
import type { Guest, MeetingRoomView } from '../../actors/meeting-room/meeting-room.events.ts';
import { randomToken, sha256 } from '../accounts/tokens.ts';
import { loadAccess } from '../spaces/access.ts';
import { roomId, type MeetingDeps } from './deps.ts';
import type { MembersService } from './members.service.ts';
import { listInvites, unuseInvite, useInvite, verificationByHash } from './meeting-rooms.repository.ts';
import {
  toGuest,
  toInvite,
  toMeetingRoom,
  type GuestJoinInput,
  type InviteInput,
} from './meeting-rooms.schema.ts';
import { spaceInfo } from './events.port.ts';
import { meetingInviteIcs } from '../calendar/index.ts';
import { zone } from './time.ts';
import type { PublicTarget } from './public-targets.ts';

type GuestReply = MeetingRoomView & { guest: Guest; opened: boolean };

export class GuestsService {
  constructor(
    private readonly d: MeetingDeps,
    private readonly members: MembersService,
  ) {}

  private get rooms() {
    return this.members.rooms;
  }

  /** GET .../meeting: the pre-join screen. */
  async info(t: PublicTarget) {
    const v = await this.rooms.read(t.actorId);
    const open = v?.status === 'open';
    return {
      ...t.info(),
      participantCount: open ? v.participantCount : 0,
      roomStatus: open ? 'open' : 'closed',
    };
  }

  /** POST .../meeting/join */
  async join(db: Db, t: PublicTarget, input: GuestJoinInput, user: AuthUser | undefined) {
    t.check(this.d.clock.now(), this.d.defaultEarly);
    if (input.sessionToken) {
      const resumed = await this.resume(t, input.sessionToken);
      if (resumed) return this.answer(t, resumed, input.sessionToken);
    }
    const who = await this.identify(db, t, input, user);
    let invite: Awaited<ReturnType<typeof useInvite>> = undefined;
    if (input.inviteToken) {
      if (!t.event) throw badRequest('Invites are for event meetings');
      invite = await useInvite(db, input.inviteToken, t.event.id, new Date(this.d.clock.now()));
      if (!invite) throw forbidden('This invite is invalid, used up or expired');
    } else if (t.passwordHash) {
      if (!input.password || !(await bcrypt.compare(input.password, t.passwordHash)))
        throw forbidden('Wrong or missing meeting password', { passwordRequired: true });
    }
    const guestId = this.d.ids.next();
    const sessionToken = randomToken();
    const member = user ? (await loadAccess(db, t.space.id, user.id))?.isMember === true : false;
    try {
      const callId = this.d.ids.next();
      const r = await this.rooms.ask<GuestReply>(t.actorId, {
        type: 'guest.join',
        target: t.target,
        ttlMs: this.d.ttlMs,
        open: {
          callId,
          roomName: t.target.kind === 'voice' ? `voice_${callId}` : `meeting_${callId}`,
          channelId: t.target.kind === 'event' ? this.d.ids.next() : null,
        },
        ...(await this.roomNameOf(db, t)),
        guest: {
          guestId,
          displayName: who.displayName ?? input.displayName,
          email: who.email,
          emailVerified: who.email !== null,
          userId: user?.id ?? null,
          sessionHash: sha256(sessionToken),
          inviteId: invite?.id ?? null,
          inviteSingleUse: invite?.max_uses === 1,
          livekitIdentity: `guest_${guestId}`,
          // Signed-in members of the space get a member's capabilities.
          grants: { chat: member || t.publicChat, participation: member || t.publicParticipation },
        },
      });
      if (r.session?.channelId && t.target.eventId)
        await this.ensureChannel(db, t, r.session.channelId, t.target.eventId);
      return this.answer(t, r, sessionToken);
    } catch (err) {
      if (invite) await unuseInvite(db, invite.id);
      throw err;
    }
  }

  private async roomNameOf(db: Db, t: PublicTarget): Promise<{ roomName?: string }> {
    const name = await t.roomName(db);
    return name ? { roomName: name } : {};
  }

  private async ensureChannel(db: Db, t: PublicTarget, channelId: string, eventId: string) {
    const row = await db.selectFrom('channels').select('id').where('id', '=', channelId).executeTakeFirst();
    if (!row) await this.d.channels.ensure(t.space.id, t.space.ownerId, channelId, eventId);
  }

  /** A known session comes back as it was; a kicked one is refused; a gone one joins anew. */
  private async resume(t: PublicTarget, sessionToken: string): Promise<GuestReply | null> {
    try {
      return await this.rooms.ask<GuestReply>(t.actorId, {
        type: 'guest.resume',
        sessionHash: sha256(sessionToken),
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /** The identity mode's requirement: a signed-in user, a verified email, or nothing. */
  private async identify(db: Db, t: PublicTarget, input: GuestJoinInput, user: AuthUser | undefined) {
    if (t.identityMode === 'require_login') {
      if (!user) throw unauthorized('Sign in to join this meeting');
      return { email: null, displayName: null };
    }
    if (t.identityMode === 'email_verify') {
      if (!input.emailVerificationToken)
        throw forbidden('Verify your email to join this meeting', { emailVerificationRequired: true });
      const v = await verificationByHash(db, sha256(input.emailVerificationToken));
      const sameTarget =
        v && (t.event ? v.event_id === t.event.id : v.channel_id === t.target.voiceChannelId);
      if (!v || !sameTarget || !v.verified_at || v.expires_at.getTime() < this.d.clock.now())
        throw forbidden('This email verification is invalid or expired', { emailVerificationRequired: true });
      return { email: v.email.toLowerCase(), displayName: v.display_name };
    }
    return { email: null, displayName: null };
  }

  private async answer(t: PublicTarget, r: GuestReply, sessionToken: string) {
    const g = r.guest;
    const token = await this.d.media.token(
      g.roomName,
      { identity: g.livekitIdentity, name: g.displayName },
      { publish: g.grants.participation, data: g.grants.chat },
    );
    return {
      token,
      sessionToken,
      guestId: g.guestId,
      channelId: t.publicChat ? (r.session?.channelId ?? null) : null,
      meetingRoom: toMeetingRoom(r),
    };
  }

  /** POST .../meeting/leave */
  async leave(t: PublicTarget, sessionToken: string): Promise<void> {
    await this.rooms.ask(t.actorId, { type: 'guest.leave', sessionHash: sha256(sessionToken) });
  }

  /** POST .../meeting/heartbeat: "still here" (MEETING_PARTICIPANT_TTL_MS). */
  async heartbeat(t: PublicTarget, sessionToken: string): Promise<void> {
    await this.rooms.ask(t.actorId, { type: 'guest.heartbeat', sessionHash: sha256(sessionToken) });
  }

  /** POST .../meeting/verify-email: a link to GET /public/meeting/verify/:token by email. */
  async requestVerification(db: Db, t: PublicTarget, email: string, displayName: string) {
    if (t.identityMode !== 'email_verify') throw badRequest('This meeting does not use email verification');
    const token = randomToken();
    await db
      .insertInto('meeting_email_verifications')
      .values({
        id: this.d.ids.next(),
        token_hash: sha256(token),
        email,
        display_name: displayName,
        space_id: t.space.id,
        event_id: t.event?.id ?? null,
        channel_id: t.target.voiceChannelId,
        expires_at: new Date(this.d.clock.now() + this.d.verifyTtlMs),
      })
      .execute();
    const link = `${this.d.publicUrl.replace(/\/$/, '')}/api/public/meeting/verify/${token}`;
    await this.d.email.send({
      to: email,
      subject: `Confirm your email to join ${t.event?.name ?? 'the voice channel'}`,
      text: `Hi ${displayName},\n\nconfirm your email to join the meeting: ${link}\n`,
      meta: { kind: 'meeting_verify', token },
    });
    return { sent: true };
  }

  /** GET /public/meeting/verify/:token */
  async verify(db: Db, token: string) {
    const v = await verificationByHash(db, sha256(token));
    if (!v || v.expires_at.getTime() < this.d.clock.now())
      throw notFound('Verification not found or expired');
    if (!v.verified_at)
      await db
        .updateTable('meeting_email_verifications')
        .set({ verified_at: new Date(this.d.clock.now()) })
        .where('id', '=', v.id)
        .execute();
    return {
      token,
      email: v.email,
      displayName: v.display_name,
      eventId: v.event_id,
      channelId: v.channel_id,
    };
  }

  // ---- members' side ----

  /** POST /spaces/:spaceId/calendar/events/:eventId/meeting/invite (MANAGE_CALENDAR) */
  async createInvite(db: Db, userId: string, spaceId: string, eventId: string, input: InviteInput) {
    const ev = await this.members.managed(db, userId, spaceId, eventId);
    const space = (await spaceInfo(db, { id: spaceId }))!;
    const row = await db
      .insertInto('meeting_invites')
      .values({
        id: this.d.ids.next(),
        event_id: eventId,
        space_id: spaceId,
        token: randomToken(24),
        email: input.email ?? null,
        max_uses: input.maxUses ?? null,
        expires_at: input.expiresInHours
          ? new Date(this.d.clock.now() + input.expiresInHours * 3_600_000)
          : null,
        created_by: userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const invite = toInvite(row, this.d.publicUrl, space.slug);
    if (row.email)
      await this.d.email.send({
        to: row.email,
        subject: `You are invited to ${ev.name}`,
        text: `Join the meeting for ${ev.name} on ${ev.eventDate}${ev.eventTime ? ` at ${ev.eventTime}` : ''}: ${invite.inviteUrl}\n`,
        attachments: [
          {
            filename: 'invite.ics',
            contentType: 'text/calendar; charset=utf-8; method=REQUEST',
            content: meetingInviteIcs(ev, {
              tz: zone(space.timezone),
              url: invite.inviteUrl,
              host: new URL(this.d.publicUrl).host || 'reef',
              spaceName: space.name,
            }),
          },
        ],
        meta: { kind: 'meeting_invite', token: row.token },
      });
    return invite;
  }

  async invites(db: Db, userId: string, spaceId: string, eventId: string) {
    await this.members.managed(db, userId, spaceId, eventId);
    const space = (await spaceInfo(db, { id: spaceId }))!;
    return (await listInvites(db, eventId)).map((r) => toInvite(r, this.d.publicUrl, space.slug));
  }

  async deleteInvite(db: Db, userId: string, spaceId: string, eventId: string, inviteId: string) {
    await this.members.managed(db, userId, spaceId, eventId);
    const r = await db
      .deleteFrom('meeting_invites')
      .where('id', '=', inviteId)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    if (r.numDeletedRows === 0n) throw notFound('Invite not found');
  }

  /** GET .../meeting/guests (members) */
  async guests(db: Db, userId: string, spaceId: string, eventId: string) {
    await this.members.spaceEvent(db, userId, spaceId, eventId);
    const v = await this.rooms.read(roomId.event(eventId));
    return v?.status === 'open' ? v.guests.map(toGuest) : [];
  }

  /** POST .../meeting/kick/:guestId (MANAGE_CALENDAR) */
  async kick(db: Db, userId: string, spaceId: string, eventId: string, guestId: string): Promise<void> {
    await this.members.managed(db, userId, spaceId, eventId);
    await this.rooms.ask(roomId.event(eventId), { type: 'guest.kick', guestId, by: userId });
  }
}
