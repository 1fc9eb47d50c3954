/**
 * The socket load generator of the realtime benches, a child process pinned to the load core (see
 * driver.ts). It speaks each target's protocol with a minimal `ws` client, the same client code for
 * every target so that client cost never favours one server:
 * - `reef-ws`:   reef's native /ws (JSON frames, `channel:join`, `bench:publish`);
 * - `reef-sio`:  reef's /socket.io/ (Engine.IO 4 / Socket.IO 5 packets over websocket, auth.token);
 * - `plain-sio`: the plain Socket.io baseline (same packets; `join` / `publish` events);
 * - `raw-uws`:   the raw uWS ceiling (`J<room>`, `P<room>|<frame>`).
 * Receivers read only the sequence number and send timestamp of each `message:new` (no JSON parse).
 * Commands arrive over IPC (see driver.ts: `connect`, `run`, `close`). Clients are kept in named
 * groups (one per target), so several targets can stay connected and be measured in alternating
 * rounds; only one group runs at a time.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Jwt } from '../../../engine/auth/jwt.ts';

export type Dialect = 'reef-ws' | 'reef-sio' | 'plain-sio' | 'raw-uws';

export interface ConnectCmd {
  op: 'connect';
  /** The group these clients belong to (`run` and `close` name it). */
  group: string;
  dialect: Dialect;
  /** http://host:port of the server. */
  url: string;
  /** Tokens are signed here for users firstUserId.. (the server knows the secret and the users). */
  secret: string;
  firstUserId: number;
  /** Rooms and how many receiving clients each gets; then `idle` clients in no room, and publishers. */
  rooms: string[];
  roomSize: number;
  idle: number;
  publishers: number;
  concurrency: number;
}

export interface RunCmd {
  op: 'run';
  group: string;
  /** Messages per second offered, spread round-robin over `rooms`. */
  rate: number;
  durationS: number;
  /** Approximate size of the delivered payload JSON, in bytes. */
  size: number;
  /** Stop waiting for stragglers after this long without progress. */
  drainMs: number;
}

export interface RunResult {
  published: number;
  expected: number;
  received: number;
  /** From the first publish to the last delivery (or the drain timeout). */
  elapsedS: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** CPU this process used during the run, as a share of one core. */
  loadgenCpu: number;
}

type Cmd = ConnectCmd | RunCmd | { op: 'close'; group?: string };

let received = 0;
let lastReceiveAt = 0;
const latencies = new Float64Array(4_000_000);
let nLat = 0;

function onDelivery(s: string): void {
  received++;
  const now = performance.now();
  lastReceiveAt = now;
  const i = s.indexOf('"ts":');
  if (i >= 0 && nLat < latencies.length) latencies[nLat++] = now - parseFloat(s.slice(i + 5, i + 30));
}

class Client {
  ws!: WebSocket;
  private acks: Array<(err?: Error) => void> = [];
  private closing = false;
  private opened: (() => void) | null = null;
  private failed: ((e: Error) => void) | null = null;
  private n = 0;

  constructor(
    readonly dialect: Dialect,
    private readonly token: string,
  ) {}

