/**
 * The receiving side of engine/rooms.ts (ARCHITECTURE "Realtime contract"), one for both protocols.
 *
 * - This node subscribes to a room's bus subject only while a local socket is in the room: the first
 *   local join subscribes, the last local leave unsubscribes.
 * - An event arrives once per node (published once by `rooms.emit`), is decoded once, and encoded
 *   once per protocol that has sockets in the room. The frame is published on the room's uWS topic
 *   for that protocol and uWS copies it to each subscribed socket; JS never loops over sockets,
 *   except for Socket.io long-polling sockets (not on a WebSocket yet) and for the rare event that
 *   excludes a user with several sockets in the room.
 * - Events whose name starts with `$` are control messages for the gateway (see gateway.ts) and are
 *   never delivered to clients.
 */
import type uWS from 'uWebSockets.js';
import { msgText, type Bus, type BusMsg, type BusSubscription } from '../../engine/bus/index.ts';
import type { Logger } from '../../engine/log.ts';
import type { RoomEvent } from '../../engine/rooms.ts';
import type { Connection } from './connection.ts';
import type { Framing } from './protocol.ts';

/**
 * A small set that costs nothing extra while it holds one item (most rooms here are a user's own
 * room with one socket, and most users have one socket): null, the item itself, or a Set.
 */
type Few<T> = T | Set<T> | null;

function fewAdd<T extends object>(f: Few<T>, x: T): Few<T> {
  if (f === null || f === x) return x;
  if (f instanceof Set) return f.add(x);
  return new Set([f, x]);
}

function fewDelete<T extends object>(f: Few<T>, x: T): Few<T> {
  if (f === x) return null;
  if (!(f instanceof Set) || !f.delete(x)) return f;
  if (f.size === 1) return f.values().next().value!;
  return f;
}

const fewHas = <T extends object>(f: Few<T>, x: T): boolean => f === x || (f instanceof Set && f.has(x));
const fewList = <T extends object>(f: Few<T>): T[] => (f === null ? [] : f instanceof Set ? [...f] : [f]);

interface LocalRoom {
  readonly name: string;
  readonly sub: BusSubscription;
  members: Few<Connection>;
  /** Members receiving through the uWS topic, per framing (index in `framings`). */
  readonly onTopic: number[];
  /** Members written to one by one (Socket.io long-polling, or a socket not open yet). */
  direct: number;
  /** The room's uWS topic per framing, made on the first event (idle rooms never need them). */
  topics: string[] | null;
}

export interface RoomHubDeps {
  bus: Bus;
  /** The bus subject of a room (engine.rooms.subject). */
  subject(room: string): string;
  framings: readonly Framing[];
  log: Logger;
  /** Receives `$`-events (control messages) published on a room. */
  onControl(room: string, event: RoomEvent): void;
}

export class RoomHub {
  /** By room name. */
  private readonly rooms = new Map<string, LocalRoom>();
  /** The same rooms by bus subject: one shared bus handler finds its room, no closure per room. */
  private readonly bySubject = new Map<string, LocalRoom>();
  private readonly byUser = new Map<string, Few<Connection>>();
  private app: uWS.TemplatedApp | null = null;
  /** Events delivered to this node (after decoding), for stats. */
  delivered = 0;
  private readonly onBusMsg = (m: BusMsg): void => {
    const room = this.bySubject.get(m.subject);
    if (room && this.rooms.get(room.name) === room) this.deliver(room, m);
  };

  constructor(private readonly deps: RoomHubDeps) {}

