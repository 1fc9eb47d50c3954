/**
 * The plugins service: the loaded plugins, which of them each space enabled (with its config), and
 * `run` — the one entry point for user code: a plugin's command / action / trigger handler, or an
 * admin's `run_script` body. Everything runs in the sandbox (plugins/sandbox) and reaches the space
 * only through the capability API (workflows/capabilities.ts), bridged method by method below with
 * the arguments validated on the way out of the isolate.
 */
import * as v from 'valibot';
import type { Db } from '../engine/db/index.ts';
import type { Logger } from '../engine/log.ts';
import { notFound, validationError } from '../engine/errors.ts';
import type {
  Capabilities,
  CapabilityGrant,
  CapabilityScope,
  HttpRequestInput,
} from '../workflows/capabilities.ts';
import { FULL_GRANT } from '../workflows/capabilities.ts';
import { configSchema, describeCapabilities, grantOf, type CommandSpec, type Manifest } from './manifest.ts';
import { loadPlugins, type LoadedPlugin, type LoadProblem } from './registry.ts';
import type { ExecResult, HostCall, Sandbox } from './sandbox/sandbox.ts';

/** A loaded plugin as `GET /plugins` lists it. */
export interface PluginInfo {
  id: string;
  version: string;
  description: string;
  builtin: boolean;
  /** Capability names the manifest asks for. */
  capabilities: string[];
  /** The same, in words, for the admin who enables it. */
  permissions: string[];
  httpHosts: string[];
  commands: CommandSpec[];
  actions: Manifest['actions'];
  triggers: Manifest['triggers'];
  configSchema: Manifest['config'];
}

/** A plugin in one space (`GET /spaces/:spaceId/plugins`). */
export interface SpacePluginInfo extends PluginInfo {
  enabled: boolean;
  /** The space's config with the schema's defaults filled in. */
  config: Record<string, unknown>;
}

export interface PluginCommand extends CommandSpec {
  pluginId: string;
}

/**
 * What `services.plugins.run` takes.
 *  - `script`: an admin's JS body (run_script). `input` = the trigger's variables; `caps` = the
 *    workflow's capabilities; isolate per space. The body sees `input` and `ctx` and `return`s JSON.
 *  - `command` / `action` / `trigger`: a handler of a plugin enabled in the space, called as
 *    `handler(input, ctx)`; isolate per plugin. `caps` may be given (built with `grantFor(pluginId)`);
 *    otherwise the service builds them with its capabilities factory from `scope`.
 */
export type RunRequest =
  | {
      kind: 'script';
      spaceId: string;
      code: string;
      input: Record<string, unknown>;
      caps: Capabilities;
      /** Defaults for ctx.messages.send without a channelId, ctx.roles.* without a userId. */
      channelId?: string | null;
      userId?: string | null;
    }
  | {
      kind: 'command' | 'action' | 'trigger';
      pluginId: string;
      /** The command's name, the action's type or the trigger type. */
      name: string;
      spaceId: string;
      input: Record<string, unknown>;
      caps?: Capabilities;
      scope?: Partial<Omit<CapabilityScope, 'spaceId' | 'pluginId' | 'grant'>>;
    };

export type RunResult =
  | ExecResult
  | {
      ok: false;
      error: { code: 'NOT_ENABLED' | 'NO_HOST'; name: string; message: string };
      durationMs: number;
      logs: [];
    };

export interface PluginServiceDeps {
  db: Db;
  sandbox: Sandbox;
  log: Pick<Logger, 'warn' | 'info'>;
  /** 404 / 403 unless the user may manage the space's plugins. */
  requireAdmin(db: Db, spaceId: string, userId: string): Promise<void>;
  /** Builds the host capabilities for a plugin run when the caller gave none. */
  capabilities?: () => ((scope: CapabilityScope) => Capabilities) | null;
}

const PutBody = v.object({
  plugins: v.pipe(
    v.array(
      v.object({
        id: v.pipe(v.string(), v.maxLength(64)),
        enabled: v.boolean(),
        config: v.optional(v.record(v.string(), v.unknown())),
      }),
    ),
    v.minLength(1),
    v.maxLength(100),
  ),
});