  open(base: string): Promise<void> {
    const ws = base.replace(/^http/, 'ws');
    const url =
      this.dialect === 'reef-ws'
        ? `${ws}/ws?token=${this.token}`
        : this.dialect === 'raw-uws'
          ? `${ws}/ws`
          : `${ws}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (data: Buffer) => this.onMessage(data.toString('latin1')));
    this.ws.on('close', (code, reason) => {
      if (!this.closing) {
        console.error(`loadgen: ${this.dialect} socket closed by the server: ${code} ${reason.toString()}`);
        for (const a of this.acks.splice(0)) a(new Error(`socket closed: ${code} ${reason.toString()}`));
      }
    });
    return new Promise((resolve, reject) => {
      this.opened = resolve;
      this.failed = reject;
      this.ws.once('error', reject);
      this.ws.once('close', (code, reason) =>
        reject(new Error(`closed before ready: ${code} ${reason.toString()} (last frame: ${this.last})`)),
      );
      const timer = setTimeout(
        () => reject(new Error(`no ready within 60 s (last frame: ${this.last})`)),
        60_000,
      );
      const done = this.opened;
      this.opened = () => {
        clearTimeout(timer);
        done?.();
      };
      this.ws.once('unexpected-response', (_q, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      if (this.dialect === 'raw-uws') this.ws.once('open', () => this.opened?.());
    });
  }

  /** The last control frame received (for error messages). */
  last = '';

  private onMessage(s: string): void {
    if (s.startsWith('42["message:new"') || s.startsWith('{"t":"message:new"')) return onDelivery(s);
    this.last = s.slice(0, 200);
    switch (this.dialect) {
      case 'reef-ws':
        if (s.startsWith('{"t":"ready"')) this.opened?.();
        else if (s.startsWith('{"t":"ack"')) this.acks.shift()?.();
        return;
      case 'raw-uws':
        if (s === 'J') this.acks.shift()?.();
        return;
      default:
        if (s === '2') this.ws.send('3');
        else if (s.startsWith('0{')) this.ws.send(`40${JSON.stringify({ token: this.token })}`);
        else if (s.startsWith('40')) this.opened?.();
        else if (s.startsWith('44')) this.failed?.(new Error(`connect_error ${s}`));
        else if (s.startsWith('43')) this.acks.shift()?.();
    }
  }

  join(room: string): Promise<void> {
    const id = ++this.n;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`join ${room}: no ack within 60 s (last frame: ${this.last})`)),
        60_000,
      );
      this.acks.push((err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
      if (this.dialect === 'reef-ws')
        this.ws.send(JSON.stringify({ t: 'channel:join', d: { channelId: room }, id }));
      else if (this.dialect === 'reef-sio')
        this.ws.send(`42${id}${JSON.stringify(['channel:join', { channelId: room }])}`);
      else if (this.dialect === 'plain-sio') this.ws.send(`42${id}${JSON.stringify(['join', room])}`);
      else this.ws.send(`J${room}`);
    });
  }

  /** The frame that publishes `payload` (JSON text) to `room`, without an ack. */
  publishFrame(room: string, payload: string): string {
    switch (this.dialect) {
      case 'reef-ws':
        return `{"t":"bench:publish","d":${payload}}`;
      case 'reef-sio':
        return `42["bench:publish",${payload}]`;
      case 'plain-sio':
        return `42["publish",{"room":"${room}","payload":${payload}}]`;
      default:
        return `P${room}|{"t":"message:new","d":${payload}}`;
    }
  }

  close(): void {
    this.closing = true;
    this.ws.terminate();
  }
}

interface Group {
  receivers: Client[];
  publishers: Client[];
  rooms: string[];
  roomSize: number;
}
const groups = new Map<string, Group>();

async function connect(c: ConnectCmd): Promise<{ connected: number; ms: number }> {
  const t0 = performance.now();
  const jwt = new Jwt(c.secret);
  const total = c.rooms.length * c.roomSize + c.idle + c.publishers;
  const clients: Client[] = [];
  for (let i = 0; i < total; i += c.concurrency) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(total, i + c.concurrency); j++) {
      const token =
        c.dialect === 'raw-uws' ? '' : await jwt.sign(String(c.firstUserId + j), 'access', 3600, Date.now());
      const room = j < c.rooms.length * c.roomSize ? c.rooms[Math.floor(j / c.roomSize)] : undefined;
      const slot = clients.push(new Client(c.dialect, token)) - 1;
      const attempt = (client: Client) =>
        client.open(c.url).then(() => (room ? client.join(room) : undefined));
      // A cold reef sometimes drops one of its very first sockets (1006) right after `ready`: retry
      // that client once with a fresh socket rather than fail the run.
      batch.push(
        attempt(clients[slot]!).catch((err: Error) => {
          console.error(`loadgen: client ${c.firstUserId + j} failed (${err.message}); retrying once`);
          clients[slot]!.close();
          clients[slot] = new Client(c.dialect, token);
          return attempt(clients[slot]);
        }),
      );
    }
    await Promise.all(batch);
  }
  const publishers = clients.splice(total - c.publishers);
  groups.set(c.group, { receivers: clients, publishers, rooms: c.rooms, roomSize: c.roomSize });
  return { connected: total, ms: Math.round(performance.now() - t0) };
}

function payloadOf(room: string, seq: number, size: number): string {
  const head = `{"channelId":"${room}","seq":${seq},"ts":${performance.now().toFixed(3)},"p":"`;
  return `${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`;
}

async function run(c: RunCmd): Promise<RunResult> {
  const g = groups.get(c.group);
  if (!g) throw new Error(`no client group ${c.group}`);
  const { rooms, publishers, roomSize } = g;
  received = 0;
  nLat = 0;
  const total = Math.round(c.rate * c.durationS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * c.rate));
      while (sent < due) {
        const room = rooms[sent % rooms.length]!;
        const p = publishers[sent % publishers.length]!;
        p.ws.send(p.publishFrame(room, payloadOf(room, sent, c.size)));
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const expected = total * roomSize;
  lastReceiveAt = performance.now();
  while (received < expected && performance.now() - lastReceiveAt < c.drainMs)
    await new Promise((r) => setTimeout(r, 5));
  const end = received >= expected ? lastReceiveAt : performance.now();
  const cpu = process.cpuUsage(cpu0);
  const lat = latencies.slice(0, nLat).sort();
  const q = (x: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(x * lat.length))]! : NaN);
  return {
    published: total,
    expected,
    received,
    elapsedS: (end - t0) / 1000,
    latencyMs: { p50: q(0.5), p99: q(0.99), max: lat.length ? lat[lat.length - 1]! : NaN },
    loadgenCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
  };
}

process.on('message', (m: { id: number; cmd: Cmd }) => {
  const { cmd } = m;
  const work: Promise<unknown> =
    cmd.op === 'connect'
      ? connect(cmd)
      : cmd.op === 'run'
        ? run(cmd)
        : Promise.resolve().then(() => {
            for (const [name, g] of groups) {
              if (cmd.group !== undefined && cmd.group !== name) continue;
              for (const c of [...g.receivers, ...g.publishers]) c.close();
              groups.delete(name);
            }
            return { closed: true };
          });
  work.then(
    (result) => process.send!({ id: m.id, result }),
    (err: unknown) => process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
