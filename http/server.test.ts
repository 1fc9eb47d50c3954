/**
 * The uWS edge (http/server.ts) on a uWS app of its own with test routes: routing, body limits
 * (declared, chunked, lying Content-Length), JSON and multipart parsing, content types, NUL bytes,
 * rate limits, CORS, auth, error mapping, aborted requests and draining. Real sockets throughout.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import uWS from 'uWebSockets.js';
import { AppError, forbidden, unauthorized } from '../engine/errors.ts';
import { systemClock } from '../engine/clock.ts';
import { createMemoryKv } from '../engine/kv/memory.ts';
import type { Kv } from '../engine/kv/index.ts';
import { createDiskStorage } from '../engine/storage.ts';
import { Reply, created } from './context.ts';
import { Router } from './router.ts';
import { HttpEdge, type EdgeDeps } from './server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

interface Edge {
  url: string;
  port: number;
  edge: HttpEdge;
  logs: Array<Record<string, any>>;
  /** Signals of handler progress, for abort tests. */
  events: string[];
  close(): void;
}

const BODY_LIMIT = 1024;
/** Over the 1 MiB threshold above which uploads are streamed with backpressure. */
const BIG_FILE = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 31) % 251));

/** A uWS app with the edge and the test routes below. */
async function startEdge(overrides: Partial<EdgeDeps> = {}, router = testRouter()): Promise<Edge> {
  const logs: Array<Record<string, any>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-edge-'));
  const storage = createDiskStorage(dir);
  fs.mkdirSync(path.join(dir, 'pics'));
  fs.writeFileSync(path.join(dir, 'pics', 'a.png'), Buffer.from('not really a png'));
  fs.writeFileSync(path.join(dir, 'pics', 'big.mp4'), BIG_FILE);
  const edge = new HttpEdge(router.router, {
    log,
    kv: createMemoryKv(systemClock),
    storage,
    bodyLimit: BODY_LIMIT,
    uploadLimit: 64 * 1024,
    corsOrigins: ['*'],
    trustProxy: false,
    authenticate: async (token) => {
      if (token === 'good') return { id: '1', username: 'ann', isAdmin: false };
      if (token === 'banned') throw forbidden('Your account has been suspended');
      throw unauthorized('Invalid or expired access token');
    },
    ...overrides,
  });
  const app = uWS.App();
  edge.attach(app);
  const socket = await new Promise<uWS.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))),
  );
  const port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    edge,
    logs,
    events: router.events,
    close: () => {
      uWS.us_listen_socket_close(socket);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function testRouter(): { router: Router; events: string[] } {
  const events: string[] = [];
  const router = new Router();
  const r = router.scope('/api');
  r.get('/things/special', { auth: 'none' }, () => ({ route: 'static' }));
  r.get('/things/:thingId', { auth: 'none' }, (ctx) => ({ route: 'param', id: ctx.params.thingId }));
  r.post('/echo', { auth: 'none' }, (ctx) => ({ body: ctx.body ?? null, query: ctx.query.get('q') }));
  r.post('/big', { auth: 'none', bodyLimit: 8 * 1024 }, (ctx) => ({ size: JSON.stringify(ctx.body).length }));
  r.post('/upload', { auth: 'none', body: 'multipart', maxFiles: 2, maxFileBytes: 2048 }, (ctx) =>
    created({
      fields: ctx.multipart!.fields,
      files: ctx.multipart!.files.map((f) => ({
        field: f.field,
        filename: f.filename,
        mimeType: f.mimeType,
        size: f.data.length,
        sha1: createHash('sha1').update(f.data).digest('hex'),
      })),
    }),
  );
  r.post(
    '/limited',
    { auth: 'none', rateLimit: { name: 'limited', limit: 3, windowMs: 5000, by: 'ip' } },
    () => ({
      ok: true,
    }),
  );
  r.get('/me', { auth: 'required' }, (ctx) => ({ user: ctx.user }));
  r.get('/maybe', { auth: 'optional' }, (ctx) => ({ user: ctx.user ?? null }));
  r.get('/boom', { auth: 'none' }, () => {
    throw new Error('password=hunter2 at /srv/reef/secret.ts:12');
  });
  r.get('/bigint', { auth: 'none' }, () => ({ n: 1n }));
  r.get('/db-down', { auth: 'none' }, () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  r.get('/teapot', { auth: 'none' }, () => {
    throw new AppError('CALL_IN_PROGRESS', 409, 'A call is already in progress', { existingCallId: '9' });
  });
  r.get('/reply', { auth: 'none' }, (ctx) => {
    ctx.responseHeaders['X-Extra'] = 'yes';
    return new Reply(202, { accepted: true }, { 'X-Reply': '1' });
  });
  r.delete('/nothing', { auth: 'none' }, () => undefined);
  r.get('/slow', { auth: 'none' }, async () => {
    events.push('slow:start');
    await sleep(300);
    events.push('slow:end');
    return { slow: true };
  });
  r.post('/slow-body', { auth: 'none' }, (ctx) => {
    events.push('slow-body:handled');
    return { got: ctx.body };
  });
  return { router, events };
}

async function json(res: Response): Promise<any> {
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** Write raw bytes on a fresh connection; collect everything the server sends until it closes. */
function rawExchange(port: number, payload: Buffer | string, waitMs = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, waitMs);
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out + '\n[closed]');
    });
    s.write(payload);
  });
}

