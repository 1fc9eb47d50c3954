/**
 * The native protocol at /ws (README "Realtime"): JSON text frames.
 *   client → server  { "t": event, "d"?: data, "id"?: ack id }
 *   server → client  { "t": event, "d": payload }            room and direct events
 *                    { "t": "ack", "id": id, "d": Ack }      answer to a frame that had an id
 *                    { "t": "error", "d": { event, error } } failure of a frame without an id
 *                    { "t": "ready", "d": { socketId, userId } } once, after auto-join
 * Auth: `?token=<access token>` or `Authorization: Bearer <token>` on the upgrade request; refused
 * upgrades answer 401/403/429 with the spec's error body and never open.
 */
import type uWS from 'uWebSockets.js';
import { STATUS_CODES } from 'node:http';
import { AppError, unauthorized } from '../../engine/errors.ts';
import { Connection } from './connection.ts';
import type { Gateway } from './gateway.ts';
import { nativeAckFrame, nativeEventFrame, nativeFraming, parseNativeFrame, toAckError } from './protocol.ts';
import type { Ack } from './types.ts';

interface UserData {
  conn: NativeConnection;
}

class NativeConnection extends Connection {
  emit(event: string, payload: unknown): void {
    if (!this.closed && this.ws) this.ws.send(nativeEventFrame(event, payload));
  }

  writeDirect(frame: string): void {
    // Only between admission and open: the client has not seen the socket open, so nothing is owed.
    if (!this.closed && this.ws) this.ws.send(frame);
  }

  reply(replyTo: unknown, ack: Ack): void {
    if (!this.closed && this.ws) this.ws.send(nativeAckFrame(replyTo as number | string, ack));
  }

  close(code: number, reason: string): void {
    if (!this.closed && this.ws) this.ws.end(code, reason);
  }
}

function bearer(header: string): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

function refuse(res: uWS.HttpResponse, err: AppError): void {
  res.cork(() => {
    res.writeStatus(`${err.status} ${STATUS_CODES[err.status] ?? ''}`);
    res.writeHeader('Content-Type', 'application/json');
    for (const [k, val] of Object.entries(err.headers ?? {})) res.writeHeader(k, val);
    res.end(JSON.stringify(err.toJSON()));
  });
}

export function attachNative(app: uWS.TemplatedApp, gw: Gateway): () => void {
  const { config, log } = gw.engine;
  app.ws<UserData>('/ws', {
    maxPayloadLength: config.WS_MAX_PAYLOAD_BYTES,
    maxBackpressure: config.WS_MAX_BACKPRESSURE_BYTES,
    closeOnBackpressureLimit: 1,
    idleTimeout: 120,
    sendPingsAutomatically: true,

    upgrade(res, req, context) {
      // Everything from req is read now: it is invalid after the first await.
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const token =
        new URLSearchParams(req.getQuery() ?? '').get('token') ?? bearer(req.getHeader('authorization'));
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      void (async () => {
        let conn: NativeConnection | null = null;
        try {
          if (!token) throw unauthorized('Missing access token: connect to /ws?token=<access token>');
          const user = await gw.authenticate(token);
          if (aborted) return;
          conn = new NativeConnection(gw.newId(), user, nativeFraming, gw, gw.budget, gw.engine.clock.now());
          await gw.admit(conn);
        } catch (err) {
          if (conn) await gw.release(conn);
          if (!aborted) {
            const e = toAckError(err, log, 'upgrade');
            refuse(res, err instanceof AppError ? err : new AppError(e.code, 500, e.message));
          }
          return;
        }
        if (aborted) {
          await gw.release(conn);
          return;
        }
        const c = conn;
        res.cork(() => res.upgrade<UserData>({ conn: c }, key, protocol, extensions, context));
      })();
    },

    open(ws) {
      const { conn } = ws.getUserData();
      if (conn.closed) {
        ws.end(1011, 'released');
        return;
      }
      gw.hub.attach(conn, ws as uWS.WebSocket<unknown>);
      ws.send(nativeEventFrame('ready', { socketId: conn.id, userId: conn.userId }));
    },

    message(ws, message, isBinary) {
      const { conn } = ws.getUserData();
      if (conn.closed) return;
      const refused = gw.admitFrame(conn);
      if (conn.closed) return;
      if (isBinary) {
        gw.answer(conn, 'binary', undefined, {
          ok: false,
          error: { code: 'BAD_REQUEST', message: 'Binary frames are not supported; send JSON text' },
        });
        return;
      }
      // Copy out of uWS's buffer now: it is neutered when this callback returns.
      const parsed = parseNativeFrame(Buffer.from(message).toString('utf8'));
      if (!parsed.ok) {
        gw.answer(conn, 'frame', parsed.id, { ok: false, error: toAckError(parsed.error, log, 'frame') });
        return;
      }
      const { t, d, id } = parsed.frame;
      if (refused) gw.answer(conn, t, id, { ok: false, error: toAckError(refused, log, t) });
      else void gw.dispatch(conn, t, d, id);
    },

    close(ws) {
      const { conn } = ws.getUserData();
      conn.ws = null;
      void gw.release(conn);
    },
  });

  return () => {
    for (const conn of gw.hub.connections())
      if (conn.protocol === 'ws') conn.close(1001, 'server shutting down');
  };
}
