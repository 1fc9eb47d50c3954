/**
 * Spec "Meeting Rooms" (members of a space) and "Personal Event Meeting Rooms" (the event's owner):
 * join opens the room (a call and, for space events, a temporary text channel), leave closes it when
 * the last participant goes. The actor decides; this service checks who may and when.
 */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { MeetingRoomView, RoomTarget } from '../../actors/meeting-room/meeting-room.events.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { requireSpace } from '../spaces/access.ts';
import { profiles } from '../conversations/conversations.repository.ts';
import { RoomActors, roomId, type MeetingDeps } from './deps.ts';
import { spaceInfo, userTimezone, type MeetingEvent } from './events.port.ts';
import { myOpenRoom, openRoomsOfSpace } from './meeting-rooms.repository.ts';
import { toMeetingCall, toMeetingRoom } from './meeting-rooms.schema.ts';
import { checkWindow, dateIn, zone } from './time.ts';

type JoinReply = MeetingRoomView & { opened: boolean };

export class MembersService {
  readonly rooms: RoomActors;
  constructor(private readonly d: MeetingDeps) {
    this.rooms = new RoomActors(d);
  }

  /** A space event of this space with a meeting room, for a member. */
  async spaceEvent(db: Db, userId: string, spaceId: string, eventId: string, need?: bigint) {
    await requireSpace(db, spaceId, userId, need === undefined ? { member: true } : { member: true, need });
    const ev = await this.d.events().spaceEvent(db, eventId);
    if (!ev || ev.spaceId !== spaceId) throw notFound('Event not found');
    return ev;
  }

  private usable(ev: MeetingEvent): void {
    if (!ev.meetingRoomEnabled) throw badRequest('This event has no meeting room');
    if (ev.isCancelled) throw badRequest('This event is cancelled');
  }

  private open() {
    const callId = this.d.ids.next();
    return { callId, roomName: `meeting_${callId}`, channelId: this.d.ids.next() };
  }

  /** POST /spaces/:spaceId/calendar/events/:eventId/room/join */
  async join(db: Db, userId: string, spaceId: string, eventId: string, date: string | undefined) {
    const ev = await this.spaceEvent(db, userId, spaceId, eventId);
    this.usable(ev);
    const space = (await spaceInfo(db, { id: spaceId }))!;
    checkWindow(ev, {
      now: this.d.clock.now(),
      tz: zone(space.timezone),
      date,
      defaultEarly: this.d.defaultEarly,
    });
    const target: RoomTarget = { kind: 'event', eventId, spaceId, voiceChannelId: null, ownerId: null };
    const r = await this.rooms.ask<JoinReply>(roomId.event(eventId), {
      type: 'member.join',
      userId,
      target,
      open: this.open(),
      ttlMs: this.d.ttlMs,
    });
    if (r.session?.channelId) await this.ensureChannel(db, space.ownerId, r, eventId);
    return { ...(await this.answer(db, r, userId)), channelId: r.session?.channelId ?? null };
  }

  /** The temporary channel exists before the joiner is answered (the effect also makes sure). */
  private async ensureChannel(db: Db, ownerId: string, r: MeetingRoomView, eventId: string) {
    const channelId = r.session!.channelId!;
    const row = await db.selectFrom('channels').select('id').where('id', '=', channelId).executeTakeFirst();
    if (!row) await this.d.channels.ensure(r.target!.spaceId!, ownerId, channelId, eventId);
  }

  private async answer(db: Db, r: MeetingRoomView, userId: string) {
    const people = await profiles(
      db,
      r.members.map((m) => m.userId),
    );
    const me = people.get(userId);
    const token = await this.d.media.token(
      r.session!.roomName,
      { identity: userId, name: me?.display_name ?? me?.username ?? userId },
      { publish: true, data: true },
    );
    return { call: toMeetingCall(r, people), token, meetingRoom: toMeetingRoom(r) };
  }

