/**
 * Socket.io v4 at /socket.io/ on the shared uWS app (`io.attachApp`), for an unmodified
 * socket.io-client over websocket or long-polling (with upgrade).
 *
 * - Auth: `auth: { token }` in the handshake, checked in a middleware with the HTTP token check; a
 *   refusal is a connect_error whose `message` says why and whose `data` is `{ code, message }`.
 * - Room events do not go through socket.io's adapter: the room hub publishes one pre-encoded
 *   packet per room on a uWS topic that the socket's WebSocket is subscribed to. A socket still on
 *   long-polling is written to directly until it upgrades.
 * - Every client event goes to the gateway's command dispatch; the last argument, when a function,
 *   is the ack.
 */
import type uWS from 'uWebSockets.js';
import { Server, type Socket } from 'socket.io';
import { unauthorized, type AppError } from '../../engine/errors.ts';
import type { Config } from '../../engine/config.ts';
import { Connection } from './connection.ts';
import type { Gateway } from './gateway.ts';
import { socketIoFraming, toAckError } from './protocol.ts';
import type { Ack } from './types.ts';

interface SocketData {
  conn?: SocketIoConnection;
}
type AnyEvents = Record<string, (...args: unknown[]) => void>;
type IoSocket = Socket<AnyEvents, AnyEvents, AnyEvents, SocketData>;

class SocketIoConnection extends Connection {
  socket!: IoSocket;

  emit(event: string, payload: unknown): void {
    if (!this.closed) this.socket.emit(event, payload);
  }

  writeDirect(frame: string): void {
    // The frame starts with engine.io's message type '4', which conn.write adds itself.
    if (!this.closed) this.socket.conn.write(frame.slice(1));
  }

  reply(replyTo: unknown, ack: Ack): void {
    if (typeof replyTo === 'function') (replyTo as (a: Ack) => void)(ack);
  }

  close(): void {
    if (!this.closed) this.socket.disconnect(true);
  }
}

/** The uWS socket under an engine.io websocket transport, or null while on long-polling. */
function webSocketOf(socket: IoSocket): uWS.WebSocket<unknown> | null {
  const t = socket.conn.transport as unknown as { name: string; socket?: uWS.WebSocket<unknown> };
  return t.name === 'websocket' && t.socket ? t.socket : null;
}

/**
 * engine.io's uWS binding does not pass `closeOnBackpressureLimit` through, so the app handed to
 * `attachApp` adds our socket limits to the WebSocket route it registers.
 */
function limitedApp(app: uWS.TemplatedApp, config: Config) {
  const facade = {
    any: (pattern: string, handler: Parameters<uWS.TemplatedApp['any']>[1]) => {
      app.any(pattern, handler);
      return facade;
    },
    get: (pattern: string, handler: Parameters<uWS.TemplatedApp['get']>[1]) => {
      app.get(pattern, handler);
      return facade;
    },
    ws: (pattern: string, behavior: uWS.WebSocketBehavior<unknown>) => {
      app.ws(pattern, {
        ...behavior,
        maxBackpressure: config.WS_MAX_BACKPRESSURE_BYTES,
        closeOnBackpressureLimit: 1,
      });
      return facade;
    },
    publish: (topic: string, message: uWS.RecognizedString, isBinary?: boolean) =>
      app.publish(topic, message, isBinary),
  };
  return facade;
}

function connectError(err: AppError | { code: string; message: string }): Error & { data: unknown } {
  const e = new Error(err.message) as Error & { data: unknown };
  e.data = { code: err.code, message: err.message };
  return e;
}

/** Shared by every socket (no closure per socket): `this` is the socket. */
function onAnyEvent(this: IoSocket, event: string, ...args: unknown[]): void {
  const conn = this.data.conn;
  if (!conn || conn.closed) return;
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? last : undefined;
  const data = ack && args.length === 1 ? undefined : args[0];
  const gw = gateways.get(this.nsp.server);
  if (!gw) return;
  const refused = gw.admitFrame(conn);
  if (refused) gw.answer(conn, event, ack, { ok: false, error: toAckError(refused, gw.engine.log, event) });
  else if (!conn.closed) void gw.dispatch(conn, event, data, ack);
}

const gateways = new WeakMap<Server, Gateway>();

export function attachSocketIo(app: uWS.TemplatedApp, gw: Gateway): () => Promise<void> {
  const { config } = gw.engine;
  const origins = config.CORS_ORIGINS.split(',').map((s) => s.trim());
  const io = new Server({
    path: '/socket.io/',
    serveClient: false,
    maxHttpBufferSize: config.WS_MAX_PAYLOAD_BYTES,
    cors: { origin: origins.includes('*') ? '*' : origins },
  });
  gateways.set(io, gw);
  io.attachApp(limitedApp(app, config));

  io.use((s, next) => {
    const socket = s as IoSocket;
    let gone = false;
    socket.conn.once('close', () => {
      gone = true;
      if (socket.data.conn) void gw.release(socket.data.conn);
    });
    const token: unknown = socket.handshake.auth['token'];
    void (async () => {
      if (typeof token !== 'string' || token === '')
        throw unauthorized('Missing access token: connect with { auth: { token: "<access token>" } }');
      const user = await gw.authenticate(token);
      if (gone) return;
      const conn = new SocketIoConnection(
        gw.newId(),
        user,
        socketIoFraming,
        gw,
        gw.budget,
        gw.engine.clock.now(),
      );
      conn.socket = socket;
      socket.data.conn = conn;
      const ws = webSocketOf(socket);
      if (ws) gw.hub.attach(conn, ws);
      else
        socket.conn.once('upgrade', () => {
          const upgraded = webSocketOf(socket);
          if (upgraded) gw.hub.attach(conn, upgraded);
        });
      try {
        await gw.admit(conn);
      } catch (err) {
        await gw.release(conn);
        throw err;
      }
      // The handshake (headers, query, auth) is already copied into socket.handshake; the upgrade
      // request object itself is not used again (Socket.io's memory advice: discard it).
      (socket.conn as unknown as { request: unknown }).request = null;
    })().then(
      () => next(),
      (err: unknown) => next(connectError(toAckError(err, gw.engine.log, 'connect'))),
    );
  });

  io.on('connection', (s) => {
    const socket = s as IoSocket;
    if (!socket.data.conn) {
      socket.disconnect(true);
      return;
    }
    // Room events never go through Socket.io's adapter (see above), so the room of the socket's own
    // id that Socket.io joins on connect (two adapter Sets per socket) is left at once.
    void socket.leave(socket.id);
    socket.onAny(onAnyEvent);
  });

  return () => io.close();
}
