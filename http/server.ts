/**
 * The uWS edge for REST: one catch-all handler that matches the router, reads the body with a limit,
 * authenticates, rate-limits, runs the handler and maps every error to the spec's shape.
 * uWS rules (DEPENDENCIES.md): read `req` before any await, copy every onData chunk, handle
 * onAborted, write inside `res.cork()`.
 */
import { STATUS_CODES } from 'node:http';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type uWS from 'uWebSockets.js';
import {
  AppError,
  isConnectivityError,
  payloadTooLarge,
  rateLimited,
  unauthorized,
} from '../engine/errors.ts';
import type { Logger } from '../engine/log.ts';
import type { Kv } from '../engine/kv/index.ts';
import type { Storage } from '../engine/storage.ts';
import { parseJson, parseMultipart, requireContentType } from './body.ts';
import { Reply, type AuthUser, type Ctx, type MultipartBody } from './context.ts';
import type { Match, RateLimitSpec, Route, Router } from './router.ts';

export interface EdgeDeps {
  log: Logger;
  kv: Kv;
  storage: Storage;
  bodyLimit: number;
  uploadLimit: number;
  corsOrigins: string[];
  trustProxy: boolean;
  /** Resolves a bearer token to a user; throws an AppError (401/403) for a bad or banned one. */
  authenticate(token: string): Promise<AuthUser>;
}

interface ResState {
  aborted: boolean;
  done: boolean;
  /** False while the client may still be sending a body we have not read to the end. */
  bodyComplete: boolean;
  /** Called once when the client goes away (uWS allows one onAborted handler per response). */
  onAbort?: () => void;
}

/** One request on its way through the edge: what was read from uWS, and how to answer. */
interface Exchange {
  res: uWS.HttpResponse;
  state: ResState;
  method: string;
  url: string;
  qs: string;
  headers: Record<string, string>;
  ip: string;
  requestId: string;
  log: Logger;
  respond(status: number, body: string | Buffer | undefined, extra: Record<string, string>): void;
  sendError(err: unknown): void;
  /** The request carried two different Content-Length values. */
  conflictingLength: boolean;
}

/** The client closed the connection: nobody is left to answer, nothing to log as a failure. */
class ClientGone extends AppError {
  constructor() {
    super('CLIENT_CLOSED', 499, 'Client closed the request');
  }
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.gpx': 'application/gpx+xml',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

export class HttpEdge {
  private inflight = 0;
  private draining = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly router: Router,
    private readonly deps: EdgeDeps,
  ) {}

