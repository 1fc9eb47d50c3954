/**
 * Scenario-side helpers of the realtime benches: the socket load generator (loadgen.ts) in its own
 * process pinned to the load core, the servers' CPU time from /proc (so every server, reef or
 * baseline, is measured from outside the same way), and their memory after a full GC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { LOAD_CPU } from '../../lib/context.ts';
import { ROOT, cleanEnv, pinned, type ServerProcess } from '../../lib/procs.ts';
import type { ConnectCmd, RunCmd, RunResult } from './loadgen.ts';

type Reply = { id: number; result?: unknown; error?: string } | { ready: true };

export class SocketLoad {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
    child.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error('socket load generator exited'));
      this.waiting.clear();
    });
  }

  static async start(): Promise<SocketLoad> {
    const [cmd, args] = pinned(LOAD_CPU, process.execPath, [
      '--max-old-space-size=4096',
      '--import',
      'tsx',
      'bench/scenarios/realtime/loadgen.ts',
    ]);
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`socket load generator exited with ${code}`)));
    });
    return new SocketLoad(child);
  }

  private call<T>(cmd: unknown): Promise<T> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (r) => resolve(r as T), reject });
      this.child.send({ id, cmd });
    });
  }

  connect(c: Omit<ConnectCmd, 'op'>): Promise<{ connected: number; ms: number }> {
    return this.call({ op: 'connect', ...c });
  }

  run(c: Omit<RunCmd, 'op'>): Promise<RunResult> {
    return this.call({ op: 'run', ...c });
  }

  /** Close the clients of one group, or of every group. */
  close(group?: string): Promise<void> {
    return this.call({ op: 'close', ...(group !== undefined ? { group } : {}) });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    await exited;
  }
}

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** User and system CPU time of a process so far, in µs (from /proc/<pid>/stat). */
export function cpuTimes(pid: number): { userUs: number; systemUs: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userUs: Number(f[11]) * TICK_US, systemUs: Number(f[12]) * TICK_US };
}

/** Ask a bench server for a full GC and read its memory (it prints `mem {...}` on SIGUSR2). */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  /** The V8 heap's committed size (RSS minus this is memory outside the V8 heap: uWS, ws, malloc). */
  heapTotal: number;
}

export async function memoryAfterGc(server: ServerProcess): Promise<MemorySample> {
  const before = server.output.length;
  process.kill(server.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (let i = before; i < server.output.length; i++) {
      const line = server.output[i]!;
      if (line.startsWith('mem ')) return JSON.parse(line.slice(4)) as MemorySample;
    }
    if (Date.now() > deadline) throw new Error(`${server.name} did not report its memory`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A bench server's own CPU time so far, in µs, user and system apart (it prints `cpu {...}` from
 * process.cpuUsage() on SIGWINCH): µs resolution, where /proc/<pid>/stat counts 10 ms ticks.
 */
export async function serverCpu(server: ServerProcess): Promise<{ userUs: number; systemUs: number }> {
  const before = server.output.length;
  process.kill(server.pid, 'SIGWINCH');
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (let i = before; i < server.output.length; i++) {
      const line = server.output[i]!;
      if (line.startsWith('cpu ')) {
        const c = JSON.parse(line.slice(4)) as { user: number; system: number };
        return { userUs: c.user, systemUs: c.system };
      }
    }
    if (Date.now() > deadline) throw new Error(`${server.name} did not report its CPU time`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Markdown table helper. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