const id = v.pipe(v.string(), v.regex(/^\d{1,20}$/, 'must be a numeric id'));
const content = v.pipe(v.string(), v.minLength(1), v.maxLength(4000));
const ArgSchemas = {
  'messages.send': v.object({ channelId: v.optional(id), content }),
  'messages.sendAdmin': v.object({ channelId: v.optional(id), content }),
  'roles.add': v.object({ userId: v.optional(id), roleId: id }),
  'roles.remove': v.object({ userId: v.optional(id), roleId: id }),
  'cards.show': v.object({
    templateId: id,
    channelId: v.optional(id),
    vars: v.optional(v.record(v.string(), v.unknown())),
  }),
  'cards.update': v.object({
    instanceId: id,
    fields: v.optional(v.record(v.string(), v.string())),
    status: v.optional(v.picklist(['active', 'completed', 'dismissed'])),
  }),
  'cards.dismiss': v.object({ instanceId: id }),
  'http.fetch': v.object({
    url: v.pipe(v.string(), v.maxLength(2000)),
    method: v.optional(v.picklist(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])),
    headers: v.optional(v.record(v.string(), v.string())),
    body: v.optional(v.unknown()),
    timeoutMs: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(30_000))),
  }),
  'kv.get': v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  'kv.set': v.object({
    key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    value: v.string(),
    ttlMs: v.optional(v.pipe(v.number(), v.minValue(1))),
  }),
} as const;
ArgSchemas satisfies Record<string, v.GenericSchema>;

function arg<K extends keyof typeof ArgSchemas>(
  method: K,
  input: unknown,
): v.InferOutput<(typeof ArgSchemas)[K]> {
  const r = v.safeParse(ArgSchemas[method], input);
  if (!r.success) {
    const i = r.issues[0];
    throw new Error(`${method}: ${v.getDotPath(i) ?? 'argument'} ${i.message}`);
  }
  return r.output;
}

/** The capability names a grant holds (what the isolate's ctx exposes). */
export function grantNames(g: CapabilityGrant): string[] {
  const out: string[] = [];
  for (const name of ['messages', 'roles', 'cards', 'http', 'kv'] as const) if (g[name]) out.push(name);
  return out;
}

/** The host side of ctx.*: each method → one Capabilities call, arguments validated first. */
export function bridge(
  caps: Capabilities,
  defaults: { channelId?: string | null; userId?: string | null },
): HostCall {
  const channel = (c: string | undefined) => {
    const ch = c ?? defaults.channelId;
    if (!ch) throw new Error('channelId is required (the trigger has no channel)');
    return ch;
  };
  const user = (u: string | undefined) => {
    const x = u ?? defaults.userId;
    if (!x) throw new Error('userId is required (the trigger has no user)');
    return x;
  };
  return async (method, input) => {
    switch (method) {
      case 'messages.send': {
        const a = arg(method, input);
        return caps.sendMessage({ channelId: channel(a.channelId), content: a.content });
      }
      case 'messages.sendAdmin': {
        const a = arg(method, input);
        return caps.sendAdminMessage({
          content: a.content,
          ...(a.channelId ? { channelId: a.channelId } : {}),
        });
      }
      case 'roles.add':
      case 'roles.remove': {
        const a = arg(method, input);
        const r = { userId: user(a.userId), roleId: a.roleId };
        await (method === 'roles.add' ? caps.addRole(r) : caps.removeRole(r));
        return { ok: true };
      }
      case 'cards.show': {
        const a = arg(method, input);
        return caps.showCard({
          templateId: a.templateId,
          channelId: channel(a.channelId),
          ...(a.vars ? { vars: a.vars } : {}),
        });
      }
      case 'cards.update':
        return caps.updateCard(arg(method, input));
      case 'cards.dismiss':
        return caps.dismissCard(arg(method, input));
      case 'http.fetch':
      case 'http.webhook': {
        const a = arg('http.fetch', input) as HttpRequestInput;
        return method === 'http.fetch' ? caps.httpRequest(a) : caps.sendWebhook(a);
      }
      case 'kv.get':
        return caps.kv.get(arg(method, input));
      case 'kv.set': {
        const a = arg(method, input);
        await caps.kv.set(a.key, a.value, a.ttlMs);
        return { ok: true };
      }
      default:
        throw new Error(`unknown capability method ${method}`);
    }
  };
}

