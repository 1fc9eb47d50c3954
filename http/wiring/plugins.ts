/**
 * Wiring of the plugins (isolated-vm sandbox, capability API) feature (issue 9): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 *
 * For the workflows feature (and anyone running user code):
 *
 *   // run_script action: the admin's JS body; input = the trigger's variables; output = its JSON result
 *   const r = await services.plugins.run({ kind: 'script', spaceId, code, input: vars, caps, channelId, userId });
 *   if (r.ok) use(r.output); else log(r.error.code, r.error.message);   // never throws for the script's faults
 *
 *   // a plugin command (slash command not defined by a workflow), action or trigger handler
 *   const cmd = await services.plugins.findCommand(spaceId, 'roll');    // enabled plugins only
 *   const r = await services.plugins.run({
 *     kind: 'command', pluginId: cmd.pluginId, name: 'roll', spaceId,
 *     input: { commandName, args, userId, username, channelId, spaceId },
 *     caps,                  // optional: workflows.capabilities({ spaceId, pluginId, grant: plugins.grantFor(pluginId)! , ... })
 *     scope: { userId, channelId, workflowId, chain },  // used when caps is omitted
 *   });
 *
 * `RunResult` = `{ ok: true, output, durationMs, logs }` | `{ ok: false, error: { code, name, message }, durationMs, logs }`
 * with code CPU_LIMIT | MEMORY_LIMIT | WALL_LIMIT | SCRIPT_ERROR | LOAD_ERROR | NOT_GRANTED |
 * IO_TOO_LARGE | ISOLATE_LOST | NOT_ENABLED | NO_HOST. When `caps` is omitted the service asks
 * `services.workflows.capabilities(scope)` (if the workflows feature provides it).
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';
import type { Capabilities, CapabilityGrant, CapabilityScope } from '../../workflows/capabilities.ts';
import { requireSpace } from '../../domain/spaces/access.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { PluginService, Sandbox } from '../../plugins/index.ts';
import type {
  PluginCommand,
  PluginInfo,
  RunRequest,
  RunResult,
  SpacePluginInfo,
} from '../../plugins/index.ts';

/** The shape workflows/actions.ts's ScriptPort has (run_script and plugin_action); faults throw. */
export interface WorkflowScriptPort {
  runScript(input: {
    spaceId: string;
    workflowId: string;
    code: string;
    event: Record<string, unknown>;
    capabilities: Capabilities;
  }): Promise<unknown>;
  runPluginAction(input: {
    spaceId: string;
    pluginId: string;
    action: string;
    input: Record<string, unknown>;
    event: Record<string, unknown>;
  }): Promise<unknown>;
}

export interface PluginsFeature extends WorkflowScriptPort {
  /** Resolves once the built-in and PLUGINS_DIR plugins are loaded. */
  ready: Promise<void>;
  /** Run user code in the sandbox (see the header). */
  run(req: RunRequest): Promise<RunResult>;
  /** GET /plugins. */
  list(): Promise<PluginInfo[]>;
  spacePlugins(userId: string, spaceId: string): Promise<SpacePluginInfo[]>;
  setSpacePlugins(userId: string, spaceId: string, body: unknown): Promise<SpacePluginInfo[]>;
  /** Commands of the plugins enabled in a space; one by name. */
  commands(spaceId: string): Promise<PluginCommand[]>;
  findCommand(spaceId: string, name: string): Promise<PluginCommand | null>;
  /** The grant a plugin holds where it is enabled (build its Capabilities with it). */
  grantFor(pluginId: string): CapabilityGrant | null;
  /**
   * Run the trigger handlers of every plugin enabled in the space that lists `triggerType`, with the
   * trigger's variables as input (faults are logged, never thrown). For the workflows' trigger path.
   */
  dispatchTrigger(spaceId: string, triggerType: string, vars: Record<string, unknown>): Promise<RunResult[]>;
  /** Re-read the plugin directories (changed modules get fresh isolates). */
  reload(): Promise<void>;
  readonly service: PluginService;
  readonly sandbox: Sandbox;
  stop(): Promise<void>;
}

type CapabilitiesProvider = {
  capabilities?: (scope: CapabilityScope) => Capabilities;
  setScripts?: (port: WorkflowScriptPort | null) => void;
};

