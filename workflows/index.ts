/**
 * The workflows feature (spec "Workflows", "Webhooks (Incoming)"): management services, the engine,
 * the capability API host, trigger intake. Other folders import from here only.
 *
 *   const wf = createWorkflows(engine, { spaces });
 *   await wf.interactive.invoke(db, userId, spaceId, 'greet', { channelId, args: { name: 'jane' } });
 *   const caps = wf.capabilities({ spaceId, pluginId: 'acme.x', grant: { kv: true } });
 */
import type { Engine } from '../engine/index.ts';
import type { Spaces } from '../domain/spaces/index.ts';
import { CapabilityError, type Capabilities, type CapabilityScope } from './capabilities.ts';
import type { CopyPort, PluginPort, ScriptPort } from './actions.ts';
import { Host, WEBHOOK_QUEUE, type WebhookJob } from './host.ts';
import { InteractiveService } from './interactive.service.ts';
import { ManageService } from './manage.service.ts';
import { Runner } from './runner.ts';
import { CAUSE_TTL_MS, causeKey, RUN_QUEUE, TriggerIntake } from './triggers.ts';
import type { TriggerEvent } from './trigger.ts';
import './tables.ts';

export * as schema from './schema.ts';
export type { ExecutionDto } from './presenter.ts';
export type { ManageService } from './manage.service.ts';
export type { InteractiveService } from './interactive.service.ts';
export type { Capabilities, CapabilityScope, CapabilityGrant, CardInstance } from './capabilities.ts';
export type { ScriptPort, PluginPort } from './actions.ts';
export type { TriggerEvent } from './trigger.ts';

export interface WorkflowsDeps {
  /** A getter: the spaces feature may be built after this factory runs. */
  spaces: () => Pick<Spaces, 'client' | 'messages'>;
  /** Plugin-provided commands and triggers (null until the plugins feature is there). */
  plugins?: () => PluginPort | null;
}

export function createWorkflows(engine: Engine, deps: WorkflowsDeps) {
  const db = engine.db.db;
  const host = new Host({ ...engine, db, spaces: () => deps.spaces().client });
  const copier: CopyPort = {
    async copy({ spaceId, userId, channelId, kind, attachments, chain }) {
      const ch = await db
        .selectFrom('channels')
        .select(['type', 'space_id'])
        .where('id', '=', channelId)
        .executeTakeFirst();
      if (!ch || ch.space_id !== spaceId)
        throw new CapabilityError('INVALID', 'Channel not found in this space');
      if (ch.type !== kind) throw new CapabilityError('INVALID', `Channel is not a ${kind} channel`);
      // Mark the copies first: their triggers then carry this run's chain (the loop guard).
      for (const a of attachments)
        await engine.kv.set(causeKey(channelId, a.id), JSON.stringify(chain), CAUSE_TTL_MS);
      await deps.spaces().messages.send(db, userId, channelId, { content: '', attachments });
    },
  };
  const runner = new Runner({ ...engine, db }, host, copier);
  const plugins = deps.plugins ?? (() => null);
  runner.plugins = plugins;
  const intake = new TriggerIntake(engine, db, plugins);
  const manage = new ManageService(engine.ids);
  manage.onChange = (spaceId) => intake.invalidate(spaceId);
  const enqueueRun = (ev: TriggerEvent) => engine.jobs.enqueue(RUN_QUEUE, ev, { attempts: 1 });
  const interactive = new InteractiveService(runner, host, enqueueRun, plugins);

  engine.jobs.process<TriggerEvent>(RUN_QUEUE, async (ev) => {
    await runner.fire(ev);
  });
  engine.jobs.process<WebhookJob>(WEBHOOK_QUEUE, async (job) => {
    await host.deliver(job);
  });
  intake.start();

  return {
    manage,
    interactive,
    runner,
    host,
    /** The capability API for a caller (plugins bridge a granted subset of it into isolates). */
    capabilities: (scope: CapabilityScope): Capabilities => host.capabilities(scope),
    /** Binds run_script / plugin_action to the plugins sandbox. */
    setScripts(port: ScriptPort | null): void {
      runner.scripts = port;
    },
    /** Fires a trigger now (plugin-provided triggers, tests); resolves with the runs' logs. */
    fire: (ev: TriggerEvent) => runner.fire(ev),
    stop(): void {
      intake.stop();
    },
  };
}

export type Workflows = ReturnType<typeof createWorkflows>;