function info(p: LoadedPlugin): PluginInfo {
  const m = p.manifest;
  return {
    id: m.id,
    version: m.version,
    description: m.description,
    builtin: p.builtin,
    capabilities: [...m.capabilities],
    permissions: describeCapabilities(m),
    httpHosts: m.capabilities.includes('http') ? (m.http?.hosts ?? []) : [],
    commands: m.commands,
    actions: m.actions,
    triggers: m.triggers,
    configSchema: m.config,
  };
}

export class PluginService {
  private plugins = new Map<string, LoadedPlugin>();
  problems: LoadProblem[] = [];

  constructor(private readonly d: PluginServiceDeps) {}

  /** (Re)load the built-ins and `extraDir`; changed modules get fresh isolates. */
  async load(extraDir: string): Promise<void> {
    const { plugins, problems } = await loadPlugins(extraDir);
    for (const p of problems) this.d.log.warn({ dir: p.dir, error: p.error }, 'plugins: not loaded');
    const next = new Map(plugins.map((p) => [p.manifest.id, p]));
    for (const [pid, old] of this.plugins) {
      if (next.get(pid)?.moduleId !== old.moduleId) this.d.sandbox.drop(`plugin:${pid}`);
    }
    this.plugins = next;
    this.problems = problems;
    this.d.log.info({ plugins: plugins.map((p) => p.moduleId) }, 'plugins: loaded');
  }

  list(): PluginInfo[] {
    return [...this.plugins.values()].map(info);
  }

  get(pluginId: string): LoadedPlugin | undefined {
    return this.plugins.get(pluginId);
  }

  /** The grant a plugin gets in a space that enabled it (what its manifest asked for). */
  grantFor(pluginId: string): CapabilityGrant | null {
    const p = this.plugins.get(pluginId);
    return p ? grantOf(p.manifest) : null;
  }

