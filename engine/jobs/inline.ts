/**
 * In-process jobs for embedded mode. Delays and retries are timers; nothing survives a restart,
 * which is why durable timers of actors live in Postgres, not here.
 */
import type { Logger } from '../log.ts';
import type { EnqueueOptions, JobHandler, Jobs } from './index.ts';

interface Pending {
  queue: string;
  id: string;
  data: unknown;
  attempt: number;
  attempts: number;
  backoffMs: number;
}

export function createInlineJobs(log: Logger): Jobs {
  const handlers = new Map<string, { handler: JobHandler<unknown>; concurrency: number; running: number }>();
  const waiting = new Map<string, Pending[]>();
  const pendingIds = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let seq = 0;
  let closed = false;

  function schedule(job: Pending, delayMs: number): void {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      ready(job);
    }, delayMs);
    timers.add(t);
  }

  function ready(job: Pending): void {
    const list = waiting.get(job.queue) ?? [];
    list.push(job);
    waiting.set(job.queue, list);
    pump(job.queue);
  }

  function pump(queue: string): void {
    const h = handlers.get(queue);
    const list = waiting.get(queue);
    if (!h || !list || closed) return;
    while (h.running < h.concurrency && list.length > 0) {
      const job = list.shift()!;
      h.running++;
      const p = h
        .handler(job.data, { id: job.id, attempt: job.attempt })
        .then(
          () => {
            pendingIds.delete(`${queue}:${job.id}`);
          },
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            if (job.attempt < job.attempts) {
              log.warn(
                { queue, jobId: job.id, attempt: job.attempt, err: message },
                'job failed, will retry',
              );
              schedule({ ...job, attempt: job.attempt + 1 }, job.backoffMs * 2 ** (job.attempt - 1));
            } else {
              pendingIds.delete(`${queue}:${job.id}`);
              log.error(
                { queue, jobId: job.id, attempts: job.attempt, err: message },
                'job failed permanently',
              );
            }
          },
        )
        .finally(() => {
          h.running--;
          running.delete(p);
          pump(queue);
        });
      running.add(p);
    }
  }

  return {
    mode: 'inline',
    process(queue, handler, opts = {}) {
      handlers.set(queue, {
        handler: handler as JobHandler<unknown>,
        concurrency: opts.concurrency ?? 4,
        running: 0,
      });
      pump(queue);
    },
    async enqueue(queue, data, opts: EnqueueOptions = {}) {
      if (closed) throw new Error('jobs are closed');
      const id = opts.jobId ?? `inline-${++seq}`;
      const key = `${queue}:${id}`;
      if (pendingIds.has(key)) return;
      pendingIds.add(key);
      const job: Pending = {
        queue,
        id,
        data,
        attempt: 1,
        attempts: opts.attempts ?? 5,
        backoffMs: opts.backoffMs ?? 1000,
      };
      if (opts.delayMs && opts.delayMs > 0) schedule(job, opts.delayMs);
      else queueMicrotask(() => ready(job));
    },
    async close(timeoutMs = 5000) {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    },
  };
}
