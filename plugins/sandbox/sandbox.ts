/**
 * The isolated-vm host: one isolate per key (a plugin id, or `space:<id>` for admins' scripts), taken
 * from a warm pool of bootstrapped isolates, kept in an LRU. Every execution runs under
 *   - a memory limit (the isolate's heap; exceeding it disposes the isolate),
 *   - a CPU-time limit (the synchronous part runs with `timeout`; after an `await` a watchdog reads the
 *     isolate's CPU clock and disposes it when the execution went over),
 *   - a wall-clock limit (an execution still unsettled then fails; the isolate is disposed if busy).
 * A fault ends that execution with an error result (and a log line); the isolate is thrown away and
 * the next execution under its key gets a fresh one from the pool. Other keys never share an isolate.
 *
 * Fast path: the handler is called with `applySync` (≈ µs) and, if it returned a promise, `take` asks
 * for the result after V8's microtask checkpoint; only a handler still waiting on the host (a
 * capability call) goes asynchronous, settled by the isolate through `__reefSettle`.
 */
import ivm from 'isolated-vm';
import { createHash } from 'node:crypto';
import { bootstrapSource } from './bootstrap.ts';

export interface SandboxLimits {
  /** Heap limit of one isolate, MB (≥ 8). */
  memoryMb: number;
  /** CPU time one execution may use, ms. */
  cpuMs: number;
  /** Wall-clock time one execution may take (including awaited host calls), ms. */
  wallMs: number;
  /** Largest JSON accepted in or out of an isolate (input, result, capability arguments), bytes. */
  maxIoBytes: number;
  /** Bootstrapped isolates kept ready for new keys. */
  poolSize: number;
  /** Keyed isolates kept alive at most (least recently used ones are disposed beyond this). */
  maxIsolates: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 32,
  cpuMs: 50,
  wallMs: 5000,
  maxIoBytes: 256 * 1024,
  poolSize: 2,
  maxIsolates: 64,
};

/** What runs: a plugin module (ES module source, `export default { commands, actions, triggers }`) or a script body. */
export type Code = { kind: 'module'; id: string; source: string } | { kind: 'script'; source: string };

export type FaultCode =
  | 'CPU_LIMIT'
  | 'MEMORY_LIMIT'
  | 'WALL_LIMIT'
  | 'SCRIPT_ERROR'
  | 'LOAD_ERROR'
  | 'NOT_GRANTED'
  | 'IO_TOO_LARGE'
  | 'ISOLATE_LOST';

export interface ExecLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: unknown;
}

export type ExecResult =
  | { ok: true; output: unknown; durationMs: number; logs: ExecLog[] }
  | {
      ok: false;
      error: { code: FaultCode; name: string; message: string };
      durationMs: number;
      logs: ExecLog[];
    };

/** The host side of one capability call: `method` is `messages.send`, `kv.get`, ...; args are plain JSON. */
export type HostCall = (method: string, args: unknown) => Promise<unknown>;

export interface ExecRequest {
  /** Isolate key: `plugin:<id>` or `space:<id>`. */
  key: string;
  code: Code;
  /** `commands.roll`, `actions.x`, `triggers.message_created`; ignored for scripts. */
  handler?: string;
  input: unknown;
  /** Capability names granted (`messages`, `kv`, ...); anything else is refused inside and outside. */
  grant: readonly string[];
  /** Visible to the code as ctx.spaceId / ctx.pluginId / ctx.config. */
  meta: { spaceId: string | null; pluginId: string | null; config?: Record<string, unknown> };
  host: HostCall;
}

export interface SandboxLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  debug?(obj: Record<string, unknown>, msg: string): void;
}

interface Exec {
  id: string;
  key: string;
  grant: readonly string[];
  host: HostCall;
  logs: ExecLog[];
  fault: { code: FaultCode; name: string; message: string } | null;
  cpu0: bigint;
  hostCalls: number;
  done: boolean;
  resolve?: (encoded: string) => void;
}

