/**
 * `npm test`: unit tests beside the source and integration tests in test/, through node's test
 * runner. REEF_TEST_SERVICES=1 runs the same suites against PostgreSQL, NATS and Redis.
 * Extra arguments filter files by substring: `npm test -- accounts`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePgliteSeed } from './seed.ts';

const ROOTS = ['engine', 'actors', 'domain', 'http', 'workflows', 'plugins', 'test'];
const filters = process.argv.slice(2);

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
}

const files: string[] = [];
for (const r of ROOTS) walk(r, files);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const mode =
  process.env.REEF_TEST_SERVICES === '1' ? 'services (PostgreSQL, NATS, Redis)' : 'embedded adapters';
console.log(`reef tests: ${selected.length} files on ${mode}`);
const concurrency = process.env.TEST_CONCURRENCY ?? '3';
const env = { ...process.env };
if (process.env.REEF_TEST_SERVICES !== '1') env.REEF_TEST_PGLITE_SEED = await ensurePgliteSeed();
const child = spawn(
  process.execPath,
  [
    '--no-node-snapshot',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=300000',
    ...selected,
  ],
  { stdio: 'inherit', env },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
