/**
 * The scenario registry: every module in bench/scenarios/ is a scenario. Adding a file is all it
 * takes; nothing to register by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext } from './context.ts';
import { ROOT } from './procs.ts';

/** What a scenario module exports (see bench/README.md). */
export interface Scenario {
  /** The CLI name, equal to the file name: `npm run bench -- <name>`. */
  name: string;
  /** One line for `npm run bench -- --list`. */
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

const DIR = path.join(ROOT, 'bench', 'scenarios');

function isScenario(m: unknown): m is Scenario {
  const s = m as Partial<Scenario> | null;
  return (
    !!s && typeof s.name === 'string' && typeof s.description === 'string' && typeof s.run === 'function'
  );
}

export async function loadScenarios(): Promise<Scenario[]> {
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const out: Scenario[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(DIR, f)).href)) as Record<string, unknown>;
    const s = isScenario(mod) ? mod : mod.default;
    if (!isScenario(s)) throw new Error(`bench/scenarios/${f} does not export { name, description, run }`);
    if (s.name !== path.basename(f, '.ts'))
      throw new Error(`bench/scenarios/${f} is named "${s.name}"; use the file name`);
    out.push({ name: s.name, description: s.description, run: s.run });
  }
  return out;
}
