/**
 * Wire formats of the two protocols, and the error → ack mapping they share.
 *
 * Room events are encoded once per node and event, per protocol (not per socket): the frame is
 * published on a uWS topic and uWS copies it to every subscribed socket.
 */
import * as v from 'valibot';
import { AppError, isConnectivityError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log.ts';
import { toIssues } from '../validate.ts';
import type { Ack, AckError, Protocol } from './types.ts';

/** How one protocol frames a server event; `eventJson` and `payloadJson` are already JSON text. */
export interface Framing {
  readonly protocol: Protocol;
  /** uWS topic of a room for sockets of this protocol. */
  topic(room: string): string;
  /** The frame as it goes on the WebSocket. */
  encode(eventJson: string, payloadJson: string): string;
}

/**
 * Socket.io v4 over Engine.IO v4: `4` (engine.io MESSAGE) + `2` (socket.io EVENT) + `[name,data]`
 * on the default namespace (https://socket.io/docs/v4/socket-io-protocol/).
 */
export const socketIoFraming: Framing = {
  protocol: 'socket.io',
  topic: (room) => `s\x1f${room}`,
  encode: (eventJson, payloadJson) => `42[${eventJson},${payloadJson}]`,
};

/** Native /ws: `{"t":event,"d":payload}`. */
export const nativeFraming: Framing = {
  protocol: 'ws',
  topic: (room) => `n\x1f${room}`,
  encode: (eventJson, payloadJson) => `{"t":${eventJson},"d":${payloadJson}}`,
};

export const okAck = (data: unknown): Ack => ({ ok: true, data: data === undefined ? null : data });

/** Any thrown value → the spec's error shape; unknown errors are logged and answered INTERNAL. */
export function toAckError(err: unknown, log: Logger, event: string): AckError {
  if (err instanceof AppError)
    return { code: err.code, message: err.message, ...(err.data ? { data: err.data } : {}) };
  if (err instanceof v.ValiError) {
    const issues = toIssues(err.issues);
    return { code: 'VALIDATION_ERROR', message: issues[0]?.message ?? 'invalid data', data: { issues } };
  }
  if (isConnectivityError(err)) {
    log.warn({ err: (err as Error).message, event }, 'dependency unavailable');
    return { code: 'SERVICE_UNAVAILABLE', message: 'A backing service is unavailable; try again shortly' };
  }
  log.error({ err, event }, 'unhandled error in socket command');
  return { code: 'INTERNAL', message: 'Internal server error' };
}

/** Client frame of the native protocol: `{ "t": event, "d"?: data, "id"?: ack id }`. */
export interface NativeFrame {
  t: string;
  d: unknown;
  id: number | string | undefined;
}

const EVENT_RE = /^[a-z][a-z0-9_:.-]{0,63}$/i;

export type ParsedFrame =
  { ok: true; frame: NativeFrame } | { ok: false; error: AppError; id: number | string | undefined };

const badFrame = (message: string, id?: number | string): ParsedFrame => ({
  ok: false,
  error: new AppError('BAD_REQUEST', 400, message),
  id,
});

/** Parse a native client frame; a bad one yields a BAD_REQUEST error (with its ack id when readable). */
export function parseNativeFrame(text: string): ParsedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return badFrame('Frame is not valid JSON; send {"t": event, "d": data, "id"?: n}');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return badFrame('Frame must be a JSON object {"t": event, "d": data, "id"?: n}');
  const f = raw as Record<string, unknown>;
  const id = f.id;
  if (id !== undefined && !(typeof id === 'number' && Number.isSafeInteger(id)) && !isShortString(id))
    return badFrame('Frame "id" must be an integer or a string of at most 64 characters');
  const ackId = id as number | string | undefined;
  if (typeof f.t !== 'string' || !EVENT_RE.test(f.t))
    return badFrame('Frame "t" must be an event name such as "channel:join"', ackId);
  return { ok: true, frame: { t: f.t, d: f.d, id: ackId } };
}

const isShortString = (x: unknown): x is string => typeof x === 'string' && x.length <= 64;

/** Native server frames other than room events. */
export const nativeAckFrame = (id: number | string, ack: Ack): string =>
  JSON.stringify({ t: 'ack', id, d: ack });
export const nativeEventFrame = (event: string, payload: unknown): string =>
  JSON.stringify({ t: event, d: payload === undefined ? null : payload });
