/**
 * The realtime gateway (issue 4): Socket.io at /socket.io/ and the native protocol at /ws, on the
 * same uWS app as the REST edge, sharing one room hub, one command registry and one access registry.
 *
 * Lifecycle of a socket (both protocols): authenticate (same check as HTTP) → admit (count it for
 * presence and the per-user socket cap, join `user:<id>` and every auto-join room of the access
 * registry, wait until the bus has the subscriptions) → commands → release (leave rooms, end guest
 * visits, presence).
 */
import type uWS from 'uWebSockets.js';
import * as v from 'valibot';
import { AppError, forbidden, rateLimited } from '../../engine/errors.ts';
import type { Engine } from '../../engine/index.ts';
import { parseRate } from '../../engine/config.ts';
import { room as roomName, type RoomEvent } from '../../engine/rooms.ts';
import { PresenceService } from '../../domain/presence/presence.service.ts';
import { toIssues } from '../validate.ts';
import { Connection, type FrameBudget } from './connection.ts';
import { nativeFraming, okAck, socketIoFraming, toAckError } from './protocol.ts';
import { AccessRegistry, CommandRegistry, type Command } from './registry.ts';
import { RoomHub } from './room-hub.ts';
import { GuestVisits } from './visits.ts';
import type {
  Ack,
  AuthUser,
  CommandHandler,
  CommandOptions,
  GuestVisitPolicy,
  SocketHandle,
} from './types.ts';

/** Control message on a `user:<id>` room: act on that user's sockets on every node. */
export type ControlOp =
  { op: 'join'; room: string } | { op: 'leave'; room: string } | { op: 'endVisit'; spaceId: string };
export const CONTROL_EVENT = '$gateway';

export interface GatewayStats {
  connections: { 'socket.io': number; ws: number };
  users: number;
  rooms: number;
  delivered: number;
}

const DONE: Promise<void> = Promise.resolve();
const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

export class Gateway {
  /** Room access providers: features register one per room kind they own. */
  readonly access = new AccessRegistry();
  /** Client commands (both protocols). Prefer `gateway.command(...)`. */
  readonly commands = new CommandRegistry();
  readonly presence: PresenceService;
  readonly hub: RoomHub;
  /** Public-space guest visits (space:visit, space:leave_visit, space:kick_guest). */
  readonly visits: GuestVisits;
  readonly budget: FrameBudget;
  private seq = 0;
  private readonly counts = { 'socket.io': 0, ws: 0 };
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly stoppers: Array<() => Promise<void> | void> = [];
  private readonly releasing = new Set<Promise<void>>();

  constructor(
    readonly engine: Engine,
    /** Maps an access token to its user or throws 401/403 (createAuthenticator). */
    readonly authenticate: (token: string) => Promise<AuthUser>,
  ) {
    const { config } = engine;
    const rate = parseRate(config.WS_RATE_LIMIT);
    this.budget = { limit: rate.limit, windowMs: rate.windowMs };
    this.hub = new RoomHub({
      bus: engine.bus,
      subject: (r) => engine.rooms.subject(r),
      framings: [socketIoFraming, nativeFraming],
      log: engine.log,
      onControl: (r, e) => this.onControl(r, e),
    });
    this.presence = new PresenceService({
      kv: engine.kv,
      rooms: engine.rooms,
      ttlMs: config.PRESENCE_TTL_MS,
      roomsToNotify: (userId) => this.access.roomsOfKind('space', userId),
    });
    this.visits = new GuestVisits(engine, this.hub, (userId, op) => this.control(userId, op));
  }

  /**
   * Register a client command for both protocols: validated with `schema`, rate limited, acked with
   * `{ ok: true, data }` or `{ ok: false, error: { code, message, data? } }`.
   */
  command<S extends v.GenericSchema>(
    name: string,
    schema: S,
    handler: CommandHandler<S>,
    options?: CommandOptions,
  ): void {
    this.commands.register(name, schema, handler, options);
  }

  /** The spaces feature sets this to enable space:visit / space:kick_guest (null disables them). */
  setGuestVisitPolicy(policy: GuestVisitPolicy | null): void {
    this.visits.policy = policy;
  }

  /**
   * Put every socket of a user, on every node, in a room (a feature granted access after connect:
   * joined a space, started a DM). No access check: the caller decided.
   */
  joinUser(userId: string, room: string): void {
    this.control(userId, { op: 'join', room });
  }