  /** POST /spaces/:spaceId/calendar/events/:eventId/room/leave */
  async leave(db: Db, userId: string, spaceId: string, eventId: string): Promise<void> {
    await this.spaceEvent(db, userId, spaceId, eventId);
    await this.rooms.ask(roomId.event(eventId), { type: 'member.leave', userId });
  }

  /** POST /spaces/:spaceId/calendar/events/:eventId/room/heartbeat: "still here" (MEETING_PARTICIPANT_TTL_MS). */
  async heartbeat(db: Db, userId: string, spaceId: string, eventId: string): Promise<void> {
    await this.spaceEvent(db, userId, spaceId, eventId);
    await this.rooms.ask(roomId.event(eventId), { type: 'member.heartbeat', userId });
  }

  /** GET /spaces/:spaceId/calendar/active-rooms: open rooms of events on `date` (default today). */
  async active(db: Db, userId: string, spaceId: string, date: string | undefined) {
    await requireSpace(db, spaceId, userId, { member: true });
    const space = (await spaceInfo(db, { id: spaceId }))!;
    const day = date ?? dateIn(zone(space.timezone), this.d.clock.now());
    const out = [];
    for (const row of await openRoomsOfSpace(db, spaceId)) {
      const ev = row.event_id ? await this.d.events().spaceEvent(db, row.event_id) : null;
      if (!ev || ev.eventDate !== day) continue;
      const v = await this.rooms.read(row.id);
      if (!v || v.status !== 'open') continue;
      out.push({ ...toMeetingRoom(v), eventName: ev.name, eventDate: ev.eventDate, eventTime: ev.eventTime });
    }
    return out;
  }

  /** GET /spaces/:spaceId/calendar/my-active-room */
  async mine(db: Db, userId: string, spaceId: string) {
    await requireSpace(db, spaceId, userId, { member: true });
    const row = await myOpenRoom(db, spaceId, userId);
    const v = row ? await this.rooms.read(row.id) : null;
    if (!v || v.status !== 'open' || !v.members.some((m) => m.userId === userId)) return { room: null };
    return { room: toMeetingRoom(v) };
  }

  /** MANAGE_CALENDAR on the event's space (invites, kicks). */
  managed(db: Db, userId: string, spaceId: string, eventId: string) {
    return this.spaceEvent(db, userId, spaceId, eventId, Permission.MANAGE_CALENDAR);
  }

  // ---- personal events ----

  private async personal(db: Db, userId: string, eventId: string) {
    const ev = await this.d.events().personalEvent(db, eventId);
    if (!ev) throw notFound('Event not found');
    if (ev.ownerId !== userId) throw forbidden('Only the event owner can use its meeting room');
    return ev;
  }

  /** POST /users/me/collections/events/:eventId/room/join */
  async joinPersonal(db: Db, userId: string, eventId: string, date: string | undefined) {
    const ev = await this.personal(db, userId, eventId);
    this.usable(ev);
    if (!ev.eventTime || !ev.endTime)
      throw badRequest('The event needs eventTime and endTime for a meeting room');
    const tz = zone(await userTimezone(db, userId));
    checkWindow(ev, { now: this.d.clock.now(), tz, date, defaultEarly: this.d.defaultEarly });
    const target: RoomTarget = {
      kind: 'personal',
      eventId,
      spaceId: null,
      voiceChannelId: null,
      ownerId: userId,
    };
    const r = await this.rooms.ask<JoinReply>(roomId.personal(eventId), {
      type: 'member.join',
      userId,
      target,
      open: { ...this.open(), channelId: null },
      ttlMs: this.d.ttlMs,
    });
    return this.answer(db, r, userId);
  }

  /** POST /users/me/collections/events/:eventId/room/leave */
  async leavePersonal(db: Db, userId: string, eventId: string): Promise<void> {
    await this.personal(db, userId, eventId);
    await this.rooms.ask(roomId.personal(eventId), { type: 'member.leave', userId });
  }
}
