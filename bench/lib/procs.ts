/**
 * Server processes for benchmarks: reef (`node main.ts`, as `npm start` runs it) and baselines,
 * each a child process pinned to a CPU when `taskset` exists, so the load generator (pinned to the
 * other core) does not steal the server's cycles.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '../../engine/config.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** True when `taskset` can pin processes here (Linux with util-linux and more than one CPU). */
export const canPin: boolean = (() => {
  const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return r.status === 0;
})();

/** `[cmd, ...args]` prefixed with `taskset -c <cpu>` when pinning is possible. */
export function pinned(cpu: string | undefined, cmd: string, args: string[]): [string, string[]] {
  if (!cpu || !canPin) return [cmd, args];
  return ['taskset', ['-c', cpu, cmd, ...args]];
}

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** The server's own log lines (stdout and stderr), for a post-mortem. */
  readonly output: string[];
  /** CPU time (user + system, all threads) the process has used so far, in ms; null off Linux. */
  cpuMs(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnServerOptions {
  name: string;
  /** Node arguments: the script and its flags (tsx is loaded for you). */
  script: string[];
  env: Record<string, string>;
  /** Pin to this CPU list (taskset syntax, e.g. "0"). */
  cpu?: string;
  /** Read the listening port from one output line; resolve when it returns a number. */
  ready: (line: string) => number | undefined;
  timeoutMs?: number;
}

/** The environment of this process without reef's settings, so a child only gets what we pass. */
export function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !(k in ConfigSchema.entries)) out[k] = v;
  return out;
}

export function spawnServer(opts: SpawnServerOptions): Promise<ServerProcess> {
  const [cmd, args] = pinned(opts.cpu, process.execPath, [
    '--no-node-snapshot',
    '--import',
    'tsx',
    ...opts.script,
  ]);
  const child: ChildProcess = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...cleanEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 90_000} ms:\n${output.join('\n')}`),
      );
    }, opts.timeoutMs ?? 90_000);
    let started = false;
    const onLine = (line: string) => {
      if (output.length < 2000) output.push(line);
      if (started) return;
      const port = opts.ready(line);
      if (port === undefined) return;
      started = true;
      clearTimeout(timer);
      resolve({
        name: opts.name,
        url: `http://127.0.0.1:${port}`,
        pid: child.pid!,
        output,
        cpuMs: () => processCpuMs(child.pid!),
        async stop(graceMs = 10_000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = '';
      stream.on('data', (d: Buffer) => {
        partial += d.toString();
        const lines = partial.split('\n');
        partial = lines.pop()!;
        for (const line of lines) onLine(line);
      });
    }
    void exited.then((code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
}

/** reef as `npm start` runs it, with `env` on top of a quiet, any-port default. */
export function startReefProcess(
  name: string,
  env: Record<string, string>,
  cpu?: string,
): Promise<ServerProcess> {
  return spawnServer({
    name,
    script: ['main.ts'],
    env: { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    ...(cpu ? { cpu } : {}),
    ready: (line) => {
      if (!line.includes('reef listening')) return undefined;
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        return entry.msg === 'reef listening' ? entry.port : undefined;
      } catch {
        return undefined;
      }
    },
  });
}

/** A baseline server script that prints `listening <port>` on stdout. */
export function startBaselineProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  cpu?: string,
): Promise<ServerProcess> {
  return spawnServer({
    name,
    script: [script],
    env,
    ...(cpu ? { cpu } : {}),
    ready: (line) => {
      const m = /^listening (\d+)$/.exec(line.trim());
      return m ? Number(m[1]) : undefined;
    },
  });
}

/**
 * utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms on
 * Linux). Unlike req/s, CPU per request barely moves when other processes share the machine.
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}
