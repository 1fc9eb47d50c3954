/**
 * One connected socket of either protocol: its user, its rooms, its frame budget. The protocol
 * adapters subclass it with how to write to their socket; everything else is shared.
 */
import type uWS from 'uWebSockets.js';
import type { AuthUser } from '../../engine/auth/types.ts';
import type { Framing } from './protocol.ts';
import type { Ack, AckError, Protocol, SocketHandle } from './types.ts';

/** What a connection needs from the gateway that owns it. */
export interface ConnectionOwner {
  joinChecked(conn: Connection, room: string): Promise<void>;
  leave(conn: Connection, room: string): void;
}

/** A token bucket: `limit` frames per `windowMs`, refilled continuously. */
export interface FrameBudget {
  limit: number;
  windowMs: number;
}

const ALLOWED: { readonly retryAfterMs: number; readonly abusive: boolean } = Object.freeze({
  retryAfterMs: 0,
  abusive: false,
});

export abstract class Connection implements SocketHandle {
  /** Rooms joined (maintained by the RoomHub). */
  readonly joined = new Set<string>();
  /** The uWS socket while the connection can receive through room topics (set by the RoomHub). */
  ws: uWS.WebSocket<unknown> | null = null;
  /** True while counted as a topic subscriber in its rooms, false while written to directly. */
  topicMode = false;
  /** Set once the socket is gone; nothing is written after that. */
  closed = false;
  /** Settles when admission (presence, auto-join) is done; release waits for it. */
  admitted: Promise<void> = Promise.resolve();
  /** Counted in the user's presence socket count (undone on release). */
  counted = false;
  /** Public spaces this socket visits as a guest (rarely used, so created on demand). */
  visits: Set<string> | null = null;
  /** The frame budget; lastRefill -1: untouched, a full bucket (an idle socket stores no clock value). */
  private tokens = 0;
  private lastRefill = -1;
  private refused = 0;

  constructor(
    readonly id: string,
    readonly user: AuthUser,
    readonly framing: Framing,
    private readonly owner: ConnectionOwner,
    private readonly budget: FrameBudget,
    /** Unused (the bucket starts full on the first frame); kept for callers. */
    _now?: number,
  ) {}

  get protocol(): Protocol {
    return this.framing.protocol;
  }

  get userId(): string {
    return this.user.id;
  }

  rooms(): string[] {
    return [...this.joined];
  }

  join(room: string): Promise<void> {
    return this.owner.joinChecked(this, room);
  }

  leave(room: string): void {
    this.owner.leave(this, room);
  }

  /**
   * Take one frame from the budget. Returns 0 when allowed, else the ms until the next frame is
   * allowed; `abusive` turns true once the client keeps sending far past its budget.
   */
  takeFrame(now: number): { retryAfterMs: number; abusive: boolean } {
    const { limit, windowMs } = this.budget;
    if (this.lastRefill < 0) {
      this.tokens = limit;
      this.lastRefill = now;
    }
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.tokens = Math.min(limit, this.tokens + (elapsed * limit) / windowMs);
      this.lastRefill = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refused = 0;
      return ALLOWED;
    }
    this.refused++;
    return {
      retryAfterMs: Math.max(1, Math.ceil(((1 - this.tokens) * windowMs) / limit)),
      abusive: this.refused > limit,
    };
  }

  /** Send one event to this socket only. */
  abstract emit(event: string, payload: unknown): void;
  /** Write a room frame (already encoded for this protocol) while not on topics. */
  abstract writeDirect(frame: string): void;
  /** Answer a command: `replyTo` is the protocol's ack handle (an id or a callback). */
  abstract reply(replyTo: unknown, ack: Ack): void;
  /** Close the socket: `code` is a WebSocket close code. */
  abstract close(code: number, reason: string): void;

  /** Report an error for a frame that asked for no ack. */
  reportError(event: string, error: AckError): void {
    this.emit('error', { event, error });
  }
}