interface Entry {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(...a: string[]) => string>;
  take: ivm.Reference<(id: string) => string>;
  forget: ivm.Reference<(id: string) => void>;
  setModule: ivm.Reference<(def: unknown) => void>;
  addScript: ivm.Reference<(hash: string, source: string) => void>;
  execs: Map<string, Exec>;
  loaded: Set<string>;
  key: string | null;
  dead: boolean;
  /** Why it was disposed (memory limit, CPU watchdog), reported to executions it was running. */
  deathCause: FaultCode | null;
  /**
   * No continuation can be running in it: nothing resolved into it since the watchdog last saw its
   * CPU clock stand still. Only a quiet isolate is called with applySync (a busy one would block
   * the host's thread until it yields); others get the async apply.
   */
  quiet: boolean;
  /** Host calls started by code in it and not answered yet. */
  pendingHost: number;
  lastCpu: bigint;
  busyMs: number;
  /** Host answers delivered into it (each may resume code there). */
  answers: number;
}

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const MAX_LOGS = 50;

let seq = 0;
const nextId = () =>
  `${process.pid.toString(36)}.${(++seq).toString(36)}.${Math.random().toString(36).slice(2, 10)}`;

const hash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 20);

function limitFault(e: unknown, entry: Entry): { code: FaultCode; name: string; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (entry.deathCause === 'CPU_LIMIT')
    return { code: 'CPU_LIMIT', name: 'CpuLimit', message: 'CPU time limit exceeded' };
  if (entry.isolate.isDisposed || /memory limit/i.test(message))
    return { code: 'MEMORY_LIMIT', name: 'MemoryLimit', message: 'memory limit exceeded' };
  if (/timed out/i.test(message))
    return { code: 'CPU_LIMIT', name: 'CpuLimit', message: 'CPU time limit exceeded' };
  return { code: 'ISOLATE_LOST', name: 'IsolateError', message };
}

export class Sandbox {
  private readonly warm: Entry[] = [];
  private readonly keyed = new Map<string, Entry>();
  private refilling = false;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly asyncExecs = new Map<string, { exec: Exec; entry: Entry }>();
  /** Isolates that may be running continuations (see Entry.quiet). */
  private readonly watched = new Set<Entry>();
  private lastTick = 0;
  private closed = false;
  /** Counters for the bench and tests. */
  readonly stats = { created: 0, disposedForFaults: 0, executions: 0, faults: 0 };

  constructor(
    readonly limits: SandboxLimits = DEFAULT_LIMITS,
    private readonly log?: SandboxLogger,
  ) {}

  /** Fill the warm pool now (it also refills itself in the background as isolates are taken). */
  async warmUp(): Promise<void> {
    while (this.warm.length < this.limits.poolSize && !this.closed) this.warm.push(await this.create());
  }

