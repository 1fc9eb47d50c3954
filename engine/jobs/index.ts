/**
 * The jobs port: named queues with retries and exponential backoff, delayed jobs and de-duplication
 * by job id. Inline (in-process timers) on embedded defaults, BullMQ on REDIS_URL.
 */
export interface JobMeta {
  id: string;
  /** 1 on the first try. */
  attempt: number;
}

export type JobHandler<T> = (data: T, meta: JobMeta) => Promise<void>;

export interface EnqueueOptions {
  delayMs?: number;
  /** De-duplication key: a job with the same id that is still pending is not added twice. */
  jobId?: string;
  /** Total tries, default 5. */
  attempts?: number;
  /** First retry delay; doubles each time. Default 1000 ms. */
  backoffMs?: number;
}

export interface Jobs {
  readonly mode: 'inline' | 'bullmq';
  process<T>(queue: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void;
  enqueue<T>(queue: string, data: T, opts?: EnqueueOptions): Promise<void>;
  /** Stop taking jobs and wait for running ones (up to `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}
