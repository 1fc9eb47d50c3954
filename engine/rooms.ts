/**
 * Room fan-out, the emitting side (ARCHITECTURE "Realtime contract"). Features call
 * `rooms.emit(room, event, payload)`; the event is serialised once and published once on the bus
 * subject of the room. The realtime gateway (http/realtime) subscribes to a room's subject only
 * while a local socket is in it, and delivers to its sockets.
 *
 * Rooms: `user:<id>`, `space:<id>`, `channel:<id>`, `dm:<id>`, `thread:<id>` (and feature rooms such
 * as `call:<id>` or `event:<id>` where a feature needs them).
 */
import { publishText, type Bus } from './bus/index.ts';

export interface RoomEvent {
  event: string;
  payload: unknown;
  /** When set, sockets of this user do not receive the event (e.g. the sender's own typing). */
  exceptUserId?: string;
}

export interface Rooms {
  emit(room: string, event: string, payload: unknown, opts?: { exceptUserId?: string }): void;
  /** The bus subject a room's events travel on. */
  subject(room: string): string;
}

export const room = {
  user: (id: string) => `user:${id}`,
  space: (id: string) => `space:${id}`,
  channel: (id: string) => `channel:${id}`,
  dm: (id: string) => `dm:${id}`,
  thread: (id: string) => `thread:${id}`,
};

const UNSAFE_TOKEN = /[.*> \t]/;
const UNSAFE_TOKENS = /[.*> \t]/g;

/** NATS subject tokens cannot hold '.', '*', '>' or spaces; room names are `kind:id`. */
export function roomSubject(namespace: string, roomName: string): string {
  const safe = UNSAFE_TOKEN.test(roomName) ? roomName.replace(UNSAFE_TOKENS, '_') : roomName;
  const colon = safe.indexOf(':');
  return colon < 0
    ? `${namespace}.room.${safe}`
    : `${namespace}.room.${safe.slice(0, colon)}.${safe.slice(colon + 1)}`;
}

export function createRooms(bus: Bus, namespace: string): Rooms {
  return {
    subject: (r) => roomSubject(namespace, r),
    emit(r, event, payload, opts = {}) {
      const msg: RoomEvent = {
        event,
        payload,
        ...(opts.exceptUserId ? { exceptUserId: opts.exceptUserId } : {}),
      };
      publishText(bus, roomSubject(namespace, r), JSON.stringify(msg));
    },
  };
}
