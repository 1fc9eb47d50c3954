/**
 * Baseline for the realtime benches: a plain Socket.io 4 server on Node's http with the default `ws`
 * engine, doing reef's job the way a typical app does it. Auth by the same HS256 access token
 * (`auth.token`, verified with jose) and a join of `user:<id>` on connect; `join` puts the socket in
 * a room (ack), `publish` broadcasts `message:new` to a room with `io.to(room).emit`.
 *
 * Prints `listening <port>`; SIGUSR2 runs a full GC and prints `mem {...}`; SIGWINCH prints
 * `cpu {"user":µs,"system":µs}` (process.cpuUsage()).
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { jwtVerify } from 'jose';
import { Server } from 'socket.io';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const server = http.createServer();
const io = new Server(server, { serveClient: false });

io.use((socket, next) => {
  const token: unknown = socket.handshake.auth['token'];
  if (typeof token !== 'string') return next(new Error('missing token'));
  jwtVerify(token, key, { algorithms: ['HS256'] }).then(
    ({ payload }) => {
      socket.data.userId = payload.sub;
      void socket.join(`user:${payload.sub}`);
      next();
    },
    () => next(new Error('invalid token')),
  );
});

io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack?: (r: unknown) => void) => {
    if (typeof room !== 'string') return ack?.({ ok: false });
    void socket.join(room);
    ack?.({ ok: true });
  });
  socket.on('publish', (d: { room?: unknown; payload?: unknown }) => {
    if (typeof d?.room === 'string') io.to(d.room).emit('message:new', d.payload);
  });
});

process.on('SIGWINCH', () => {
  const c = process.cpuUsage();
  console.log(`cpu ${JSON.stringify({ user: c.user, system: c.system })}`);
});
process.on('SIGUSR2', () => {
  gc();
  gc();
  const m = process.memoryUsage();
  console.log(
    `mem ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}`,
  );
});
process.once('SIGTERM', () => {
  void io.close().finally(() => process.exit(0));
});
server.listen(Number(process.env.PORT ?? '0'), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
