/**
 * Load generation from a separate process (bench/lib/loadgen.ts, autocannon), pinned to CPU 1 when
 * `taskset` works, while servers are pinned to CPU 0: on a 2-core machine the generator and the
 * server then never compete for one core. Keep-alive HTTP/1.1, N connections, a fixed duration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, cleanEnv, pinned } from './procs.ts';

export interface LoadRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  /** Responses per second over the run (all statuses; see ok/non2xx). */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

type Reply = { id: number; result?: LoadResult; error?: string } | { ready: true };

export class LoadGenerator {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(r: LoadResult): void; reject(e: Error): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (!w) return;
      if (m.result) w.resolve(m.result);
      else w.reject(new Error(m.error ?? 'load generator failed'));
    });
    child.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error('load generator exited'));
      this.waiting.clear();
    });
  }

  /** Start the generator process on `cpu` (taskset syntax). */
  static async start(cpu = '1'): Promise<LoadGenerator> {
    const [cmd, args] = pinned(cpu, process.execPath, ['--import', 'tsx', 'bench/lib/loadgen.ts']);
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    return new LoadGenerator(child);
  }

  run(req: LoadRequest): Promise<LoadResult> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, req });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    await exited;
  }
}
