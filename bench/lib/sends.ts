/**
 * What the message-send scenarios (messages, dms) share: percentiles, a seeding API client, one
 * keep-alive JSON POST and closed-loop senders (each loop keeps exactly one request in flight).
 */
import http from 'node:http';

/** The p-th percentile (nearest rank) of `xs`; NaN when empty. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export const median = (xs: number[]): number => pct(xs, 50);

/** A JSON call to reef's API, as a client seeding data would make it; throws on a non-2xx answer. */
export async function api<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** How long one send may take before it is given up (counted as failed, cause 'timeout'). */
export const SEND_TIMEOUT_MS = 30_000;

/**
 * POST a JSON body on a keep-alive agent; true on 2xx. `onFail` hears why a send failed: the status
 * and error code, 'error' for a transport error, or 'timeout' when no complete answer came within
 * `timeoutMs` (the request is destroyed, so a server that never answers cannot hang a closed loop).
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  agent: http.Agent,
  onFail?: (why: string) => void,
  timeoutMs: number = SEND_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!ok) onFail?.(why ?? 'error');
      resolve(ok);
    };
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          if (onFail) text += c.toString();
        });
        res.on('end', () => {
          const ok = (res.statusCode ?? 500) < 300;
          settle(ok, `${res.statusCode} ${/"code":"(\w+)"/.exec(text)?.[1] ?? ''}`.trim());
        });
        res.on('error', () => settle(false, 'error'));
        res.on('aborted', () => settle(false, 'error'));
      },
    );
    // A wall-clock deadline for the whole exchange (req.setTimeout only measures socket idleness).
    const timer = setTimeout(() => {
      settle(false, 'timeout');
      req.destroy();
    }, timeoutMs);
    req.on('error', () => settle(false, 'error'));
    req.end(body);
  });
}

/**
 * Run `loops` closed-loop senders until `seconds` have passed: each calls `once()` again as soon as
 * the previous call settled. Returns the elapsed seconds.
 */
export async function closedLoop<T>(
  loops: T[],
  seconds: number,
  once: (loop: T) => Promise<void>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    loops.map(async (l) => {
      while (performance.now() < deadline) await once(l);
    }),
  );
  return (performance.now() - started) / 1000;
}
