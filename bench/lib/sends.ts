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

/**
 * POST a JSON body on a keep-alive agent; true on 2xx. `onFail` hears why a send failed: the status
 * and error code, or 'error' for a transport error.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  agent: http.Agent,
  onFail?: (why: string) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
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
          if (!ok) onFail?.(`${res.statusCode} ${/"code":"(\w+)"/.exec(text)?.[1] ?? ''}`.trim());
          resolve(ok);
        });
      },
    );
    req.on('error', () => {
      onFail?.('error');
      resolve(false);
    });
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
