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

export interface PluginsFeature {
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
  /** Re-read the plugin directories (changed modules get fresh isolates). */
  reload(): Promise<void>;
  readonly service: PluginService;
  readonly sandbox: Sandbox;
  stop(): Promise<void>;
}

type CapabilitiesProvider = { capabilities?: (scope: CapabilityScope) => Capabilities };

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
  return {
    ready,
    service,
    sandbox,
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
}