let e: Edge;
before(async () => {
  e = await startEdge();
});
after(() => e.close());

describe('routing and error shapes', () => {
  test('static routes win over parameters over real HTTP', async () => {
    assert.deepEqual(await json(await fetch(`${e.url}/api/things/special`)), { route: 'static' });
    assert.deepEqual(await json(await fetch(`${e.url}/api/things/42`)), { route: 'param', id: '42' });
  });

  test('404 and 405 in the spec shape, with a request id', async () => {
    const nf = await fetch(`${e.url}/api/nowhere`);
    assert.equal(nf.status, 404);
    assert.deepEqual(await json(nf), {
      error: { code: 'NOT_FOUND', message: 'Route GET /api/nowhere not found' },
    });
    assert.match(nf.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const na = await fetch(`${e.url}/api/things/special`, { method: 'PUT' });
    assert.equal(na.status, 405);
    assert.equal((await json(na)).error.code, 'METHOD_NOT_ALLOWED');
  });

  test('a client request id is echoed only when it is well-formed', async () => {
    const ok = await fetch(`${e.url}/api/things/1`, { headers: { 'x-request-id': 'trace.42_a-b' } });
    assert.equal(ok.headers.get('x-request-id'), 'trace.42_a-b');
    const bad = await fetch(`${e.url}/api/things/1`, { headers: { 'x-request-id': 'x'.repeat(65) } });
    assert.notEqual(bad.headers.get('x-request-id'), 'x'.repeat(65));
  });

  test('a plain Error is a 500 without internals, logged with the request id', async () => {
    const res = await fetch(`${e.url}/api/boom`, { headers: { 'x-request-id': 'boom-1' } });
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { error: { code: 'INTERNAL', message: 'Internal server error' } });
    assert.doesNotMatch(text, /hunter2|secret|\.ts|stack/);
    const logged = e.logs.find((l) => l.reqId === 'boom-1');
    assert.ok(logged, 'the failure is logged');
    assert.equal(logged.level, 50);
    assert.match(logged.err.message, /hunter2/, 'the log keeps the detail the client does not get');
    assert.equal(logged.url, '/api/boom');
  });

  test('an unserialisable result is a 500 too', async () => {
    const res = await fetch(`${e.url}/api/bigint`);
    assert.equal(res.status, 500);
    assert.equal((await json(res)).error.code, 'INTERNAL');
  });

  test('a database connectivity error is a 503 SERVICE_UNAVAILABLE', async () => {
    const res = await fetch(`${e.url}/api/db-down`);
    assert.equal(res.status, 503);
    const body = await json(res);
    assert.equal(body.error.code, 'SERVICE_UNAVAILABLE');
    assert.doesNotMatch(JSON.stringify(body), /5432/);
  });

  test('AppErrors keep their code, status and data; Reply sets status and headers', async () => {
    const res = await fetch(`${e.url}/api/teapot`);
    assert.equal(res.status, 409);
    assert.deepEqual(await json(res), {
      error: {
        code: 'CALL_IN_PROGRESS',
        message: 'A call is already in progress',
        data: { existingCallId: '9' },
      },
    });
    const reply = await fetch(`${e.url}/api/reply`);
    assert.equal(reply.status, 202);
    assert.equal(reply.headers.get('x-reply'), '1');
    assert.equal(reply.headers.get('x-extra'), 'yes');
    assert.deepEqual(await json(reply), { accepted: true });
    const none = await fetch(`${e.url}/api/nothing`, { method: 'DELETE' });
    assert.equal(none.status, 204);
    assert.equal(await none.text(), '');
  });

  test('a bug on the synchronous routing path is a 500, and the server keeps serving', async () => {
    const broken = testRouter();
    broken.router.match = () => {
      throw new TypeError('router exploded');
    };
    const b = await startEdge({}, broken);
    try {
      const res = await fetch(`${b.url}/api/things/1`);
      assert.equal(res.status, 500);
      assert.equal((await json(res)).error.code, 'INTERNAL');
      assert.equal(b.edge.inFlight, 0);
      assert.equal((await fetch(`${b.url}/api/things/1`)).status, 500, 'still answering');
    } finally {
      b.close();
    }
  });
});