  /** Take every socket of a user, on every node, out of a room (kicked, banned, left). */
  leaveUser(userId: string, room: string): void {
    this.control(userId, { op: 'leave', room });
  }

  control(userId: string, op: ControlOp): void {
    this.engine.rooms.emit(roomName.user(userId), CONTROL_EVENT, op);
  }

  stats(): GatewayStats {
    return {
      connections: { ...this.counts },
      users: [...this.hub.users()].length,
      rooms: this.hub.size,
      delivered: this.hub.delivered,
    };
  }

  /** Called by the protocol adapters' start; `stop` runs what they leave here. */
  start(app: uWS.TemplatedApp, stoppers: Array<() => Promise<void> | void>): void {
    this.hub.setApp(app);
    this.stoppers.push(...stoppers);
    const every = Math.max(50, Math.floor(this.engine.config.PRESENCE_TTL_MS / 3));
    this.sweepTimer = setInterval(() => {
      this.presence
        .sweep(this.hub.users())
        .catch((err: Error) => this.engine.log.warn({ err: err.message }, 'presence sweep failed'));
    }, every);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const s of this.stoppers.splice(0)) await s();
    // Closing the sockets released them; let presence and visits settle before the ports close.
    await Promise.allSettled([...this.releasing]);
    this.hub.clear();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  newId(): string {
    return `${this.engine.config.NODE_ID}.${++this.seq}`;
  }

  /**
   * Admit an authenticated connection: presence count and socket cap, user room, auto-join rooms.
   * Throws (TOO_MANY_SOCKETS, SERVICE_UNAVAILABLE, ...) when the socket must be refused; the adapter
   * then calls `release`.
   */
  admit(conn: Connection): Promise<void> {
    conn.admitted = (async () => {
      this.hub.add(conn);
      this.counts[conn.protocol]++;
      if (this.stopping) throw new AppError('SERVICE_UNAVAILABLE', 503, 'Server is shutting down');
      const n = await this.presence.connect(conn.userId);
      conn.counted = true;
      const cap = this.engine.config.WS_MAX_SOCKETS_PER_USER;
      if (n > cap)
        throw new AppError('TOO_MANY_SOCKETS', 429, `At most ${cap} open sockets per user`, { limit: cap });
      const rooms = [roomName.user(conn.userId), ...(await this.access.roomsOf(conn.userId))];
      let fresh = false;
      for (const r of rooms) fresh = this.hub.join(conn, r) || fresh;
      if (fresh) await this.hub.flush();
    })();
    const p = conn.admitted;
    // Admitted: hold the shared settled promise rather than this one (an idle socket keeps less).
    p.then(
      () => {
        if (conn.admitted === p) conn.admitted = DONE;
      },
      () => undefined,
    );
    return p;
  }

  /** The socket is gone (or was refused): leave rooms, end guest visits, update presence. Idempotent. */
  release(conn: Connection): Promise<void> {
    if (conn.closed) return Promise.resolve();
    conn.closed = true;
    const p = this.releaseNow(conn).finally(() => this.releasing.delete(p));
    this.releasing.add(p);
    return p;
  }

  private async releaseNow(conn: Connection): Promise<void> {
    await conn.admitted.catch(() => undefined);
    const visits = conn.visits ? [...conn.visits] : [];
    this.hub.remove(conn);
    conn.ws = null;
    this.counts[conn.protocol]--;
    try {
      for (const spaceId of visits) await this.visits.leave(conn, spaceId);
      if (conn.counted) await this.presence.disconnect(conn.userId);
    } catch (err) {
      this.engine.log.warn({ err: (err as Error).message, user: conn.userId }, 'socket release failed');
    }
  }

  /** The connection behind a command's socket handle (they are the same object). */
  connectionOf(socket: SocketHandle): Connection {
    if (!(socket instanceof Connection)) throw new Error('not a gateway socket');
    return socket;
  }

  /** A join asked by a client: through the access registry. */
  async joinChecked(conn: Connection, room: string): Promise<void> {
    if (conn.joined.has(room)) return;
    if (!(await this.access.canJoin(conn.userId, room))) throw forbidden(`You cannot join ${room}`);
    if (this.hub.join(conn, room)) await this.hub.flush();
  }