  setApp(app: uWS.TemplatedApp): void {
    this.app = app;
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Local connections of a user (a copy). */
  connectionsOf(userId: string): readonly Connection[] | undefined {
    const f = this.byUser.get(userId);
    return f ? fewList(f) : undefined;
  }

  users(): IterableIterator<string> {
    return this.byUser.keys();
  }

  /** Every local connection (a copy, safe to close while iterating). */
  connections(): Connection[] {
    const out: Connection[] = [];
    for (const f of this.byUser.values()) out.push(...fewList(f));
    return out;
  }

  /** Track a connection (before its first join). */
  add(conn: Connection): void {
    this.byUser.set(conn.userId, fewAdd(this.byUser.get(conn.userId) ?? null, conn));
  }

  /**
   * Put a connection in a room. Returns true when this node was not subscribed to the room yet: the
   * caller awaits `flush()` before telling the client, so no event published after that is missed.
   */
  join(conn: Connection, roomName: string): boolean {
    if (conn.closed || conn.joined.has(roomName)) return false;
    let room = this.rooms.get(roomName);
    const created = !room;
    if (!room) {
      const subject = this.deps.subject(roomName);
      room = {
        name: roomName,
        sub: this.deps.bus.subscribe(subject, this.onBusMsg),
        members: null,
        onTopic: this.deps.framings.map(() => 0),
        direct: 0,
        topics: null,
      };
      this.rooms.set(roomName, room);
      this.bySubject.set(subject, room);
    }
    room.members = fewAdd(room.members, conn);
    conn.joined.add(roomName);
    if (conn.topicMode && conn.ws) {
      conn.ws.subscribe(conn.framing.topic(roomName));
      room.onTopic[this.index(conn.framing)]!++;
    } else room.direct++;
    return created;
  }

  leave(conn: Connection, roomName: string): void {
    const room = this.rooms.get(roomName);
    if (!room || !fewHas(room.members, conn)) return;
    room.members = fewDelete(room.members, conn);
    conn.joined.delete(roomName);
    if (conn.topicMode) {
      room.onTopic[this.index(conn.framing)]!--;
      // After close uWS has dropped the socket's subscriptions itself (and the socket is invalid).
      if (conn.ws && !conn.closed) conn.ws.unsubscribe(conn.framing.topic(roomName));
    } else room.direct--;
    if (room.members === null) {
      room.sub.unsubscribe();
      this.rooms.delete(roomName);
      const subject = this.deps.subject(roomName);
      if (this.bySubject.get(subject) === room) this.bySubject.delete(subject);
    }
  }

  /** Forget a closed connection: leave every room. */
  remove(conn: Connection): void {
    for (const r of [...conn.joined]) this.leave(conn, r);
    const f = this.byUser.get(conn.userId);
    if (f === undefined) return;
    const rest = fewDelete(f, conn);
    if (rest === null) this.byUser.delete(conn.userId);
    else if (rest !== f) this.byUser.set(conn.userId, rest);
  }

  /**
   * The connection's WebSocket is open (native open, Socket.io websocket transport or upgrade): from
   * now on it receives its rooms through uWS topics.
   */
  attach(conn: Connection, ws: uWS.WebSocket<unknown>): void {
    if (conn.closed) return;
    conn.ws = ws;
    if (conn.topicMode) return;
    conn.topicMode = true;
    const i = this.index(conn.framing);
    for (const r of conn.joined) {
      const room = this.rooms.get(r);
      if (!room) continue;
      ws.subscribe(conn.framing.topic(r));
      room.direct--;
      room.onTopic[i]!++;
    }
  }

  /** Wait until the bus has registered every subscription made so far. */
  flush(): Promise<void> {
    return this.deps.bus.flush();
  }

  /** Unsubscribe everything (shutdown). */
  clear(): void {
    for (const room of this.rooms.values()) room.sub.unsubscribe();
    this.rooms.clear();
    this.bySubject.clear();
    this.byUser.clear();
  }

  private index(f: Framing): number {
    return this.deps.framings.indexOf(f);
  }

  private deliver(room: LocalRoom, m: BusMsg): void {
    const roomName = room.name;
    const text = msgText(m);
    const msg = splitRoomEvent(text) ?? parseRoomEvent(text);
    if (!msg) {
      this.deps.log.warn({ room: roomName }, 'undecodable room event dropped');
      return;
    }
    if (msg.event.charCodeAt(0) === 36 /* '$' */) {
      this.deps.onControl(roomName, {
        event: msg.event,
        payload: JSON.parse(msg.payloadJson) as unknown,
        ...(msg.except !== undefined ? { exceptUserId: msg.except } : {}),
      });
      return;
    }
    this.delivered++;
    const { eventJson, payloadJson, except } = msg;
    const { framings } = this.deps;
    let frames: (string | undefined)[] | undefined;
    for (let i = 0; i < framings.length; i++) {
      if (room.onTopic[i] === 0) continue;
      const f = framings[i]!;
      const frame = f.encode(eventJson, payloadJson);
      if (room.direct !== 0) (frames ??= [])[i] = frame;
      if (except === undefined) this.app?.publish(this.topicOf(room, i), frame);
      else this.publishExcept(room, f, frame, except);
    }
    if (room.direct === 0) return;
    frames ??= [];
    for (const conn of fewList(room.members)) {
      if (conn.topicMode || conn.userId === except) continue;
      const i = this.index(conn.framing);
      conn.writeDirect((frames[i] ??= conn.framing.encode(eventJson, payloadJson)));
    }
  }

  private topicOf(room: LocalRoom, i: number): string {
    const topics = (room.topics ??= this.deps.framings.map((f) => f.topic(room.name)));
    return topics[i]!;
  }

  /**
   * Publish to everyone on the topic but the sockets of one user. uWS's `ws.publish` skips the
   * publishing socket, which covers the common case (the user has one socket here); with more, each
   * other member is sent to directly.
   */
  private publishExcept(room: LocalRoom, f: Framing, frame: string, userId: string): void {
    const topic = this.topicOf(room, this.index(f));
    let excluded: Connection | undefined;
    let count = 0;
    for (const c of fewList(this.byUser.get(userId) ?? null)) {
      if (c.topicMode && c.ws && c.framing === f && c.joined.has(room.name)) {
        excluded = c;
        count++;
      }
    }
    if (count === 0) this.app?.publish(topic, frame);
    else if (count === 1) excluded!.ws!.publish(topic, frame);
    else
      for (const c of fewList(room.members))
        if (c.topicMode && c.ws && c.framing === f && c.userId !== userId) c.ws.send(frame);
  }
}

interface SplitEvent {
  event: string;
  eventJson: string;
  payloadJson: string;
  except: string | undefined;
}

const HEAD = '{"event":"';
const PAYLOAD = '","payload":';
const EXCEPT_TAIL = /,"exceptUserId":"(\d+)"}$/;

