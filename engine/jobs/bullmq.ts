/** BullMQ jobs on Redis: a Queue per name (created lazily) and a Worker per processed queue. */
import { Queue, Worker } from 'bullmq';
import type { Logger } from '../log.ts';
import { createRedisClient } from '../kv/redis.ts';
import type { EnqueueOptions, JobHandler, Jobs } from './index.ts';

export function createBullJobs(url: string, namespace: string, log: Logger): Jobs {
  // Producers fail fast when Redis is gone (a request that enqueues gets a clear error, which the
  // edge maps to 503, instead of hanging in ioredis' offline queue forever); workers keep the
  // blocking connection BullMQ requires (maxRetriesPerRequest: null) and wait for Redis to return.
  const connection = createRedisClient(url, log, false);
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const prefix = `${namespace}:bull`;
  const queueOf = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on('error', (err) => log.warn({ queue: name, err: err.message }, 'bullmq queue error'));
      queues.set(name, q);
    }
    return q;
  };
  return {
    mode: 'bullmq',
    process<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}) {
      const worker = new Worker(
        name,
        async (job) => handler(job.data as T, { id: job.id ?? '', attempt: job.attemptsMade + 1 }),
        { connection: createRedisClient(url, log, true), prefix, concurrency: opts.concurrency ?? 4 },
      );
      worker.on('failed', (job, err) =>
        log.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => log.warn({ queue: name, err: err.message }, 'bullmq worker error'));
      workers.push(worker);
    },
    async enqueue<T>(name: string, data: T, opts: EnqueueOptions = {}) {
      await queueOf(name).add(name, data, {
        // The port de-duplicates while a job is pending (jobs/index.ts). A BullMQ `jobId` would also
        // swallow re-adds while the completed job is kept (removeOnComplete), so use its simple
        // de-duplication mode instead: the key is released when the job completes or fails for good.
        ...(opts.jobId ? { deduplication: { id: opts.jobId } } : {}),
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        attempts: opts.attempts ?? 5,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
    },
    async close(timeoutMs = 5000) {
      const all = Promise.allSettled([
        ...workers.map((w) => w.close()),
        ...[...queues.values()].map((q) => q.close()),
      ]);
      await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      await Promise.allSettled(workers.map((w) => w.disconnect()));
      connection.disconnect();
    },
  };
}
