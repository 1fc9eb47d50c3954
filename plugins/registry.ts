/**
 * Loading plugins from disk: the built-ins in plugins/builtin/<name>/ and third-party ones in
 * PLUGINS_DIR/<name>/, each a `manifest.json` plus its module (`main`, default `index.js`). A bad
 * manifest or a missing module is logged and skipped (the others still load); a duplicate id keeps
 * the first one (built-ins win). The module is not evaluated here: it is compiled into its isolate on
 * first use (a syntax error then fails that execution with LOAD_ERROR).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { ManifestSchema, type Manifest } from './manifest.ts';

export const BUILTIN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'builtin');

/** Module source larger than this is refused. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

export interface LoadedPlugin {
  manifest: Manifest;
  source: string;
  /** `id@version#hash`: the sandbox's module id (a changed file is a different module). */
  moduleId: string;
  dir: string;
  builtin: boolean;
}

export interface LoadProblem {
  dir: string;
  error: string;
}

export async function loadPluginDir(dir: string, builtin: boolean): Promise<LoadedPlugin> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as unknown;
  } catch (e) {
    throw new Error(`manifest.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = v.safeParse(ManifestSchema, raw);
  if (!r.success) {
    const i = r.issues[0];
    throw new Error(`manifest.json: ${v.getDotPath(i) ?? ''} ${i.message}`.trim());
  }
  const manifest = r.output;
  if (manifest.capabilities.includes('http') && !manifest.http?.hosts.length)
    throw new Error('manifest.json: the "http" capability needs http.hosts');
  const file = path.resolve(dir, manifest.main);
  if (!file.startsWith(path.resolve(dir) + path.sep))
    throw new Error('manifest.json: main is outside the plugin');
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new Error(`${manifest.main} not found`);
  if (stat.size > MAX_SOURCE_BYTES) throw new Error(`${manifest.main} is larger than 2 MB`);
  const source = await fs.readFile(file, 'utf8');
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 12);
  return { manifest, source, moduleId: `${manifest.id}@${manifest.version}#${hash}`, dir, builtin };
}

async function subdirs(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(root, e.name))
    .sort();
}

/** Every plugin under the built-in directory and `extraDir` (when set). */
export async function loadPlugins(
  extraDir: string,
  builtinDir = BUILTIN_DIR,
): Promise<{ plugins: LoadedPlugin[]; problems: LoadProblem[] }> {
  const plugins: LoadedPlugin[] = [];
  const problems: LoadProblem[] = [];
  const seen = new Set<string>();
  const roots: [string, boolean][] = [[builtinDir, true]];
  if (extraDir) roots.push([path.resolve(extraDir), false]);
  for (const [root, builtin] of roots) {
    for (const dir of await subdirs(root)) {
      try {
        const p = await loadPluginDir(dir, builtin);
        if (seen.has(p.manifest.id)) {
          problems.push({ dir, error: `duplicate plugin id ${p.manifest.id} (kept the first)` });
          continue;
        }
        seen.add(p.manifest.id);
        plugins.push(p);
      } catch (e) {
        problems.push({ dir, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { plugins, problems };
}