const str = (x: unknown): string | null => (typeof x === 'string' && x ? x : null);
const chainOf = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((y): y is string => typeof y === 'string') : [];

function failure(what: string, r: RunResult): Error {
  return r.ok ? new Error(what) : new Error(`${what} failed (${r.error.code}): ${r.error.message}`);
}

export function createPluginsFeature(engine: Engine, services: () => Services): PluginsFeature {
  const c = engine.config;
  const sandbox = new Sandbox(
    {
      memoryMb: c.PLUGINS_MEMORY_MB,
      cpuMs: c.PLUGINS_CPU_MS,
      wallMs: c.PLUGINS_WALL_MS,
      maxIoBytes: 256 * 1024,
      poolSize: c.PLUGINS_POOL_SIZE,
      maxIsolates: c.PLUGINS_MAX_ISOLATES,
    },
    engine.log,
  );
  const service = new PluginService({
    db: engine.db.db,
    sandbox,
    log: engine.log,
    requireAdmin: async (db, spaceId, userId) => {
      await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_SPACE });
    },
    capabilities: () => {
      const wf = services().workflows as CapabilitiesProvider;
      return wf.capabilities ? (scope) => wf.capabilities!(scope) : null;
    },
  });
  const load = () => service.load(c.PLUGINS_DIR);
  const ready = load().catch((e: unknown) => engine.log.warn({ err: e }, 'plugins: loading failed'));
  void sandbox.warmUp().catch((e: unknown) => engine.log.warn({ err: e }, 'plugins: warm pool failed'));
  const feature: PluginsFeature = {
    ready,
    service,
    sandbox,
    async runScript({ spaceId, code, event, capabilities }) {
      await ready;
      const r = await service.run({
        kind: 'script',
        spaceId,
        code,
        input: event,
        caps: capabilities,
        channelId: str(event['channelId']),
        userId: str(event['userId']),
      });
      if (!r.ok) throw failure('run_script', r);
      return r.output;
    },
    async runPluginAction({ spaceId, pluginId, action, input, event }) {
      await ready;
      const r = await service.run({
        kind: 'action',
        pluginId,
        name: action,
        spaceId,
        input: { ...event, ...input },
        scope: {
          userId: str(event['userId']),
          channelId: str(event['channelId']),
          workflowId: str(event['workflowId']),
          chain: chainOf(event['chain']),
        },
      });
      if (!r.ok) throw failure(`plugin action ${pluginId}.${action}`, r);
      return r.output;
    },
    async dispatchTrigger(spaceId, triggerType, vars) {
      await ready;
      const out: RunResult[] = [];
      for (const { plugin } of await service.enabled(spaceId)) {
        if (!plugin.manifest.triggers.some((t) => t.type === triggerType)) continue;
        out.push(
          await service.run({
            kind: 'trigger',
            pluginId: plugin.manifest.id,
            name: triggerType,
            spaceId,
            input: { triggerType, spaceId, ...vars },
            scope: {
              userId: str(vars['userId']),
              channelId: str(vars['channelId']),
              chain: chainOf(vars['chain']),
            },
          }),
        );
      }
      return out;
    },
    async run(req) {
      await ready;
      return service.run(req);
    },
    async list() {
      await ready;
      return service.list();
    },
    async spacePlugins(userId, spaceId) {
      await ready;
      return service.spacePlugins(userId, spaceId);
    },
    async setSpacePlugins(userId, spaceId, body) {
      await ready;
      return service.setSpacePlugins(userId, spaceId, body);
    },
    async commands(spaceId) {
      await ready;
      return service.commands(spaceId);
    },
    async findCommand(spaceId, name) {
      await ready;
      return service.findCommand(spaceId, name);
    },
    grantFor: (pluginId) => service.grantFor(pluginId),
    reload: load,
    async stop() {
      sandbox.close();
    },
  };
  // run_script / plugin_action: hand the workflows feature (built after this one) its port.
  void ready.then(() => {
    try {
      (services().workflows as CapabilitiesProvider).setScripts?.(feature);
    } catch (e) {
      engine.log.warn({ err: e }, 'plugins: could not bind the workflows script port');
    }
  });
  return feature;
}
