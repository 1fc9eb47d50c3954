/**
 * Real socket clients for the realtime tests: an unmodified socket.io-client and a `ws` client of the
 * native /ws protocol, each recording every event it receives so tests can assert exact counts.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { TestContext } from './context.ts';
import type { RoomAccessProvider } from '../http/realtime/index.ts';

export interface Received {
  event: string;
  data: any;
}

export interface Ack {
  ok: boolean;
  data?: any;
  error?: { code: string; message: string; data?: any };
}

abstract class Recorder {
  readonly events: Received[] = [];
  private waiters: Array<() => void> = [];

  protected record(event: string, data: unknown): void {
    this.events.push({ event, data });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Events of one name received so far. */
  named(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  /** Wait until `pred` holds for a received event of this name; returns its data. */
  async waitFor(event: string, pred: (data: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.event === event && pred(e.data));
      if (hit) return hit.data;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no "${event}" within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`,
        );
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  abstract call(event: string, data?: unknown): Promise<Ack>;
  abstract close(): Promise<void>;
}

export class SioClient extends Recorder {
  private constructor(readonly socket: Socket) {
    super();
    socket.onAny((event: string, data: unknown) => this.record(event, data));
  }

  /** Connect and wait for `connect`; rejects with the connect_error. */
  static connect(
    t: TestContext | string,
    token: string | undefined,
    opts: { transports?: ('websocket' | 'polling')[]; upgrade?: boolean } = {},
  ): Promise<SioClient> {
    const url = typeof t === 'string' ? t : t.url;
    const socket = io(url, {
      path: '/socket.io/',
      auth: token === undefined ? {} : { token },
      transports: opts.transports ?? ['websocket'],
      upgrade: opts.upgrade ?? true,
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    const client = new SioClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (err: Error & { data?: unknown }) => {
        socket.close();
        reject(err);
      });
    });
  }

  call(event: string, data?: unknown): Promise<Ack> {
    return data === undefined
      ? this.socket.timeout(5000).emitWithAck(event)
      : this.socket.timeout(5000).emitWithAck(event, data);
  }

  async close(): Promise<void> {
    this.socket.close();
  }
}

export class WsClient extends Recorder {
  private seq = 0;
  private acks = new Map<number, (a: Ack) => void>();
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { t: string; d: any; id?: number };
      if (f.t === 'ack' && typeof f.id === 'number' && this.acks.has(f.id)) {
        this.acks.get(f.id)!(f.d);
        this.acks.delete(f.id);
      } else this.record(f.t, f.d);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  /** Connect and wait for the `ready` frame; rejects with the HTTP status of a refused upgrade. */
  static connect(t: TestContext | string, token: string | undefined): Promise<WsClient> {
    const base = (typeof t === 'string' ? t : t.url).replace(/^http/, 'ws');
    const ws = new WebSocket(`${base}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`);
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
              status: res.statusCode,
              body: JSON.parse(body || '{}'),
            }),
          ),
        );
      });
      ws.once('error', (err) => reject(err));
      client.waitFor('ready').then(() => resolve(client), reject);
    });
  }

  /** Send a frame with an ack id and wait for its ack. */
  call(event: string, data?: unknown): Promise<Ack> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
      this.acks.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      this.ws.send(JSON.stringify({ t: event, d: data, id }));
    });
  }

  send(raw: string | Buffer): void {
    this.ws.send(raw);
  }

  waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.closed!);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    // A client that stopped reading never sees the closing handshake: drop it after a moment.
    await this.waitClosed(500).catch(() => this.ws.terminate());
    await this.waitClosed().catch(() => undefined);
  }
}

/**
 * Wait until every event emitted to `room` before this call has reached `clients`: per-room order is
 * kept end to end, so once a marker emitted after them arrives, nothing earlier is still in flight.
 */
export async function barrier(t: TestContext, room: string, clients: Recorder[]): Promise<void> {
  const nonce = Math.random().toString(36).slice(2);
  t.reef.engine.rooms.emit(room, 'test:barrier', { nonce });
  await Promise.all(clients.map((c) => c.waitFor('test:barrier', (d) => d.nonce === nonce)));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `pred` holds (server-side effects with no event to wait for). */
export async function until(
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Open sockets of a reef, both protocols. */
export function openSockets(t: TestContext): number {
  const c = t.reef.services.realtime.stats().connections;
  return c['socket.io'] + c.ws;
}

/**
 * Register a test room-access provider, replacing the feature's own for that kind (features register
 * theirs at start; these tests control membership themselves).
 */
export function useProvider(t: TestContext, provider: RoomAccessProvider): void {
  t.reef.services.realtime.access.unregister(provider.prefix);
  t.reef.services.realtime.access.register(provider);
}
