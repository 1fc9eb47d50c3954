/**
 * `npm run bench -- <scenario> [options]`: run one load scenario against reef (and its baselines),
 * print a markdown table and write bench/results/<scenario>-<timestamp>.{json,md}.
 *
 * @example
 *   npm run bench -- --list
 *   npm run bench -- http
 *   npm run bench -- http --duration 10 --rounds 5 --connections 100
 */
import { parseArgs } from 'node:util';
import { createContext, type BenchOptions } from './lib/context.ts';
import { loadScenarios } from './lib/registry.ts';
import { loadavg, machineInfo, toMarkdown, writeReport, type BenchReport } from './lib/report.ts';

const USAGE = `usage: npm run bench -- <scenario> [--duration S] [--warmup S] [--rounds N] [--connections N]
       npm run bench -- --list`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function positiveInt(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: --${name} must be an integer >= ${min} (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

const { scenarios, broken } = await loadScenarios();
if (values.help || values.list || positionals.length === 0) {
  if (!values.list) console.error(USAGE + '\n');
  console.error('scenarios:');
  for (const s of scenarios) console.error(`  ${s.name.padEnd(14)} ${s.description}`);
  for (const b of broken) console.error(`  ${b.name.padEnd(14)} (cannot load: ${b.error})`);
  process.exit(values.list || values.help ? 0 : 2);
}
const scenario = scenarios.find((s) => s.name === positionals[0]);
const brokenOne = broken.find((b) => b.name === positionals[0]);
if (brokenOne) {
  console.error(`bench: bench/scenarios/${brokenOne.name}.ts cannot be loaded: ${brokenOne.error}`);
  process.exit(2);
}
if (!scenario) {
  console.error(
    `bench: unknown scenario "${positionals[0]}"; known: ${scenarios.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

const options: BenchOptions = {
  durationS: positiveInt('duration', values.duration, 1),
  warmupS: positiveInt('warmup', values.warmup, 0),
  rounds: positiveInt('rounds', values.rounds, 1),
  connections: positiveInt('connections', values.connections, 1),
};

const started = Date.now();
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`;
const { ctx, state } = createContext(scenario.name, options, (m) =>
  console.error(`${stamp()} ${scenario.name}: ${m}`),
);

let failed: unknown;
const startedAt = new Date().toISOString();
const loadavgStart = loadavg();
const stopAll = async () => {
  await Promise.allSettled(state.servers.map((s) => s.stop()));
  await state.loadgen?.close();
};
// Ctrl-C: stop the servers we started rather than leave them running.
process.once('SIGINT', () => {
  console.error('\nbench: interrupted; stopping servers');
  void stopAll().then(() => process.exit(130));
});
try {
  await scenario.run(ctx);
} catch (err) {
  failed = err;
} finally {
  ctx.progress('stopping servers');
  await stopAll();
}
if (failed) {
  console.error(`bench: ${scenario.name} failed:`, failed);
  for (const s of state.servers)
    console.error(`--- last output of ${s.name} ---\n${s.output.slice(-20).join('\n')}`);
  process.exit(1);
}

const report: BenchReport = {
  scenario: scenario.name,
  startedAt,
  finishedAt: new Date().toISOString(),
  options,
  machine: machineInfo(ctx.pinned, loadavgStart),
  comparisons: state.comparisons,
  notes: state.notes,
};
const files = writeReport(report);
console.log('\n' + toMarkdown(report));
console.error(`${stamp()} results: ${files.json}\n${' '.repeat(11)}table:   ${files.md}`);
