/**
 * Wiring of the workflows, commands, cards, incoming webhooks feature (issue 9): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import {
  createWorkflows,
  type Capabilities,
  type CapabilityScope,
  type ExecutionDto,
  type InteractiveService,
  type ManageService,
  type PluginPort,
  type ScriptPort,
  type TriggerEvent,
} from '../../workflows/index.ts';
import type { Services } from '../services.ts';

export interface WorkflowsFeature {
  /** CRUD of workflows, commands, card templates; execution logs; card reads. */
  manage: ManageService;
  /** Slash command invocation, card interaction, incoming webhooks. */
  interactive: InteractiveService;
  /** The capability API (workflows/capabilities.ts) for one caller; plugins bridge it into isolates. */
  capabilities(scope: CapabilityScope): Capabilities;
  /** Binds the run_script / plugin_action actions to the plugins sandbox. */
  setScripts(port: ScriptPort | null): void;
  /** Fires a trigger now (plugin-provided triggers); resolves with the runs' execution logs. */
  fire(ev: TriggerEvent): Promise<ExecutionDto[]>;
  stop?(): Promise<void>;
}

export function createWorkflowsFeature(engine: Engine, services: () => Services): WorkflowsFeature {
  const plugins = (): PluginPort | null => {
    const p = services().plugins;
    return {
      async findCommand(spaceId, name) {
        const c = await p.findCommand(spaceId, name);
        return c ? { pluginId: c.pluginId, args: c.args } : null;
      },
      async runCommand({ spaceId, pluginId, name, input, userId, channelId }) {
        const r = await p.run({
          kind: 'command',
          pluginId,
          name,
          spaceId,
          input,
          scope: { userId, channelId, chain: [] },
        });
        return r.ok
          ? { ok: true, output: r.output }
          : { ok: false, error: `${r.error.code}: ${r.error.message}` };
      },
      async triggerTypes(spaceId) {
        await p.ready;
        const types = new Set<string>();
        for (const { plugin } of await p.service.enabled(spaceId))
          for (const t of plugin.manifest.triggers) types.add(t.type);
        return types;
      },
      async dispatchTrigger(spaceId, type, vars) {
        await p.dispatchTrigger(spaceId, type, vars);
      },
    };
  };
  const wf = createWorkflows(engine, { spaces: () => services().spaces, plugins });
  return {
    manage: wf.manage,
    interactive: wf.interactive,
    capabilities: wf.capabilities,
    setScripts: wf.setScripts,
    fire: wf.fire,
    async stop() {
      wf.stop();
    },
  };
}
