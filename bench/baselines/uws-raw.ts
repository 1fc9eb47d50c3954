/**
 * The ceiling for the realtime benches: raw uWebSockets.js pub/sub, no auth, no validation, no
 * bus. Text frames: `J<room>` subscribes (answered `J`), `P<room>|<frame>` publishes `<frame>` as is
 * to the room's topic. Frames to clients are whatever the publisher sent, here reef's native shape
 * `{"t":"message:new","d":{...}}`.
 *
 * Prints `listening <port>`; SIGUSR2 runs a full GC and prints `mem {...}`; SIGWINCH prints
 * `cpu {"user":µs,"system":µs}` (process.cpuUsage()).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import uWS from 'uWebSockets.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const app = uWS.App();
app.ws('/ws', {
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 1024 * 1024,
  closeOnBackpressureLimit: 1,
  idleTimeout: 120,
  message(ws, message) {
    const bytes = new Uint8Array(message);
    if (bytes[0] === 74 /* J */) {
      ws.subscribe(Buffer.from(message, 1).toString('latin1'));
      ws.send('J');
    } else if (bytes[0] === 80 /* P */) {
      const bar = bytes.indexOf(124 /* | */);
      // The frame is published straight from uWS's buffer: no decode, no copy in JS.
      if (bar > 1) app.publish(Buffer.from(message, 1, bar - 1).toString('latin1'), bytes.subarray(bar + 1));
    }
  },
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
process.once('SIGTERM', () => process.exit(0));
app.listen('127.0.0.1', Number(process.env.PORT ?? '0'), (ls) => {
  if (!ls) process.exit(1);
  console.log(`listening ${uWS.us_socket_local_port(ls as unknown as uWS.us_socket)}`);
});
