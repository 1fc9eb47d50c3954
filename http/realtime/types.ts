/**
 * The realtime gateway's public API: what feature route modules register and call. Both socket
 * protocols (Socket.io at /socket.io/, native JSON frames at /ws) share every piece of it.
 */
import type * as v from 'valibot';
import type { AuthUser } from '../../engine/auth/types.ts';

export type { AuthUser };

export type Protocol = 'socket.io' | 'ws';

/**
 * Room access for one room kind. Rooms are named `<prefix>:<id>` (`space:12`, `channel:34`,
 * `dm:56`, `thread:78`, ...). A feature registers one provider per kind it owns; a room whose kind has
 * no provider cannot be joined (except the caller's own `user:<id>` room, which the gateway owns).
 *
 * @example
 * services.realtime.access.register({
 *   prefix: 'space',
 *   roomsOf: async (userId) => (await spaceIdsOf(db, userId)).map((id) => `space:${id}`),
 *   canJoin: async (userId, room) => isMember(db, room.slice('space:'.length), userId),
 * });
 */
export interface RoomAccessProvider {
  /** The room kind, without the colon: `'space'` answers for `space:<id>`. */
  readonly prefix: string;
  /**
   * Rooms of this kind every socket of the user joins on connect (the spec: every space room and
   * every DM room). Also how presence finds the spaces to announce a user's status to.
   */
  roomsOf?(userId: string): Promise<string[]>;
  /** May the user's socket join `room` (a full room name of this kind)? Asked on every explicit join. */
  canJoin(userId: string, room: string): Promise<boolean>;
}

/** One connected socket, as a command handler sees it. */
export interface SocketHandle {
  /** Unique per node and connection. */
  readonly id: string;
  readonly protocol: Protocol;
  readonly user: AuthUser;
  /** The rooms this socket is in. */
  rooms(): string[];
  /**
   * Join a room after asking the access registry; rejects with FORBIDDEN when refused. Resolves once
   * events emitted to the room on any node will reach this socket.
   */
  join(room: string): Promise<void>;
  /** Leave a room (no-op when not in it). */
  leave(room: string): void;
  /** Send one event to this socket only. */
  emit(event: string, payload: unknown): void;
}

export interface CommandContext {
  readonly user: AuthUser;
  readonly socket: SocketHandle;
}

/** A client command's handler: its return value becomes the ack's `data` (undefined → null). */
export type CommandHandler<S extends v.GenericSchema> = (
  user: AuthUser,
  data: v.InferOutput<S>,
  ctx: CommandContext,
) => unknown;

export interface CommandOptions {
  /**
   * A per-user limit across nodes (kv sliding window) on top of the per-connection frame limit,
   * e.g. `{ limit: 5, windowMs: 5000 }` for message:send. Over it the ack is RATE_LIMITED.
   */
  rateLimit?: { limit: number; windowMs: number };
}

export interface AckError {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** What every command answers, on both protocols (README "Realtime"). */
export type Ack = { ok: true; data: unknown } | { ok: false; error: AckError };

/**
 * What the gateway needs from the spaces feature for public-space guest visits (space:visit,
 * space:leave_visit, space:kick_guest). Until one is set, those commands answer SERVICE_UNAVAILABLE.
 */
export interface GuestVisitPolicy {
  /** The space exists, is public, and the user is not banned from it. */
  canVisit(userId: string, spaceId: string): Promise<boolean>;
  /** The user may kick guests: owner, or a role with MANAGE_MEMBERS. */
  canKickGuests(userId: string, spaceId: string): Promise<boolean>;
}

export type PresenceStatus = 'online' | 'idle' | 'dnd' | 'offline';