describe('JSON bodies', () => {
  test('a JSON body reaches the handler; an empty body is undefined', async () => {
    const res = await fetch(`${e.url}/api/echo?q=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ a: [1, { b: 'ü' }] }),
    });
    assert.deepEqual(await json(res), { body: { a: [1, { b: 'ü' }] }, query: 'x' });
    const empty = await fetch(`${e.url}/api/echo`, { method: 'POST' });
    assert.deepEqual(await json(empty), { body: null, query: null });
  });

  test('malformed JSON is 400 BAD_REQUEST', async () => {
    for (const body of ['{"a":', 'nope', '{"a":1}}', '\u0000{}']) {
      const res = await fetch(`${e.url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.deepEqual(await json(res), { error: { code: 'BAD_REQUEST', message: 'Malformed JSON body' } });
    }
  });

  test('a NUL byte in a JSON string is a 400 naming the field', async () => {
    const res = await fetch(`${e.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"profile":{"name":"a\\u0000b"}}',
    });
    assert.equal(res.status, 400);
    const body = await json(res);
    assert.equal(body.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(body.error.data.issues, [{ path: 'name', message: 'must not contain NUL bytes' }]);
    const key = await fetch(`${e.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a\\u0000":1}',
    });
    assert.equal(key.status, 400);
  });

  test('a body with the wrong content type is 415', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const res = await fetch(`${e.url}/api/echo`, {
        method: 'POST',
        headers: ct ? { 'content-type': ct } : {},
        body: new TextEncoder().encode('{"a":1}'),
      });
      assert.equal(res.status, 415, ct);
      assert.equal((await json(res)).error.code, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const upload = await fetch(`${e.url}/api/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(upload.status, 415);
  });

  test('a body over the limit is 413, with Content-Length declared', async () => {
    const res = await fetch(`${e.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }),
    });
    assert.equal(res.status, 413);
    assert.deepEqual(await json(res), {
      error: { code: 'PAYLOAD_TOO_LARGE', message: `Body exceeds ${BODY_LIMIT} bytes` },
    });
    // A route may raise its own limit.
    const big = await fetch(`${e.url}/api/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(4000) }),
    });
    assert.equal(big.status, 200);
    assert.equal((await json(big)).size, 4010);
  });

  test('a chunked body without Content-Length is cut off at the limit with 413', async () => {
    const TOTAL = 32 * 1024 * 1024;
    let sent = 0;
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${e.url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' }, // no length: Transfer-Encoding: chunked
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (sent < TOTAL && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      req.write('{"pad":"');
      pump();
    });
    assert.equal(result.status, 413);
    assert.equal(JSON.parse(result.body).error.code, 'PAYLOAD_TOO_LARGE');
    assert.ok(sent < TOTAL, `the server stopped the upload early (client sent ${sent} of ${TOTAL} bytes)`);
    await waitFor(() => e.edge.inFlight === 0);
  });

  test('a chunked body under the limit is read whole', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${e.url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"parts":');
      setTimeout(() => req.end('["a","b"]}'), 20);
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { body: { parts: ['a', 'b'] }, query: null });
  });

  test('a lying Content-Length frames the body: extra bytes never reach the handler', async () => {
    // 1. Declares 5 bytes and sends a longer document: the body is `{"a":`, which is malformed.
    const s = net.connect(e.port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.write(
      'POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":',
    );
    await waitFor(() => out.includes('Malformed JSON body'));
    assert.match(out, /^HTTP\/1\.1 400 Bad Request/);
    // 2. The rest of the document is not a request: the server drops the connection.
    s.write(`"${'y'.repeat(5000)}"}`);
    await closed;
    assert.equal(out.match(/HTTP\/1\.1/g)?.length, 1, 'no second response for the garbage');
    // 3. All in one packet: the connection is dropped, the request settles, nothing is left in flight.
    await rawExchange(
      e.port,
      `POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":"${'y'.repeat(5000)}"}`,
    );
    await waitFor(() => e.edge.inFlight === 0);
    // 4. A declared length over the limit is refused before any body is read, and closed.
    const over = await rawExchange(
      e.port,
      `POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY_LIMIT + 1}\r\n\r\n{`,
    );
    assert.match(over, /^HTTP\/1\.1 413 /);
    assert.match(over, /\[closed\]$/, 'closed: nobody will read the rest of that body');
    assert.equal((await fetch(`${e.url}/api/things/1`)).status, 200);
  });
});

