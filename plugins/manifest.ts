/**
 * A plugin's manifest (`manifest.json` beside its module), validated with valibot when it is loaded:
 *
 *   {
 *     "id": "acme.dice", "version": "1.0.0", "description": "Dice rolls", "main": "index.js",
 *     "capabilities": ["messages", "kv"], "http": { "hosts": ["api.example.com"] },
 *     "commands": [{ "name": "roll", "description": "Roll dice", "args": [{ "name": "dice", "type": "text" }] }],
 *     "actions": [{ "type": "announce", "description": "..." }],
 *     "triggers": [{ "type": "message_created", "description": "..." }],
 *     "config": { "sides": { "type": "number", "default": 6, "description": "..." } }
 *   }
 *
 * `commands[].name` is also the handler name (`export default { commands: { roll(event, ctx) {} } }`);
 * likewise `actions[].type` and `triggers[].type`.
 */
import * as v from 'valibot';
import { CAPABILITY_NAMES, type CapabilityGrant } from '../workflows/capabilities.ts';

export const ARG_TYPES = ['text', 'number', 'user', 'channel', 'role', 'boolean'] as const;
export const TRIGGER_TYPES = [
  'member_joined',
  'message_created',
  'image_uploaded',
  'gpx_uploaded',
  'card_interaction',
  'webhook',
] as const;

const name = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lowercase letters, digits, - and _, 1–32'),
);
const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

const CommandArg = v.object({
  name,
  type: v.picklist(ARG_TYPES),
  description: v.optional(text(200), ''),
  required: v.optional(v.boolean(), false),
});

const ConfigField = v.object({
  type: v.picklist(['string', 'number', 'boolean']),
  description: v.optional(text(300), ''),
  default: v.optional(v.union([v.string(), v.number(), v.boolean()])),
  required: v.optional(v.boolean(), false),
});

export const ManifestSchema = v.object({
  id: v.pipe(
    v.string(),
    v.regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lowercase letters, digits, ".", "-", "_" (2–64)'),
  ),
  version: v.pipe(v.string(), v.regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'a semver version')),
  description: v.optional(text(500), ''),
  main: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[\w./-]+\.(m?js)$/, 'a .js file inside the plugin directory'),
      v.check((s) => !s.split('/').includes('..'), 'must stay inside the plugin directory'),
    ),
    'index.js',
  ),
  capabilities: v.optional(v.array(v.picklist(CAPABILITY_NAMES)), []),
  http: v.optional(v.object({ hosts: v.pipe(v.array(text(253)), v.maxLength(50)) })),
  commands: v.optional(
    v.pipe(
      v.array(
        v.object({
          name,
          description: v.optional(text(200), ''),
          args: v.optional(v.pipe(v.array(CommandArg), v.maxLength(10)), []),
        }),
      ),
      v.maxLength(50),
    ),
    [],
  ),
  actions: v.optional(v.array(v.object({ type: name, description: v.optional(text(300), '') })), []),
  triggers: v.optional(
    v.array(v.object({ type: v.picklist(TRIGGER_TYPES), description: v.optional(text(300), '') })),
    [],
  ),
  config: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][\w]{0,63}$/)), ConfigField), {}),
});

export type Manifest = v.InferOutput<typeof ManifestSchema>;
export type CommandSpec = Manifest['commands'][number];

/** What the manifest asks for, as the grant a space admin gives by enabling it. */
export function grantOf(m: Manifest): CapabilityGrant {
  const g: CapabilityGrant = { log: true };
  for (const c of m.capabilities) {
    if (c === 'http') g.http = { hosts: m.http?.hosts ?? [] };
    else g[c] = true;
  }
  return g;
}

/** Human-readable list of what a plugin may do (shown to admins before they enable it). */
export function describeCapabilities(m: Manifest): string[] {
  const out: string[] = [];
  for (const c of m.capabilities) {
    if (c === 'messages') out.push('Send messages in channels of the space');
    else if (c === 'roles') out.push("Add and remove members' roles");
    else if (c === 'cards') out.push('Show, update and dismiss cards');
    else if (c === 'http')
      out.push(`Make HTTP requests to: ${(m.http?.hosts ?? []).join(', ') || '(no host listed)'}`);
    else if (c === 'kv') out.push('Store its own key-value data for the space');
    else if (c === 'log') out.push('Write to the execution log');
  }
  return out;
}

/** The config schema as valibot: unknown keys refused, types checked, defaults filled in. */
export function configSchema(m: Manifest) {
  const entries: Record<string, v.GenericSchema> = {};
  for (const [key, f] of Object.entries(m.config)) {
    const base =
      f.type === 'string'
        ? v.pipe(v.string(), v.maxLength(2000))
        : f.type === 'number'
          ? v.number()
          : v.boolean();
    entries[key] = f.required && f.default === undefined ? base : v.optional(base, f.default);
  }
  return v.strictObject(entries);
}
