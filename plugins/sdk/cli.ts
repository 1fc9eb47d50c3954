/**
 * `npm run plugin -- test <dir> [--events <file.json>] [--json]`: run a plugin's handlers in the
 * sandbox against fake events (see harness.ts). Exits 1 when a case fails or the plugin does not load.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runHarness } from './harness.ts';

const USAGE = 'usage: npm run plugin -- test <plugin-dir> [--events <events.json>] [--json]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string' }, json: { type: 'boolean', default: false } },
});

if (positionals[0] !== 'test' || !positionals[1]) {
  console.error(USAGE);
  process.exit(2);
}
const dir = path.resolve(positionals[1]);

async function readEvents(): Promise<unknown> {
  const file = values.events ?? path.join(dir, 'harness.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (e) {
    if (!values.events && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

try {
  const { manifest, cases } = await runHarness(dir, await readEvents());
  if (values.json) {
    console.log(JSON.stringify({ plugin: manifest.id, cases }, null, 2));
  } else {
    console.log(`${manifest.id}@${manifest.version}: ${cases.length} case(s)`);
    for (const c of cases) {
      const r = c.result;
      console.log(
        `${c.passed ? 'ok  ' : 'FAIL'} ${c.event.kind} ${c.event.name} (${r.durationMs.toFixed(1)} ms)` +
          (c.why ? ` — ${c.why}` : ''),
      );
      for (const call of c.calls) console.log(`       ${call.method} ${JSON.stringify(call.args)}`);
      for (const l of r.logs)
        console.log(`       log.${l.level} ${l.message}${l.data ? ' ' + JSON.stringify(l.data) : ''}`);
      console.log(`       → ${r.ok ? JSON.stringify(r.output) : `${r.error.code}: ${r.error.message}`}`);
    }
  }
  process.exit(cases.every((c) => c.passed) ? 0 : 1);
} catch (e) {
  console.error(`plugin: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
