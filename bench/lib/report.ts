/** Bench results: one JSON file and one markdown table per run, under bench/results/ (git-ignored). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, Comparison } from './context.ts';
import { ROOT } from './procs.ts';

export interface BenchReport {
  scenario: string;
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    pinned: boolean;
    /** 1, 5 and 15-minute load averages when the run started and when it ended. */
    loadavgStart: number[];
    loadavg: number[];
  };
  comparisons: Comparison[];
  notes: string[];
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Other work on the machine makes numbers noisy; say so above the table. */
function busyWarning(r: BenchReport): string[] {
  const load = Math.max(r.machine.loadavgStart[0] ?? 0, r.machine.loadavg[0] ?? 0);
  if (load <= r.machine.cpus * 0.75) return [];
  return [
    `**The machine was busy** (1-min load average up to ${fmt(load, 1)} on ${r.machine.cpus} CPUs): other processes shared the cores; trust only differences larger than the noise floor below.`,
    '',
  ];
}

/** The markdown summary: one row per target and workload, then the noise floor and notes. */
export function toMarkdown(r: BenchReport): string {
  const lines = [
    `## bench: ${r.scenario} (${r.startedAt})`,
    '',
    `${r.options.rounds} alternating rounds × ${r.options.durationS} s, ${r.options.connections} connections, ` +
      `warm-up ${r.options.warmupS} s; ${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}, ` +
      (r.machine.pinned
        ? 'servers on CPU 0, load generator on CPU 1.'
        : 'no CPU pinning (taskset unavailable).'),
    '',
    ...busyWarning(r),
    '| workload | target | req/s (median) | spread | p50 ms | p99 ms | server CPU µs/req | non-2xx | errors | vs baseline (req/s) | vs baseline (CPU/req) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of r.comparisons) {
    const baseCpu = c.targets.find((t) => t.label === c.baseline)?.cpuUsPerReq ?? null;
    for (const t of c.targets)
      lines.push(
        `| ${c.workload} | ${t.label} | ${fmt(t.rps)} | ${fmt(t.spread * 100)}% | ${fmt(t.p50Ms, 1)} | ${fmt(t.p99Ms, 1)} | ${t.cpuUsPerReq === null ? 'n/a' : fmt(t.cpuUsPerReq)} | ${t.non2xx} | ${t.errors} | ${t.label === c.baseline ? 'baseline' : `${fmt(t.ratio, 2)}×`} | ${t.label === c.baseline ? 'baseline' : t.cpuUsPerReq !== null && baseCpu ? `${fmt(t.cpuUsPerReq / baseCpu, 2)}×` : 'n/a'} |`,
      );
  }
  const noise = r.comparisons.filter((c) => c.noise);
  if (noise.length) {
    lines.push('');
    for (const c of noise) {
      const [a, b] = c.noise!.pair.map((l) => c.targets.find((t) => t.label === l));
      const cpu =
        a?.cpuUsPerReq && b?.cpuUsPerReq ? `, CPU/req ${fmt(b.cpuUsPerReq / a.cpuUsPerReq, 3)}` : '';
      lines.push(
        `- noise floor (${c.workload}): ${c.noise!.pair[1]} / ${c.noise!.pair[0]} = req/s ${fmt(c.noise!.ratio, 3)}${cpu}`,
      );
    }
  }
  if (r.notes.length) {
    lines.push('');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  return lines.join('\n') + '\n';
}

export const loadavg = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

export function machineInfo(pinned: boolean, loadavgStart: number[]): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    pinned,
    loadavgStart,
    loadavg: loadavg(),
  };
}

/** Write `<scenario>-<timestamp>.json` and `.md`; returns both paths. */
export function writeReport(
  r: BenchReport,
  dir = path.join(ROOT, 'bench', 'results'),
): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const base = path.join(dir, `${r.scenario}-${stamp}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(`${base}.md`, toMarkdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