  leave(conn: Connection, room: string): void {
    if (room === roomName.user(conn.userId)) return; // the personal room is for the socket's life
    this.hub.leave(conn, room);
  }

  /**
   * Budget check for every client frame, before it is even parsed. Returns the error to answer, or
   * null; a client far over its budget is disconnected.
   */
  admitFrame(conn: Connection): AppError | null {
    const r = conn.takeFrame(this.engine.clock.now());
    if (r.retryAfterMs === 0) return null;
    if (r.abusive) {
      conn.close(1008, 'rate limit exceeded');
      return null;
    }
    return rateLimited(r.retryAfterMs, 'Too many socket messages');
  }

  /**
   * Run one client command and answer it (ack when `replyTo` is set, else an `error` event on
   * failure). A handler that answers synchronously costs no promise: the answer then goes out on a
   * microtask (after the room events the handler emitted, as for an async handler), and a frame with
   * nothing to answer (no ack asked, success) costs nothing more.
   */
  dispatch(conn: Connection, event: string, data: unknown, replyTo: unknown): Promise<void> {
    let out: unknown;
    try {
      const cmd = this.commands.get(event);
      if (!cmd)
        throw new AppError(
          'UNKNOWN_EVENT',
          400,
          `Event "${event}" is unknown or not available on this server`,
          { event },
        );
      const parsed = v.safeParse(cmd.schema, data);
      if (!parsed.success) {
        const issues = toIssues(parsed.issues);
        const first = issues[0];
        throw new AppError(
          'VALIDATION_ERROR',
          400,
          first ? `${first.path ? first.path + ': ' : ''}${first.message}` : 'invalid data',
          { issues },
        );
      }
      const rl = cmd.options.rateLimit;
      if (rl) return this.dispatchLimited(conn, event, cmd, parsed.output, replyTo, rl);
      out = cmd.handler(conn.user, parsed.output, { user: conn.user, socket: conn });
    } catch (err) {
      return this.answerLater(conn, event, replyTo, this.failed(err, event));
    }
    if (isThenable(out))
      return Promise.resolve(out).then(
        (d) => this.answer(conn, event, replyTo, okAck(d)),
        (err: unknown) => this.answer(conn, event, replyTo, this.failed(err, event)),
      );
    if (replyTo === undefined) return DONE;
    return this.answerLater(conn, event, replyTo, okAck(out));
  }

  private async dispatchLimited(
    conn: Connection,
    event: string,
    cmd: Command,
    input: unknown,
    replyTo: unknown,
    rl: { limit: number; windowMs: number },
  ): Promise<void> {
    let ack: Ack;
    try {
      const r = await this.engine.kv.rateLimit(`ws:${event}:${conn.userId}`, rl.limit, rl.windowMs);
      if (!r.allowed) throw rateLimited(r.retryAfterMs);
      ack = okAck(await cmd.handler(conn.user, input, { user: conn.user, socket: conn }));
    } catch (err) {
      ack = this.failed(err, event);
    }
    this.answer(conn, event, replyTo, ack);
  }

  private failed(err: unknown, event: string): Ack {
    return { ok: false, error: toAckError(err, this.engine.log, event) };
  }

  private answerLater(conn: Connection, event: string, replyTo: unknown, ack: Ack): Promise<void> {
    return Promise.resolve().then(() => this.answer(conn, event, replyTo, ack));
  }

  /** Answer a frame: ack it, or report a failure of an un-acked frame. */
  answer(conn: Connection, event: string, replyTo: unknown, ack: Ack): void {
    if (conn.closed) return;
    if (replyTo !== undefined) conn.reply(replyTo, ack);
    else if (!ack.ok) conn.reportError(event, ack.error);
  }

  private onControl(room: string, e: RoomEvent): void {
    if (e.event !== CONTROL_EVENT || !room.startsWith('user:')) return;
    const conns = this.hub.connectionsOf(room.slice('user:'.length));
    if (!conns) return;
    const op = e.payload as ControlOp;
    let fresh = false;
    for (const conn of [...conns]) {
      if (op.op === 'join') fresh = this.hub.join(conn, op.room) || fresh;
      else if (op.op === 'leave') this.leave(conn, op.room);
      else if (op.op === 'endVisit') this.visits.endLocal(conn, op.spaceId);
    }
    if (fresh) void this.hub.flush().catch(() => undefined);
  }
}
