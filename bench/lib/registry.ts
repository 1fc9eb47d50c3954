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

/** A scenario file that failed to load: listed with its error, fatal only when it is the one asked for. */
export interface BrokenScenario {
  name: string;
  error: string;
}

export async function loadScenarios(): Promise<{ scenarios: Scenario[]; broken: BrokenScenario[] }> {
  const files = fs
    .readdirSync(DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => e.name)
    .sort();
  const scenarios: Scenario[] = [];
  const broken: BrokenScenario[] = [];
  for (const f of files) {
    const name = path.basename(f, '.ts');
    try {
      const mod = (await import(pathToFileURL(path.join(DIR, f)).href)) as Record<string, unknown>;
      const s = isScenario(mod) ? mod : mod.default;
      if (!isScenario(s)) throw new Error('does not export { name, description, run }');
      if (s.name !== name) throw new Error(`is named "${s.name}"; use the file name`);
      scenarios.push({ name: s.name, description: s.description, run: s.run });
    } catch (err) {
      broken.push({ name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { scenarios, broken };
}
