/**
 * The load generator process (started by load.ts, pinned to its own core): runs autocannon for each
 * request it receives over IPC and answers with the summary. Kept alive between runs, so a round
 * costs no process start.
 */
import autocannon, { type Request } from 'autocannon';
import type { LoadRequest, LoadResult } from './load.ts';

function run(req: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: req.url,
        method: (req.method ?? 'GET') as NonNullable<Request['method']>,
        connections: req.connections,
        duration: req.durationS,
        pipelining: 1,
        headers: req.headers ?? {},
        ...(req.body !== undefined ? { body: req.body } : {}),
        timeout: 10,
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          requests: r.requests.total,
          durationS: r.duration,
          rps: r.requests.total / r.duration,
          latencyMs: {
            p50: r.latency.p50,
            p90: r.latency.p90,
            p99: r.latency.p99,
            max: r.latency.max,
            mean: r.latency.average,
          },
          ok: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
        });
      },
    );
  });
}

process.on('message', (msg: { id: number; req: LoadRequest }) => {
  run(msg.req).then(
    (result) => process.send!({ id: msg.id, result }),
    (err: unknown) => process.send!({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