/**
 * The fast path: engine/rooms.ts writes `{"event":"<name>","payload":<json>[,"exceptUserId":"<id>"]}`
 * (JSON.stringify keeps key order), so the payload's JSON text is a slice of the message and is
 * never parsed or re-serialised here. Anything else (an event name that needed escaping, another
 * key order) returns null and takes the parsing path.
 */
export function splitRoomEvent(text: string): SplitEvent | null {
  if (!text.startsWith(HEAD)) return null;
  const q = text.indexOf('"', HEAD.length);
  if (q < 0 || !text.startsWith(PAYLOAD, q)) return null;
  const event = text.slice(HEAD.length, q);
  if (event.includes('\\')) return null;
  const start = q + PAYLOAD.length;
  let end = text.length - 1;
  let except: string | undefined;
  if (text.charCodeAt(end - 1) === 34 /* '"' */) {
    // `"}` at the end: an exceptUserId, or a payload that is a JSON string. Inside a JSON string every
    // quote is escaped, so the unescaped tail below can only be the outer exceptUserId.
    const m = EXCEPT_TAIL.exec(text.slice(Math.max(start, end - 60)));
    if (m) {
      except = m[1];
      end = text.length - m[0].length;
    }
  }
  if (end <= start) return null;
  return { event, eventJson: `"${event}"`, payloadJson: text.slice(start, end), except };
}

function parseRoomEvent(text: string): SplitEvent | null {
  let msg: RoomEvent;
  try {
    msg = JSON.parse(text) as RoomEvent;
  } catch {
    return null;
  }
  if (typeof msg?.event !== 'string') return null;
  return {
    event: msg.event,
    eventJson: JSON.stringify(msg.event),
    payloadJson: JSON.stringify(msg.payload ?? null),
    except: typeof msg.exceptUserId === 'string' ? msg.exceptUserId : undefined,
  };
}
