/**
 * A segment trie router. Static segments win over parameters (`/users/me` before `/users/:userId`);
 * unknown paths are 404 and a known path with another method is 405, both in the spec's error shape.
 */
import type { Ctx } from './context.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Handler = (ctx: Ctx) => Promise<unknown> | unknown;

export interface RateLimitSpec {
  /** Name of the limit, part of the key. */
  name: string;
  limit: number;
  windowMs: number;
  /** What the limit counts per: the caller (user id, else ip), the ip, or a key of your own. */
  by?: 'user' | 'ip' | ((ctx: Ctx) => string);
  message?: string;
}

export interface RouteOptions {
  /** 'required' (default): 401 without a valid token. 'optional': ctx.user when a token is valid. */
  auth?: 'required' | 'optional' | 'none';
  /** How to read the body. Default: 'json' for POST/PUT/PATCH/DELETE, 'none' for GET. */
  body?: 'json' | 'multipart' | 'none' | 'json-or-empty';
  /** Overrides BODY_LIMIT_BYTES (json) or UPLOAD_LIMIT_BYTES (multipart). */
  bodyLimit?: number;
  rateLimit?: RateLimitSpec | RateLimitSpec[];
  /** Multipart limits: files per request (default 20), bytes per file (default: the body limit). */
  maxFiles?: number;
  maxFileBytes?: number;
}

export interface Route {
  method: Method;
  pattern: string;
  options: RouteOptions;
  handler: Handler;
}

interface Node {
  static: Map<string, Node>;
  param?: { name: string; node: Node };
  /** Catch-all '*' at the end of a pattern: the rest of the path goes to params['*']. */
  wildcard?: Map<Method, Route>;
  routes: Map<Method, Route>;
}

const newNode = (): Node => ({ static: new Map(), routes: new Map() });

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly root = newNode();
  readonly all: Route[] = [];

  constructor(private readonly prefix = '') {}

  /** A router whose patterns are prefixed, sharing this trie. */
  scope(prefix: string): Router {
    const child = Object.create(this) as Router;
    Object.defineProperty(child, 'prefix', { value: this.prefix + prefix });
    return child;
  }

  get(p: string, a: RouteOptions | Handler, b?: Handler) {
    this.add('GET', p, a, b);
  }
  post(p: string, a: RouteOptions | Handler, b?: Handler) {
    this.add('POST', p, a, b);
  }
  put(p: string, a: RouteOptions | Handler, b?: Handler) {
    this.add('PUT', p, a, b);
  }
  patch(p: string, a: RouteOptions | Handler, b?: Handler) {
    this.add('PATCH', p, a, b);
  }
  delete(p: string, a: RouteOptions | Handler, b?: Handler) {
    this.add('DELETE', p, a, b);
  }

  add(method: Method, pattern: string, a: RouteOptions | Handler, b?: Handler): void {
    const options = typeof a === 'function' ? {} : a;
    const handler = typeof a === 'function' ? a : b;
    if (!handler) throw new Error(`no handler for ${method} ${pattern}`);
    const full = this.prefix + pattern;
    const route: Route = { method, pattern: full, options, handler };
    let node = this.root;
    const segs = split(full);
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg === '*' && i === segs.length - 1) {
        node.wildcard ??= new Map();
        if (node.wildcard.has(method)) throw new Error(`duplicate route ${method} ${full}`);
        node.wildcard.set(method, route);
        this.all.push(route);
        return;
      }
      if (seg.startsWith(':')) {
        const name = seg.slice(1);
        if (node.param && node.param.name !== name)
          throw new Error(`conflicting parameter names :${node.param.name} and :${name} in ${full}`);
        node.param ??= { name, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.static.get(seg);
        if (!next) node.static.set(seg, (next = newNode()));
        node = next;
      }
    }
    if (node.routes.has(method)) throw new Error(`duplicate route ${method} ${full}`);
    node.routes.set(method, route);
    this.all.push(route);
  }

  /**
   * A route for the method and path; 'method' when the path exists under other methods only (405);
   * null otherwise (404). Matching is per method: `DELETE /users/me` finds `DELETE /users/:userId`
   * even though a static `GET /users/me` exists, as in find-my-way.
   */
  match(method: string, path: string): Match | 'method' | null {
    const seen = { otherMethod: false };
    const found = walk(this.root, split(path), 0, {}, method as Method, seen);
    if (found) return found;
    return seen.otherMethod ? 'method' : null;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/** Depth-first: static segment, then parameter, then catch-all; the first route for `method` wins. */
function walk(
  node: Node,
  segs: string[],
  i: number,
  params: Record<string, string>,
  method: Method,
  seen: { otherMethod: boolean },
): Match | null {
  if (i === segs.length) {
    const route = node.routes.get(method);
    if (route) return { route, params };
    if (node.routes.size > 0) seen.otherMethod = true;
    return null;
  }
  const seg = segs[i]!;
  const s = node.static.get(seg);
  if (s) {
    const r = walk(s, segs, i + 1, params, method, seen);
    if (r) return r;
  }
  if (node.param) {
    let value: string;
    try {
      value = decodeURIComponent(seg);
    } catch {
      value = seg;
    }
    const r = walk(node.param.node, segs, i + 1, { ...params, [node.param.name]: value }, method, seen);
    if (r) return r;
  }
  if (node.wildcard) {
    const route = node.wildcard.get(method);
    if (route) return { route, params: { ...params, '*': segs.slice(i).join('/') } };
    seen.otherMethod = true;
  }
  return null;
}