test('two different Content-Length headers drop the connection; nothing behind them is served', async () => {
  const out = await rawExchange(
    e.port,
    'POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n{}GET /api/things/1 HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  assert.equal(out, '\n[closed]', 'no response at all, in particular none for the smuggled GET');
  await waitFor(() => e.edge.inFlight === 0);
  assert.ok(e.logs.some((l) => l.msg === 'conflicting Content-Length headers; connection dropped'));
  // Content-Length with Transfer-Encoding is refused by uWS itself.
  const both = await rawExchange(
    e.port,
    'POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET /api/things/1 HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  assert.equal(both, '\n[closed]');
});

describe('multipart', () => {
  const png = Buffer.alloc(1500, 7);
  const gpx = Buffer.from('<gpx version="1.1"></gpx>');

  test('fields and files are parsed', async () => {
    const form = new FormData();
    form.append('caption', 'Sunset ☀');
    form.append('albumId', '123');
    form.append('photo', new Blob([png], { type: 'image/png' }), 'sun.png');
    form.append('track', new Blob([gpx], { type: 'application/gpx+xml' }), 'ride.gpx');
    const res = await fetch(`${e.url}/api/upload`, { method: 'POST', body: form });
    assert.equal(res.status, 201);
    assert.deepEqual(await json(res), {
      fields: { caption: 'Sunset ☀', albumId: '123' },
      files: [
        {
          field: 'photo',
          filename: 'sun.png',
          mimeType: 'image/png',
          size: 1500,
          sha1: createHash('sha1').update(png).digest('hex'),
        },
        {
          field: 'track',
          filename: 'ride.gpx',
          mimeType: 'application/gpx+xml',
          size: gpx.length,
          sha1: createHash('sha1').update(gpx).digest('hex'),
        },
      ],
    });
  });

  test('more files than the route allows is 400', async () => {
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append('f', new Blob([gpx]), `${i}.gpx`);
    const res = await fetch(`${e.url}/api/upload`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.deepEqual(await json(res), { error: { code: 'BAD_REQUEST', message: 'Too many files (max 2)' } });
  });

  test('a file over the per-file limit is 413; a body over the upload limit is 413', async () => {
    const form = new FormData();
    form.append('photo', new Blob([Buffer.alloc(2049)]), 'big.png');
    const res = await fetch(`${e.url}/api/upload`, { method: 'POST', body: form });
    assert.equal(res.status, 413);
    assert.deepEqual(await json(res), {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'File big.png is too large' },
    });
    const huge = new FormData();
    huge.append('photo', new Blob([Buffer.alloc(70 * 1024)]), 'huge.png');
    const res2 = await fetch(`${e.url}/api/upload`, { method: 'POST', body: huge });
    assert.equal(res2.status, 413);
    assert.equal((await json(res2)).error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a malformed multipart body is 400; a NUL byte in a field is 400', async () => {
    const noBoundary = await fetch(`${e.url}/api/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'whatever',
    });
    assert.equal(noBoundary.status, 400);
    const cut = await fetch(`${e.url}/api/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue',
    });
    assert.equal(cut.status, 400);
    assert.equal((await json(cut)).error.code, 'BAD_REQUEST');
    const form = new FormData();
    form.append('caption', 'a\u0000b');
    const nul = await fetch(`${e.url}/api/upload`, { method: 'POST', body: form });
    assert.equal(nul.status, 400);
    assert.deepEqual((await json(nul)).error.data.issues, [
      { path: 'caption', message: 'must not contain NUL bytes' },
    ]);
  });
});

describe('auth, rate limits and CORS', () => {
  test('required auth: 401 without or with a bad token, 403 for a suspended account', async () => {
    const none = await fetch(`${e.url}/api/me`);
    assert.equal(none.status, 401);
    assert.deepEqual(await json(none), {
      error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
    });
    const malformed = await fetch(`${e.url}/api/me`, { headers: { authorization: 'Basic abc' } });
    assert.equal((await json(malformed)).error.message, 'Malformed Authorization header');
    const bad = await fetch(`${e.url}/api/me`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    const banned = await fetch(`${e.url}/api/me`, { headers: { authorization: 'Bearer banned' } });
    assert.equal(banned.status, 403);
    assert.equal((await json(banned)).error.message, 'Your account has been suspended');
    const good = await fetch(`${e.url}/api/me`, { headers: { authorization: 'Bearer good' } });
    assert.deepEqual(await json(good), { user: { id: '1', username: 'ann', isAdmin: false } });
  });

  test('optional auth: a bad token is anonymous, a suspended one is still refused', async () => {
    assert.deepEqual(await json(await fetch(`${e.url}/api/maybe`)), { user: null });
    const bad = await fetch(`${e.url}/api/maybe`, { headers: { authorization: 'Bearer nope' } });
    assert.deepEqual(await json(bad), { user: null });
    const good = await fetch(`${e.url}/api/maybe`, { headers: { authorization: 'Token good' } });
    assert.equal((await json(good)).user.username, 'ann');
    const banned = await fetch(`${e.url}/api/maybe`, { headers: { authorization: 'Bearer banned' } });
    assert.equal(banned.status, 403);
  });

  test('a rate-limited route allows exactly `limit` concurrent hits, then 429 with Retry-After', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => fetch(`${e.url}/api/limited`, { method: 'POST' })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter}`);
    const body = await json(refused);
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.equal(body.error.data.retryAfter, retryAfter);
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
  });

  test('a rate limiter whose store is down gives 503, not a crash', async () => {
    const failing: Kv = {
      ...createMemoryKv(systemClock),
      rateLimit: () => Promise.reject(new Error('Reached the max retries per request limit (which is 2).')),
    };
    const b = await startEdge({ kv: failing });
    try {
      const res = await fetch(`${b.url}/api/limited`, { method: 'POST' });
      assert.equal(res.status, 503);
      assert.deepEqual(await json(res), {
        error: { code: 'SERVICE_UNAVAILABLE', message: 'Rate limiter unavailable; try again shortly' },
      });
      assert.ok(b.logs.some((l) => l.msg === 'rate limiter unavailable' && /max retries/.test(l.err)));
      assert.equal((await fetch(`${b.url}/api/things/1`)).status, 200);
    } finally {
      b.close();
    }
  });

  test('CORS: any origin by default; a list echoes allowed origins only', async () => {
    const any = await fetch(`${e.url}/api/things/1`, { headers: { origin: 'https://x.test' } });
    assert.equal(any.headers.get('access-control-allow-origin'), '*');
    const pre = await fetch(`${e.url}/api/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://x.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type, authorization');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PATCH/);

    const b = await startEdge({ corsOrigins: ['https://app.test'] });
    try {
      const ok = await fetch(`${b.url}/api/things/1`, { headers: { origin: 'https://app.test' } });
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.test');
      assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(ok.headers.get('vary'), 'Origin');
      const other = await fetch(`${b.url}/api/things/1`, { headers: { origin: 'https://evil.test' } });
      assert.equal(other.status, 200);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      b.close();
    }
  });
});

describe('uploads', () => {
  test('stored files are served; traversal and missing files are 404', async () => {
    const ok = await fetch(`${e.url}/uploads/pics/a.png`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'image/png');
    assert.equal(await ok.text(), 'not really a png');
    const big = await fetch(`${e.url}/uploads/pics/big.mp4`);
    assert.equal(big.headers.get('content-type'), 'video/mp4');
    const bytes = Buffer.from(await big.arrayBuffer());
    assert.equal(bytes.length, BIG_FILE.length);
    assert.ok(bytes.equals(BIG_FILE), 'streamed intact');
    for (const p of ['/uploads/pics/none.png', '/uploads/..%2F..%2Fetc%2Fpasswd', '/uploads/%E0%A4%A']) {
      const res = await fetch(`${e.url}${p}`);
      assert.equal(res.status, 404, p);
      assert.equal((await json(res)).error.code, 'NOT_FOUND');
    }
  });
});

describe('aborted requests and draining', () => {
  test('a client that goes away during a streamed download leaves no request in flight', async () => {
    await new Promise<void>((resolve) => {
      const req = http.get(`${e.url}/uploads/pics/big.mp4`, (res) => {
        res.once('data', () => {
          req.destroy(); // after the first chunk, with megabytes still to come
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    await waitFor(() => e.edge.inFlight === 0);
    const again = await fetch(`${e.url}/uploads/pics/big.mp4`);
    assert.equal((await again.arrayBuffer()).byteLength, BIG_FILE.length);
  });

  test('a client that disconnects mid-body leaves no request in flight', async () => {
    const before = e.events.length;
    await new Promise<void>((resolve) => {
      const s = net.connect(e.port, '127.0.0.1', () => {
        s.write(
          'POST /api/slow-body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a":',
        );
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
    });
    await waitFor(() => e.edge.inFlight === 0);
    // The same with a chunked body.
    await new Promise<void>((resolve) => {
      const s = net.connect(e.port, '127.0.0.1', () => {
        s.write(
          'POST /api/slow-body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n',
        );
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
    });
    await waitFor(() => e.edge.inFlight === 0);
    assert.equal(e.events.length, before, 'the handler never ran on a partial body');
    assert.equal((await fetch(`${e.url}/api/things/1`)).status, 200);
  });

  test('a client that disconnects before the response does not crash the server', async () => {
    const ctrl = new AbortController();
    const req = fetch(`${e.url}/api/slow`, { signal: ctrl.signal });
    await waitFor(() => e.events.includes('slow:start'));
    assert.equal(e.edge.inFlight, 1);
    ctrl.abort();
    await assert.rejects(req);
    await waitFor(() => e.events.includes('slow:end'));
    await waitFor(() => e.edge.inFlight === 0);
    assert.equal((await fetch(`${e.url}/api/things/1`)).status, 200);
    assert.ok(!e.logs.some((l) => l.level >= 50 && /slow/.test(l.url ?? '')), 'nothing logged as a failure');
  });

  test('draining: in-flight requests finish, new ones get 503 and the connection closes', async () => {
    const b = await startEdge();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const get = (p: string) =>
      new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
        http
          .get(`${b.url}${p}`, { agent }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
            );
          })
          .on('error', reject);
      });
    try {
      await Promise.all([get('/api/things/1'), get('/api/things/2')]); // two idle keep-alive sockets
      const slow = get('/api/slow');
      await waitFor(() => b.events.includes('slow:start'));
      const drained = b.edge.drain(2000);
      const refused = await get('/api/things/3'); // the other open connection
      assert.equal(refused.status, 503);
      assert.deepEqual(JSON.parse(refused.body), {
        error: { code: 'SERVICE_UNAVAILABLE', message: 'Server is shutting down' },
      });
      assert.equal(refused.connection, 'close');
      const done = await slow;
      assert.equal(done.status, 200);
      assert.deepEqual(JSON.parse(done.body), { slow: true });
      assert.equal(await drained, true);
      assert.equal(b.edge.inFlight, 0);
    } finally {
      agent.destroy();
      b.close();
    }
  });
});