  /** A fresh bootstrapped isolate (the cold start the pool hides). */
  async create(): Promise<Entry> {
    const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, this.limits.memoryMb) });
    const context = await isolate.createContext();
    const entry = {
      isolate,
      context,
      execs: new Map(),
      loaded: new Set(),
      key: null,
      dead: false,
      quiet: true,
      pendingHost: 0,
      lastCpu: 0n,
      busyMs: 0,
      answers: 0,
    } as unknown as Entry;
    const g = context.global;
    await g.set(
      '__reefHost',
      new ivm.Reference((id: string, method: string, argsJson: string) =>
        this.hostCall(entry, id, method, argsJson),
      ),
    );
    await g.set(
      '__reefLog',
      new ivm.Reference((id: string, level: string, message: string, data: string) =>
        this.hostLog(entry, id, level, message, data),
      ),
    );
    await g.set(
      '__reefSettle',
      new ivm.Reference((id: string, encoded: string) => {
        const exec = entry.execs.get(id);
        if (exec && !exec.done) exec.resolve?.(encoded);
      }),
    );
    await context.eval(bootstrapSource(this.limits.maxIoBytes), { timeout: 1000 });
    const api = (await g.get('__reef', { reference: true })) as ivm.Reference<Record<string, unknown>>;
    const fn = async <T>(name: string) => (await api.get(name, { reference: true })) as ivm.Reference<T>;
    entry.run = await fn('run');
    entry.take = await fn('take');
    entry.forget = await fn('forget');
    entry.setModule = await fn('setModule');
    entry.addScript = await fn('addScript');
    this.stats.created++;
    return entry;
  }

  private refill(): void {
    if (this.refilling || this.closed) return;
    this.refilling = true;
    void this.warmUp()
      .catch((e: unknown) => this.log?.warn({ err: e }, 'plugins: warm pool refill failed'))
      .finally(() => {
        this.refilling = false;
      });
  }

  private async acquire(key: string): Promise<Entry> {
    const have = this.keyed.get(key);
    if (have && !have.dead && !have.isolate.isDisposed) {
      this.keyed.delete(key);
      this.keyed.set(key, have);
      return have;
    }
    if (have) this.keyed.delete(key);
    const entry = this.warm.shift() ?? (await this.create());
    this.refill();
    entry.key = key;
    this.keyed.set(key, entry);
    this.evict();
    return entry;
  }

  private evict(): void {
    if (this.keyed.size <= this.limits.maxIsolates) return;
    for (const [key, e] of this.keyed) {
      if (this.keyed.size <= this.limits.maxIsolates) break;
      if (e.execs.size === 0) {
        this.keyed.delete(key);
        this.kill(e, null);
      }
    }
  }

  private kill(entry: Entry, cause: FaultCode | null): void {
    if (entry.dead) return;
    entry.dead = true;
    entry.deathCause = cause;
    if (cause) this.stats.disposedForFaults++;
    if (entry.key && this.keyed.get(entry.key) === entry) this.keyed.delete(entry.key);
    const fault = cause
      ? limitFault(new Error(cause), entry)
      : { code: 'ISOLATE_LOST' as const, name: 'IsolateError', message: 'isolate was disposed' };
    for (const exec of entry.execs.values()) {
      if (!exec.done) {
        exec.fault ??= fault;
        exec.resolve?.('');
      }
    }
    if (!entry.isolate.isDisposed) entry.isolate.dispose();
  }

  /** Dispose a key's isolate (a plugin reloaded, a space's scripts changed). */
  drop(key: string): void {
    const e = this.keyed.get(key);
    if (e) this.kill(e, null);
  }

  private async load(entry: Entry, code: Code): Promise<string> {
    if (code.kind === 'script') {
      const h = hash(code.source);
      if (!entry.loaded.has(h)) {
        const a: [string, string] = [h, code.source];
        const o = { timeout: this.limits.cpuMs };
        if (entry.quiet) entry.addScript.applySync(undefined, a, o);
        else await entry.addScript.apply(undefined, a, o);
        entry.loaded.add(h);
      }
      return `script:${h}`;
    }
    if (!entry.loaded.has(code.id)) {
      if (entry.loaded.size > 0) throw new Error('an isolate holds one plugin module');
      const mod = await entry.isolate.compileModule(code.source, { filename: `plugin:${code.id}` });
      await mod.instantiate(entry.context, (spec: string) => {
        throw new Error(
          `import "${spec}" is not available in a reef plugin: bundle your plugin into one file; the host is reached only through ctx`,
        );
      });
      await mod.evaluate({ timeout: this.limits.cpuMs * 4 });
      const def = await mod.namespace.get('default', { reference: true });
      // (a module is loaded into a fresh isolate, which is quiet)
      entry.setModule.applySync(undefined, [def.derefInto()], { timeout: this.limits.cpuMs });
      entry.loaded.add(code.id);
    }
    return '';
  }

  /** Run one handler or script. Never throws: faults come back as `{ ok: false, error }`. */
  async execute(req: ExecRequest): Promise<ExecResult> {
    const t0 = performance.now();
    this.stats.executions++;
    const exec: Exec = {
      id: nextId(),
      key: req.key,
      grant: req.grant,
      host: req.host,
      logs: [],
      fault: null,
      cpu0: 0n,
      hostCalls: 0,
      done: false,
    };
    const finish = (encoded: string): ExecResult => {
      exec.done = true;
      const durationMs = performance.now() - t0;
      if (!exec.fault && encoded.startsWith('1'))
        return { ok: true, output: JSON.parse(encoded.slice(1)) as unknown, durationMs, logs: exec.logs };
      let error = exec.fault;
      if (!error) {
        const e = (encoded.length > 1 ? JSON.parse(encoded.slice(1)) : {}) as {
          name?: string;
          message?: string;
        };
        const name = e.name ?? 'Error';
        error = {
          code:
            name === 'OutputTooLarge'
              ? 'IO_TOO_LARGE'
              : name === 'NotGranted'
                ? 'NOT_GRANTED'
                : 'SCRIPT_ERROR',
          name,
          message: e.message ?? 'unknown error',
        };
      }
      this.stats.faults++;
      this.log?.warn(
        { key: req.key, handler: req.handler, code: error.code, error: error.message },
        'plugins: execution failed',
      );
      return { ok: false, error, durationMs, logs: exec.logs };
    };

    const inputJson = JSON.stringify(req.input ?? null);
    if (inputJson.length > this.limits.maxIoBytes) {
      exec.fault = { code: 'IO_TOO_LARGE', name: 'InputTooLarge', message: 'the input is too large' };
      return finish('');
    }
    let entry: Entry;
    let target: string;
    try {
      entry = await this.acquire(req.key);
    } catch (e) {
      exec.fault = { code: 'ISOLATE_LOST', name: 'IsolateError', message: String(e) };
      return finish('');
    }
    try {
      target = (await this.load(entry, req.code)) || (req.handler ?? '');
    } catch (e) {
      const lost = entry.isolate.isDisposed || /timed out|memory/i.test(String(e));
      exec.fault = lost
        ? limitFault(e, entry)
        : { code: 'LOAD_ERROR', name: 'LoadError', message: e instanceof Error ? e.message : String(e) };
      this.kill(entry, lost ? exec.fault.code : null);
      return finish('');
    }

    entry.execs.set(exec.id, exec);
    try {
      exec.cpu0 = entry.isolate.cpuTime;
      const args = [exec.id, target, inputJson, JSON.stringify(req.grant), JSON.stringify(req.meta)];
      const opts = { timeout: this.limits.cpuMs };
      const mark = entry.answers;
      const wasQuiet = entry.quiet;
      let encoded = wasQuiet
        ? entry.run.applySync(undefined, args, opts)
        : await entry.run.apply(undefined, args, opts);
      // That async call was a task queued behind every answer delivered before it: whatever those
      // answers resumed has finished, so with no answer since and none pending the isolate is idle.
      if (!wasQuiet && entry.answers === mark && entry.pendingHost === 0 && !entry.dead) {
        const waiting = [...entry.execs.values()].some((e) => e !== exec && e.resolve && !e.done);
        if (!waiting) entry.quiet = true;
      }
      if (encoded === 'P')
        encoded = entry.quiet
          ? entry.take.applySync(undefined, [exec.id], opts)
          : await entry.take.apply(undefined, [exec.id], opts);
      if (encoded === 'P' && !exec.fault) encoded = await this.waitAsync(entry, exec);
      // isolated-vm enforces the heap limit at its GCs; a big short-lived allocation (a 100 MB string
      // built and dropped in one call) can slip between them. A slow execution checks the heap after.
      if (!entry.dead && performance.now() - t0 > 2 && this.overHeap(entry)) {
        exec.fault ??= { code: 'MEMORY_LIMIT', name: 'MemoryLimit', message: 'memory limit exceeded' };
        this.kill(entry, 'MEMORY_LIMIT');
      }
      if (exec.fault && !exec.done && !entry.dead) {
        try {
          if (entry.quiet) entry.forget.applySync(undefined, [exec.id], { timeout: this.limits.cpuMs });
          else void entry.forget.apply(undefined, [exec.id]).catch(() => {});
        } catch {
          /* the isolate is going away anyway */
        }
      }
      return finish(encoded);
    } catch (e) {
      if (
        !exec.fault &&
        !entry.isolate.isDisposed &&
        !entry.dead &&
        !/timed out|memory limit/i.test(String(e))
      ) {
        // isolated-vm reports a promise rejection nobody handled as the error of the call that ran
        // the microtask checkpoint: the code's fault, not the isolate's.
        exec.fault = {
          code: 'SCRIPT_ERROR',
          name: 'UnhandledRejection',
          message: `unhandled promise rejection: ${e instanceof Error ? e.message : String(e)}`.slice(
            0,
            2000,
          ),
        };
        return finish('');
      }
      exec.fault ??= limitFault(e, entry);
      this.kill(entry, exec.fault.code === 'ISOLATE_LOST' ? null : exec.fault.code);
      return finish('');
    } finally {
      entry.execs.delete(exec.id);
      this.asyncExecs.delete(exec.id);
    }
  }

  private overHeap(entry: Entry): boolean {
    // Only a quiet isolate: the sync read would wait for a running one (the watchdog covers those).
    if (!entry.quiet) return false;
    try {
      const h = entry.isolate.getHeapStatisticsSync();
      return h.used_heap_size + h.externally_allocated_size > this.limits.memoryMb * 1024 * 1024;
    } catch {
      return true;
    }
  }

  private waitAsync(entry: Entry, exec: Exec): Promise<string> {
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        if (exec.done) return;
        exec.fault ??= { code: 'WALL_LIMIT', name: 'WallLimit', message: 'wall-clock limit exceeded' };
        // Busy in the isolate (not waiting on the host): stop it; otherwise the late continuation is ignored.
        if (exec.hostCalls === 0) this.kill(entry, 'WALL_LIMIT');
        resolve('');
      }, this.limits.wallMs);
      exec.resolve = (encoded) => {
        clearTimeout(timer);
        resolve(encoded);
      };
      this.asyncExecs.set(exec.id, { exec, entry });
      this.watch(entry);
    });
  }

  /** Something may run in this isolate on its own thread from now on: watch its CPU clock. */
  private watch(entry: Entry): void {
    if (entry.dead) return;
    if (entry.quiet || !this.watched.has(entry)) {
      entry.quiet = false;
      entry.lastCpu = entry.isolate.cpuTime;
      entry.busyMs = 0;
      this.watched.add(entry);
    }
    this.startWatchdog();
  }

  /**
   * While executions are in their asynchronous part, or isolates may run continuations: an execution
   * over its CPU time, or an isolate running flat out for longer than the CPU limit (a continuation
   * that outlived its execution), is disposed. An isolate whose clock stood still with no host call
   * pending is quiet again.
   */
  private startWatchdog(): void {
    if (this.watchdog) return;
    const every = Math.max(2, Math.floor(this.limits.cpuMs / 4));
    const limit = BigInt(this.limits.cpuMs) * 1_000_000n;
    this.lastTick = performance.now();
    this.watchdog = setInterval(() => {
      const now = performance.now();
      const elapsed = now - this.lastTick;
      this.lastTick = now;
      for (const { exec, entry } of this.asyncExecs.values()) {
        if (entry.dead || exec.done) continue;
        if (entry.isolate.cpuTime - exec.cpu0 > limit) {
          exec.fault ??= { code: 'CPU_LIMIT', name: 'CpuLimit', message: 'CPU time limit exceeded' };
          this.kill(entry, 'CPU_LIMIT');
        }
      }
      for (const entry of this.watched) {
        if (entry.dead || entry.isolate.isDisposed) {
          this.watched.delete(entry);
          continue;
        }
        const cpu = entry.isolate.cpuTime;
        const ranMs = Number(cpu - entry.lastCpu) / 1e6;
        entry.lastCpu = cpu;
        entry.busyMs = ranMs >= elapsed * 0.5 ? entry.busyMs + elapsed : 0;
        if (entry.busyMs > this.limits.cpuMs) {
          this.log?.warn({ key: entry.key }, 'plugins: isolate kept running past its CPU limit; disposed');
          for (const exec of entry.execs.values())
            exec.fault ??= { code: 'CPU_LIMIT', name: 'CpuLimit', message: 'CPU time limit exceeded' };
          this.kill(entry, 'CPU_LIMIT');
          this.watched.delete(entry);
        } else if (ranMs === 0 && entry.pendingHost === 0 && !entry.execs.size) {
          // idle for now; execute() marks it quiet after its next async call (see there)
          this.watched.delete(entry);
        }
      }
      if (this.asyncExecs.size === 0 && this.watched.size === 0) {
        clearInterval(this.watchdog!);
        this.watchdog = null;
      }
    }, every);
    this.watchdog.unref();
  }

  /** `1<json>` (or `1` for undefined) on success, `0<message>` on failure: a host promise never rejects into ivm. */
  private async hostCall(entry: Entry, id: string, method: string, argsJson: string): Promise<string> {
    entry.pendingHost++;
    try {
      const out = await this.hostCallInner(entry, id, method, argsJson);
      return out === undefined ? '1' : '1' + JSON.stringify(out);
    } catch (e) {
      return '0' + (e instanceof Error ? e.message : 'capability call failed');
    } finally {
      // the answer resumes code in the isolate, on its own thread
      entry.pendingHost--;
      entry.answers++;
      this.watch(entry);
    }
  }

  private async hostCallInner(entry: Entry, id: string, method: string, argsJson: string): Promise<unknown> {
    const exec = entry.execs.get(id);
    if (!exec || exec.done || exec.fault) throw new Error('this execution has ended');
    const cap = method.slice(0, method.indexOf('.'));
    if (!exec.grant.includes(cap)) {
      exec.fault = {
        code: 'NOT_GRANTED',
        name: 'NotGranted',
        message: `capability "${cap}" was not granted (${method})`,
      };
      exec.resolve?.('');
      throw new Error(exec.fault.message);
    }
    if (argsJson.length > this.limits.maxIoBytes) {
      exec.fault = {
        code: 'IO_TOO_LARGE',
        name: 'ArgsTooLarge',
        message: `arguments of ${method} are too large`,
      };
      exec.resolve?.('');
      throw new Error(exec.fault.message);
    }
    if (entry.isolate.cpuTime - exec.cpu0 > BigInt(this.limits.cpuMs) * 1_000_000n) {
      exec.fault = { code: 'CPU_LIMIT', name: 'CpuLimit', message: 'CPU time limit exceeded' };
      this.kill(entry, 'CPU_LIMIT');
      throw new Error(exec.fault.message);
    }
    exec.hostCalls++;
    try {
      const out = await exec.host(method, JSON.parse(argsJson) as unknown);
      if (exec.done) throw new Error('this execution has ended');
      return out;
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      if (err.code === 'NOT_GRANTED') {
        exec.fault ??= { code: 'NOT_GRANTED', name: 'NotGranted', message: String(err.message) };
        exec.resolve?.('');
      }
      // Only the message crosses into the isolate.
      throw new Error(typeof err.message === 'string' ? err.message : 'capability call failed');
    } finally {
      exec.hostCalls--;
    }
  }

  private hostLog(entry: Entry, id: string, level: string, message: string, data: string): void {
    const exec = entry.execs.get(id);
    if (!exec) return;
    if (level === 'denied') {
      exec.fault ??= {
        code: 'NOT_GRANTED',
        name: 'NotGranted',
        message: `capability "${message}" was not granted`,
      };
      return;
    }
    if (!LOG_LEVELS.has(level) || exec.logs.length >= MAX_LOGS) return;
    let parsed: unknown;
    try {
      parsed = data ? (JSON.parse(data) as unknown) : undefined;
    } catch {
      parsed = undefined;
    }
    exec.logs.push({
      level: level as ExecLog['level'],
      message,
      ...(parsed === undefined ? {} : { data: parsed }),
    });
  }

  /** Heap in use by warm and keyed isolates (the bench's memory per isolate). */
  heap(): { isolates: number; usedBytes: number; totalBytes: number } {
    let usedBytes = 0;
    let totalBytes = 0;
    const all = [...this.warm, ...this.keyed.values()].filter(
      (e) => !e.dead && !e.isolate.isDisposed && e.quiet,
    );
    for (const e of all) {
      const h = e.isolate.getHeapStatisticsSync();
      usedBytes += h.used_heap_size + h.externally_allocated_size;
      totalBytes += h.total_heap_size;
    }
    return { isolates: all.length, usedBytes, totalBytes };
  }

  close(): void {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    for (const e of [...this.warm, ...this.keyed.values()]) this.kill(e, null);
    this.warm.length = 0;
    this.keyed.clear();
  }
}