  /** Attach to a uWS app: REST under the router's patterns, uploads at /uploads/*, 404 for the rest. */
  attach(app: uWS.TemplatedApp): void {
    app.any('/*', (res, req) => this.onRequest(res, req));
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** Stop taking new requests (they get 503 and a closed connection); resolve when in-flight ones end. */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  private onRequest(res: uWS.HttpResponse, req: uWS.HttpRequest): void {
    const state: ResState = { aborted: false, done: false, bodyComplete: true };
    res.onAborted(() => {
      state.aborted = true;
      const onAbort = state.onAbort;
      state.onAbort = undefined;
      onAbort?.();
    });
    // Everything from req must be read now: it is invalid after the first await.
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    const qs = req.getQuery() ?? '';
    const headers: Record<string, string> = {};
    // Two different Content-Length values frame the body ambiguously (uWS takes the first, a proxy in
    // front may take the last): RFC 9110 section 8.6 says reject (request smuggling). We drop the
    // connection without an answer, as uWS does for Content-Length with Transfer-Encoding: uWS 20.30
    // would go on to serve a request pipelined behind a 400, even one sent with Connection: close.
    let conflictingLength = false;
    req.forEach((k, v) => {
      if (k === 'content-length' && headers[k] !== undefined && headers[k] !== v) conflictingLength = true;
      headers[k] = v;
    });
    const ip = this.clientIp(res, headers);
    const incomingId = headers['x-request-id'];
    const requestId = incomingId && REQUEST_ID_RE.test(incomingId) ? incomingId : randomUUID();
    const cors = this.corsHeaders(headers['origin']);
    const log = this.deps.log.child({ reqId: requestId });

    // A body is coming when the client framed one (RFC 9112 section 6.3): Content-Length > 0 or
    // Transfer-Encoding (chunked; uWS de-chunks it).
    state.bodyComplete = !(
      headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0
    );

    this.inflight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (--this.inflight === 0 && this.idleWaiters.length) {
        const ws = this.idleWaiters.splice(0);
        for (const w of ws) w();
      }
    };

    const respond = (status: number, body: string | Buffer | undefined, extra: Record<string, string>) => {
      if (state.aborted || state.done) return;
      state.done = true;
      // Answering before the body was read to the end (413, 404 on a POST...): close the connection
      // rather than let uWS receive the rest of a body nobody will read. Draining closes too.
      const close = this.draining || !state.bodyComplete;
      res.cork(() => {
        res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`);
        res.writeHeader('X-Request-Id', requestId);
        for (const [k, v] of Object.entries(cors)) res.writeHeader(k, v);
        for (const [k, v] of Object.entries(extra)) res.writeHeader(k, v);
        if (status === 204 || status === 304 || body === undefined) res.endWithoutBody(0, close);
        else res.end(body, close);
      });
    };
    const sendError = (err: unknown) => {
      const e = this.toAppError(err, log, method, url);
      respond(e.status, JSON.stringify(e.toJSON()), {
        'Content-Type': 'application/json',
        ...(e.headers ?? {}),
      });
    };

    const ex: Exchange = {
      res,
      state,
      method,
      url,
      qs,
      headers,
      ip,
      requestId,
      log,
      respond,
      sendError,
      conflictingLength,
    };
    let pending: Promise<void> | undefined;
    try {
      pending = this.dispatch(ex);
    } catch (err) {
      // A bug on the synchronous path must not escape into uWS (it would take the process down).
      sendError(err);
    }
    if (pending) void pending.finally(finish);
    else finish();
  }

  /** Route one request; returns a promise when the work continues asynchronously. */
  private dispatch(ex: Exchange): Promise<void> | undefined {
    const { method, url, headers, respond, sendError } = ex;
    if (ex.conflictingLength) {
      ex.log.warn({ method, url }, 'conflicting Content-Length headers; connection dropped');
      ex.state.done = true;
      ex.res.close();
      return undefined;
    }
    if (this.draining) {
      sendError(new AppError('SERVICE_UNAVAILABLE', 503, 'Server is shutting down'));
      return undefined;
    }
    if (method === 'OPTIONS') {
      respond(204, undefined, {
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers':
          headers['access-control-request-headers'] ?? 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      return undefined;
    }
    if (method === 'GET' && url.startsWith('/uploads/')) {
      return this.serveUpload(ex.res, ex.state, url.slice('/uploads/'.length), respond, sendError);
    }

    const match = this.router.match(method, url);
    if (match === null || match === 'method') {
      sendError(
        match === 'method'
          ? new AppError('METHOD_NOT_ALLOWED', 405, `Method ${method} is not allowed on ${url}`)
          : new AppError('NOT_FOUND', 404, `Route ${method} ${url} not found`),
      );
      return undefined;
    }
    const bodyMode = match.route.options.body ?? (BODY_METHODS.has(method) ? 'json-or-empty' : 'none');
    const limit =
      match.route.options.bodyLimit ??
      (bodyMode === 'multipart' ? this.deps.uploadLimit : this.deps.bodyLimit);

    // Start reading the body synchronously (uWS delivers it only to a handler attached now).
    let bodyPromise: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    if (BODY_METHODS.has(method) && bodyMode !== 'none') {
      const declared = Number(headers['content-length'] ?? '0');
      if (declared > limit) {
        sendError(payloadTooLarge(`Body exceeds ${limit} bytes`));
        return undefined;
      }
      bodyPromise = readBody(ex.res, ex.state, limit);
    }
    return this.handle(ex, match, bodyMode, limit, bodyPromise).catch(sendError);
  }

  private async handle(
    ex: Exchange,
    { route, params }: Match,
    bodyMode: NonNullable<Route['options']['body']>,
    limit: number,
    bodyPromise: Promise<Buffer>,
  ): Promise<void> {
    const { headers, respond } = ex;
    const raw = await bodyPromise;
    let body: unknown;
    let multipart: MultipartBody | undefined;
    const ct = headers['content-type'] ?? '';
    if (bodyMode === 'multipart') {
      requireContentType(ct, 'multipart');
      multipart = await parseMultipart(ct, raw, {
        maxBytes: limit,
        maxFiles: route.options.maxFiles ?? 20,
        ...(route.options.maxFileBytes ? { maxFileBytes: route.options.maxFileBytes } : {}),
      });
    } else if (raw.length > 0) {
      requireContentType(ct, 'json');
      body = parseJson(raw);
    }
    const user = await this.auth(route, headers['authorization']);
    const ctx: Ctx = {
      method: ex.method,
      path: ex.url,
      query: new URLSearchParams(ex.qs),
      params,
      headers,
      ip: ex.ip,
      requestId: ex.requestId,
      log: ex.log,
      body,
      multipart,
      user,
      responseHeaders: {},
    };
    await this.applyRateLimits(route, ctx);
    const result = await route.handler(ctx);
    if (result instanceof Reply) {
      const extra = { ...ctx.responseHeaders, ...result.headers };
      if (result.kind === 'raw') respond(result.status, result.body as string | Buffer, extra);
      else if (result.body === undefined) respond(result.status, undefined, extra);
      else
        respond(result.status, JSON.stringify(result.body), {
          'Content-Type': 'application/json',
          ...extra,
        });
    } else if (result === undefined) {
      respond(204, undefined, ctx.responseHeaders);
    } else {
      respond(200, JSON.stringify(result), {
        'Content-Type': 'application/json',
        ...ctx.responseHeaders,
      });
    }
  }

  private async auth(route: Route, header: string | undefined): Promise<AuthUser | undefined> {
    const mode = route.options.auth ?? 'required';
    if (mode === 'none') return undefined;
    const token = bearer(header);
    if (!token) {
      if (mode === 'optional') return undefined;
      throw unauthorized(header ? 'Malformed Authorization header' : 'Authentication required');
    }
    try {
      return await this.deps.authenticate(token);
    } catch (err) {
      // An optional-auth route treats a bad token as anonymous; a banned account is still refused.
      if (mode === 'optional' && err instanceof AppError && err.status === 401) return undefined;
      throw err;
    }
  }

  private async applyRateLimits(route: Route, ctx: Ctx): Promise<void> {
    const specs = route.options.rateLimit;
    if (!specs) return;
    for (const spec of Array.isArray(specs) ? specs : [specs])
      await enforceRateLimit(this.deps.kv, spec, ctx);
  }

  private toAppError(err: unknown, log: Logger, method: string, url: string): AppError {
    if (err instanceof AppError) return err;
    if (isConnectivityError(err) || isPortUnavailable(err)) {
      log.warn({ err: (err as Error).message, method, url }, 'dependency unavailable');
      return new AppError('SERVICE_UNAVAILABLE', 503, 'A backing service is unavailable; try again shortly');
    }
    log.error({ err, method, url }, 'unhandled error');
    return new AppError('INTERNAL', 500, 'Internal server error');
  }

  private corsHeaders(origin: string | undefined): Record<string, string> {
    const allowed = this.deps.corsOrigins;
    if (allowed.includes('*'))
      return {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'Retry-After, X-Request-Id',
      };
    if (origin && allowed.includes(origin))
      return {
        'Access-Control-Allow-Origin': origin,
        Vary: 'Origin',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': 'Retry-After, X-Request-Id',
      };
    return {};
  }

  private clientIp(res: uWS.HttpResponse, headers: Record<string, string>): string {
    if (this.deps.trustProxy) {
      const fwd = headers['x-forwarded-for']?.split(',')[0]?.trim();
      if (fwd) return fwd;
    }
    return Buffer.from(res.getRemoteAddressAsText()).toString();
  }

  private async serveUpload(
    res: uWS.HttpResponse,
    state: ResState,
    key: string,
    respond: (s: number, b: string | Buffer | undefined, h: Record<string, string>) => void,
    sendError: (e: unknown) => void,
  ): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(key);
    } catch {
      decoded = '\0';
    }
    const file = this.deps.storage.resolve(decoded);
    if (!file) return sendError(new AppError('NOT_FOUND', 404, 'File not found'));
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
      if (!stat.isFile()) throw new Error('not a file');
    } catch {
      return sendError(new AppError('NOT_FOUND', 404, 'File not found'));
    }
    const headers = {
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    };
    if (stat.size <= 1024 * 1024) return respond(200, await fs.promises.readFile(file), headers);
    await streamFile(res, state, file, stat.size, headers);
  }
}

export async function enforceRateLimit(kv: Kv, spec: RateLimitSpec, ctx: Ctx): Promise<void> {
  const by = spec.by ?? 'user';
  const who =
    typeof by === 'function'
      ? by(ctx)
      : by === 'ip'
        ? `ip:${ctx.ip}`
        : ctx.user
          ? `u:${ctx.user.id}`
          : `ip:${ctx.ip}`;
  let r: Awaited<ReturnType<Kv['rateLimit']>>;
  try {
    r = await kv.rateLimit(`${spec.name}:${who}`, spec.limit, spec.windowMs);
  } catch (err) {
    // Fail closed but clearly: without the limiter we cannot tell whether the caller is over it.
    ctx.log.warn(
      { err: err instanceof Error ? err.message : String(err), limit: spec.name },
      'rate limiter unavailable',
    );
    throw new AppError('SERVICE_UNAVAILABLE', 503, 'Rate limiter unavailable; try again shortly');
  }
  if (!r.allowed) throw rateLimited(r.retryAfterMs, spec.message);
}

/**
 * Errors of the kv/jobs (ioredis) and bus ports that mean "the service is unreachable": a 503 the
 * client may retry, not a 500. (Database connectivity is engine/errors.ts isConnectivityError.)
 */
function isPortUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (err.name === 'BusError') {
    const code = (err as { code?: unknown }).code;
    return code === 'UNAVAILABLE' || code === 'CLOSED';
  }
  return /^Connection is closed\.?$|Stream isn't writeable/.test(err.message);
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * Read the body, copying each chunk (uWS reuses the buffer); reject with 413 once over `limit`,
 * whatever Content-Length said (it may be absent: chunked), and with ClientGone when the client
 * disconnects mid-body, so the request settles and leaves the in-flight count.
 */
function readBody(res: uWS.HttpResponse, state: ResState, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    state.onAbort = () => reject(new ClientGone());
    res.onData((ab, isLast) => {
      if (isLast) {
        state.bodyComplete = true;
        state.onAbort = undefined;
      }
      if (over) return;
      size += ab.byteLength;
      if (size > limit) {
        over = true;
        reject(payloadTooLarge(`Body exceeds ${limit} bytes`));
        return;
      }
      if (ab.byteLength > 0) chunks.push(Buffer.from(ab.slice(0)));
      if (isLast) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}

/** Stream a large file with backpressure (tryEnd/onWritable), never buffering it whole. */
function streamFile(
  res: uWS.HttpResponse,
  state: ResState,
  file: string,
  size: number,
  headers: Record<string, string>,
): Promise<void> {
  return new Promise((resolve) => {
    const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    let headersSent = false;
    state.onAbort = () => {
      stream.destroy();
      resolve();
    };
    stream.on('data', (chunk) => {
      const buf = chunk as Buffer;
      if (state.aborted) return;
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      const offset = res.getWriteOffset();
      let ok = false;
      let done = false;
      res.cork(() => {
        if (!headersSent) {
          res.writeStatus('200 OK');
          for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
          headersSent = true;
        }
        [ok, done] = res.tryEnd(ab, size);
      });
      if (done) {
        state.done = true;
        stream.destroy();
        resolve();
      } else if (!ok) {
        stream.pause();
        res.onWritable((off) => {
          let ok2 = false;
          let done2 = false;
          res.cork(() => {
            [ok2, done2] = res.tryEnd(ab.slice(off - offset), size);
          });
          if (done2) {
            state.done = true;
            stream.destroy();
            resolve();
          } else if (ok2) stream.resume();
          return ok2;
        });
      }
    });
    stream.on('error', () => {
      if (!state.aborted && !state.done) res.close();
      resolve();
    });
    stream.on('end', () => resolve());
  });
}
