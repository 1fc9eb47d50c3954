/**
 * What a scenario receives: options, live progress, server processes (cleaned up for it), the load
 * generator, and `compare()`, which measures several targets in alternating rounds and records the
 * result for the report.
 */
import os from 'node:os';
import { SERVICE_URLS } from '../../test/context.ts';
import { LoadGenerator, type LoadRequest, type LoadResult } from './load.ts';
import { canPin, startBaselineProcess, startReefProcess, type ServerProcess } from './procs.ts';

export interface BenchOptions {
  /** Seconds per measured run. */
  durationS: number;
  /** Seconds of unmeasured load per target before the first round. */
  warmupS: number;
  /** Measured runs per target; targets alternate within each round (A, B, A', A, B, A'...). */
  rounds: number;
  /** Concurrent keep-alive connections. */
  connections: number;
}

/** One thing to measure: a server and the request to send it. */
export interface Target {
  label: string;
  server: ServerProcess;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface CompareSpec {
  /** Name of the workload, e.g. "GET /api/users/me". */
  workload: string;
  targets: Target[];
  /** Label of the target every other is divided by (ratio = target req/s / baseline req/s). */
  baseline: string;
  /** Two labels of identical setups: their ratio is the noise floor of this machine. */
  noisePair?: [string, string];
}

export interface TargetSummary {
  label: string;
  rounds: LoadResult[];
  /** Medians over the rounds. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** (max - min) / median of req/s over the rounds. */
  spread: number;
  non2xx: number;
  errors: number;
  /** Median server CPU time per response, in µs (null when /proc is unavailable). */
  cpuUsPerReq: number | null;
  /** req/s relative to the baseline target. */
  ratio: number;
}

export interface Comparison {
  workload: string;
  baseline: string;
  targets: TargetSummary[];
  noise?: { pair: [string, string]; ratio: number };
}

export interface BenchContext {
  readonly scenario: string;
  readonly options: BenchOptions;
  /** PostgreSQL, Redis and NATS on this machine (the test services; TEST_*_URL override them). */
  readonly services: typeof SERVICE_URLS;
  /** Whether servers and the load generator are pinned to separate cores. */
  readonly pinned: boolean;
  /** A line of live progress on stderr. */
  progress(message: string): void;
  /** `node main.ts` with `env`, pinned to the server core, stopped when the scenario ends. */
  startReef(name: string, env: Record<string, string>): Promise<ServerProcess>;
  /** A baseline script (prints `listening <port>`), pinned like reef, stopped when the scenario ends. */
  startBaseline(name: string, script: string, env: Record<string, string>): Promise<ServerProcess>;
  /** One measured run against a URL (no report entry); for scenarios with their own protocol. */
  load(req: LoadRequest): Promise<LoadResult>;
  /** Warm up every target, run alternating rounds, record and return the comparison. */
  compare(spec: CompareSpec): Promise<Comparison>;
  /** A line of context for the report (setup, caveats). */
  note(text: string): void;
}

export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface ContextState {
  comparisons: Comparison[];
  notes: string[];
  servers: ServerProcess[];
  loadgen?: LoadGenerator;
}

export function createContext(
  scenario: string,
  options: BenchOptions,
  progress: (m: string) => void,
): { ctx: BenchContext; state: ContextState } {
  const state: ContextState = { comparisons: [], notes: [], servers: [] };
  const loadgen = async () => (state.loadgen ??= await LoadGenerator.start(LOAD_CPU));
  const track = (s: ServerProcess) => {
    state.servers.push(s);
    return s;
  };
  const ctx: BenchContext = {
    scenario,
    options,
    services: SERVICE_URLS,
    pinned: canPin && os.cpus().length > 1,
    progress,
    startReef: async (name, env) => {
      progress(`starting ${name}`);
      return track(await startReefProcess(name, env, SERVER_CPU));
    },
    startBaseline: async (name, script, env) => {
      progress(`starting ${name}`);
      return track(await startBaselineProcess(name, script, env, SERVER_CPU));
    },
    load: async (req) => (await loadgen()).run(req),
    async compare(spec) {
      const gen = await loadgen();
      const { durationS, warmupS, rounds, connections } = options;
      const request = (t: Target, seconds: number): LoadRequest => ({
        url: t.server.url + t.path,
        connections,
        durationS: seconds,
        ...(t.method ? { method: t.method } : {}),
        ...(t.headers ? { headers: t.headers } : {}),
        ...(t.body !== undefined ? { body: t.body } : {}),
      });
      if (warmupS > 0)
        for (const t of spec.targets) {
          progress(`${spec.workload}: warm-up ${t.label} (${warmupS} s)`);
          await gen.run(request(t, warmupS));
        }
      const results = new Map<string, LoadResult[]>(spec.targets.map((t) => [t.label, []]));
      const cpu = new Map<string, number[]>(spec.targets.map((t) => [t.label, []]));
      for (let r = 1; r <= rounds; r++)
        for (const t of spec.targets) {
          progress(`${spec.workload}: round ${r}/${rounds} ${t.label} (${durationS} s)`);
          const cpuBefore = t.server.cpuMs();
          const res = await gen.run(request(t, durationS));
          const cpuAfter = t.server.cpuMs();
          results.get(t.label)!.push(res);
          if (cpuBefore !== null && cpuAfter !== null && res.requests > 0)
            cpu.get(t.label)!.push(((cpuAfter - cpuBefore) * 1000) / res.requests);
          progress(
            `${spec.workload}: round ${r}/${rounds} ${t.label}: ${Math.round(res.rps)} req/s, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms${res.non2xx || res.errors ? `, ${res.non2xx} non-2xx, ${res.errors} errors` : ''}`,
          );
        }
      const summaries: TargetSummary[] = spec.targets.map((t) => {
        const rs = results.get(t.label)!;
        const rps = rs.map((x) => x.rps);
        return {
          label: t.label,
          rounds: rs,
          rps: median(rps),
          p50Ms: median(rs.map((x) => x.latencyMs.p50)),
          p99Ms: median(rs.map((x) => x.latencyMs.p99)),
          spread: (Math.max(...rps) - Math.min(...rps)) / median(rps),
          non2xx: rs.reduce((a, x) => a + x.non2xx, 0),
          errors: rs.reduce((a, x) => a + x.errors, 0),
          cpuUsPerReq: cpu.get(t.label)!.length ? median(cpu.get(t.label)!) : null,
          ratio: 0,
        };
      });
      const base = summaries.find((s) => s.label === spec.baseline);
      if (!base) throw new Error(`baseline ${spec.baseline} is not a target`);
      for (const s of summaries) s.ratio = s.rps / base.rps;
      const comparison: Comparison = { workload: spec.workload, baseline: spec.baseline, targets: summaries };
      if (spec.noisePair) {
        const [a, b] = spec.noisePair.map((l) => summaries.find((s) => s.label === l));
        if (!a || !b) throw new Error(`noise pair ${spec.noisePair.join('/')} is not among the targets`);
        comparison.noise = { pair: spec.noisePair, ratio: b.rps / a.rps };
      }
      state.comparisons.push(comparison);
      return comparison;
    },
    note: (text) => void state.notes.push(text),
  };
  return { ctx, state };
}