  private configOf(p: LoadedPlugin, stored: Record<string, unknown>): Record<string, unknown> {
    const r = v.safeParse(configSchema(p.manifest), stored);
    if (r.success) return r.output as Record<string, unknown>;
    // A stored config that no longer fits (the plugin changed): defaults for what does not.
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(p.manifest.config)) {
      const val = stored[k];
      out[k] = typeof val === f.type ? val : f.default;
    }
    return out;
  }

  private async rows(spaceId: string) {
    return this.d.db
      .selectFrom('space_plugins')
      .select(['plugin_id', 'enabled', 'config'])
      .where('space_id', '=', spaceId)
      .execute();
  }

  /** Plugins enabled in a space, loaded ones only, with their config. */
  async enabled(spaceId: string): Promise<{ plugin: LoadedPlugin; config: Record<string, unknown> }[]> {
    const out: { plugin: LoadedPlugin; config: Record<string, unknown> }[] = [];
    for (const r of await this.rows(spaceId)) {
      const p = this.plugins.get(r.plugin_id);
      if (r.enabled && p) out.push({ plugin: p, config: this.configOf(p, r.config) });
    }
    return out;
  }

  /** GET /spaces/:spaceId/plugins: every loaded plugin, with this space's switch and config. */
  async spacePlugins(userId: string, spaceId: string): Promise<SpacePluginInfo[]> {
    await this.d.requireAdmin(this.d.db, spaceId, userId);
    const rows = new Map((await this.rows(spaceId)).map((r) => [r.plugin_id, r]));
    return [...this.plugins.values()].map((p) => {
      const r = rows.get(p.manifest.id);
      return { ...info(p), enabled: r?.enabled ?? false, config: this.configOf(p, r?.config ?? {}) };
    });
  }

  /** PUT /spaces/:spaceId/plugins `{ plugins: [{ id, enabled, config? }] }`: switches and configs of the listed ones. */
  async setSpacePlugins(userId: string, spaceId: string, input: unknown): Promise<SpacePluginInfo[]> {
    await this.d.requireAdmin(this.d.db, spaceId, userId);
    const body = v.safeParse(PutBody, input);
    if (!body.success) {
      const issues = body.issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message }));
      throw validationError(`body.${issues[0]?.path ?? ''}: ${issues[0]?.message ?? 'invalid'}`, { issues });
    }
    const existing = new Map((await this.rows(spaceId)).map((r) => [r.plugin_id, r]));
    const writes: { plugin_id: string; enabled: boolean; config: string }[] = [];
    body.output.plugins.forEach((entry, i) => {
      const p = this.plugins.get(entry.id);
      if (!p) throw notFound(`Plugin ${entry.id} is not loaded`);
      let config = existing.get(entry.id)?.config ?? {};
      if (entry.config !== undefined) {
        const r = v.safeParse(configSchema(p.manifest), entry.config);
        if (!r.success) {
          const issues = r.issues.map((x) => ({
            path: `plugins.${i}.config${v.getDotPath(x) ? '.' + v.getDotPath(x) : ''}`,
            message: x.message,
          }));
          throw validationError(`body.${issues[0]!.path}: ${issues[0]!.message}`, { issues });
        }
        config = r.output as Record<string, unknown>;
      }
      writes.push({ plugin_id: entry.id, enabled: entry.enabled, config: JSON.stringify(config) });
    });
    for (const w of writes) {
      await this.d.db
        .insertInto('space_plugins')
        .values({ space_id: spaceId, ...w, updated_by: userId })
        .onConflict((oc) =>
          oc.columns(['space_id', 'plugin_id']).doUpdateSet({
            enabled: w.enabled,
            config: w.config,
            updated_by: userId,
            updated_at: new Date(),
          }),
        )
        .execute();
    }
    return this.spacePlugins(userId, spaceId);
  }

  /** Commands the space's enabled plugins provide. */
  async commands(spaceId: string): Promise<PluginCommand[]> {
    return (await this.enabled(spaceId)).flatMap(({ plugin }) =>
      plugin.manifest.commands.map((c) => ({ ...c, pluginId: plugin.manifest.id })),
    );
  }

  /** The enabled plugin command called `name` in a space, if any (the workflows' slash commands come first). */
  async findCommand(spaceId: string, name: string): Promise<PluginCommand | null> {
    const lower = name.toLowerCase();
    return (await this.commands(spaceId)).find((c) => c.name === lower) ?? null;
  }

  /** Run user code. Never throws for the code's faults: they come back as `{ ok: false, error }` and are logged. */
  async run(req: RunRequest): Promise<RunResult> {
    if (req.kind === 'script') {
      return this.d.sandbox.execute({
        key: `space:${req.spaceId}`,
        code: { kind: 'script', source: req.code },
        input: req.input,
        grant: grantNames(FULL_GRANT),
        meta: { spaceId: req.spaceId, pluginId: null },
        host: bridge(req.caps, { channelId: req.channelId ?? null, userId: req.userId ?? null }),
      });
    }
    const fail = (code: 'NOT_ENABLED' | 'NO_HOST', message: string): RunResult => {
      this.d.log.warn({ pluginId: req.pluginId, spaceId: req.spaceId, code }, `plugins: ${message}`);
      return { ok: false, error: { code, name: code, message }, durationMs: 0, logs: [] };
    };
    const row = await this.d.db
      .selectFrom('space_plugins')
      .select(['enabled', 'config'])
      .where('space_id', '=', req.spaceId)
      .where('plugin_id', '=', req.pluginId)
      .executeTakeFirst();
    const p = this.plugins.get(req.pluginId);
    if (!p || !row?.enabled)
      return fail('NOT_ENABLED', `plugin ${req.pluginId} is not enabled in this space`);
    const group = req.kind === 'command' ? 'commands' : req.kind === 'action' ? 'actions' : 'triggers';
    const grant = grantOf(p.manifest);
    const scope: CapabilityScope = {
      spaceId: req.spaceId,
      pluginId: req.pluginId,
      grant,
      ...(req.scope ?? {}),
    };
    const caps = req.caps ?? this.d.capabilities?.()?.(scope);
    if (!caps) return fail('NO_HOST', 'no capability host is available');
    return this.d.sandbox.execute({
      key: `plugin:${req.pluginId}`,
      code: { kind: 'module', id: p.moduleId, source: p.source },
      handler: `${group}.${req.name}`,
      input: req.input,
      grant: grantNames(grant),
      meta: { spaceId: req.spaceId, pluginId: req.pluginId, config: this.configOf(p, row.config) },
      host: bridge(caps, { channelId: scope.channelId ?? null, userId: scope.userId ?? null }),
    });
  }
}
