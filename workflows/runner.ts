/**
 * The engine: finds the enabled workflows a trigger matches, gathers the run's variables and facts
 * once, then runs each workflow in order — loop guard, conditions, actions (1–20, in order, the first
 * failure stops the run) — and logs one execution row per workflow.
 *
 * Loop guard: a trigger caused by workflow actions carries the chain of workflow ids that caused it
 * (send_webhook sends it as `X-Reef-Chain`, copies of attachments leave it in KV). A run whose chain is
 * already WORKFLOW_MAX_CHAIN_DEPTH long is logged `skipped` with the chain and runs nothing.
 */
import type { Selectable } from 'kysely';
import type { Engine } from '../engine/index.ts';
import type { Db } from '../engine/db/index.ts';
import { FULL_GRANT } from './capabilities.ts';
import { evaluate, type RunFacts } from './conditions.ts';
import { runAction, type CopyPort, type PluginPort, type ScriptPort } from './actions.ts';
import type { Host } from './host.ts';
import {
  executionDto,
  workflowDto,
  type ExecutionDto,
  type ExecutionStatus,
  type WorkflowDto,
} from './presenter.ts';
import type { WorkflowsTable } from './tables.ts';
import type { TriggerEvent } from './trigger.ts';

export type RunnerPorts = Pick<Engine, 'config' | 'ids' | 'clock' | 'log'> & { db: Db };

const IMAGE = /^image\//;
const GPX = /\.gpx$/i;

function matches(w: WorkflowDto, ev: TriggerEvent): boolean {
  const c = w.triggerConfig ?? {};
  switch (ev.type) {
    case 'slash_command':
      return c['commandName'] === ev.commandName;
    case 'card_interaction':
      return c['templateId'] === ev.templateId;
    case 'webhook':
      return c['slug'] === ev.webhookSlug;
    case 'message_created':
    case 'image_uploaded':
    case 'gpx_uploaded':
      return !c['channelId'] || c['channelId'] === ev.channelId;
    case 'member_joined':
      return true;
  }
}

export class Runner {
  scripts: ScriptPort | null = null;
  plugins: () => PluginPort | null = () => null;

  constructor(
    private readonly p: RunnerPorts,
    private readonly host: Host,
    private readonly copier: CopyPort,
  ) {}

  async candidates(ev: TriggerEvent): Promise<WorkflowDto[]> {
    const rows: Selectable<WorkflowsTable>[] = await this.p.db
      .selectFrom('workflows')
      .selectAll()
      .where('space_id', '=', ev.spaceId)
      .where('trigger_type', '=', ev.type)
      .where('enabled', '=', true)
      .orderBy('id')
      .execute();
    return rows.map(workflowDto).filter((w) => matches(w, ev));
  }

  /** Runs every matching workflow; resolves with their execution logs (empty when none matched). */
  async fire(ev: TriggerEvent): Promise<ExecutionDto[]> {
    const flows = await this.candidates(ev);
    const plugins = ev.type === 'slash_command' ? null : this.plugins();
    const pluginTypes = plugins ? await plugins.triggerTypes(ev.spaceId) : new Set<string>();
    if (!flows.length && !pluginTypes.has(ev.type)) return [];
    const { vars, facts } = await this.context(ev);
    const out: ExecutionDto[] = [];
    for (const w of flows) out.push(await this.run(w, ev, vars, facts));
    if (plugins && pluginTypes.has(ev.type) && ev.chain.length < this.p.config.WORKFLOW_MAX_CHAIN_DEPTH)
      await plugins
        .dispatchTrigger(ev.spaceId, ev.type, { ...vars, chain: ev.chain })
        .catch((err: Error) =>
          this.p.log.warn({ err: err.message, spaceId: ev.spaceId }, 'plugin triggers failed'),
        );
    return out;
  }

  private async context(ev: TriggerEvent): Promise<{ vars: Record<string, unknown>; facts: RunFacts }> {
    const { db } = this.p;
    const [space, user, channel, roles] = await Promise.all([
      db.selectFrom('spaces').select('name').where('id', '=', ev.spaceId).executeTakeFirst(),
      ev.userId
        ? db
            .selectFrom('users')
            .select(['username', 'display_name'])
            .where('id', '=', ev.userId)
            .executeTakeFirst()
        : Promise.resolve(undefined),
      ev.channelId
        ? db.selectFrom('channels').select('name').where('id', '=', ev.channelId).executeTakeFirst()
        : Promise.resolve(undefined),
      ev.userId
        ? db
            .selectFrom('space_member_roles')
            .select('role_id')
            .where('space_id', '=', ev.spaceId)
            .where('user_id', '=', ev.userId)
            .execute()
        : Promise.resolve([]),
    ]);
    const def = await db
      .selectFrom('space_roles')
      .select('id')
      .where('space_id', '=', ev.spaceId)
      .where('is_default', '=', true)
      .executeTakeFirst();
    const atts = ev.attachments ?? [];
    const spaceName = space?.name ?? '';
    const vars: Record<string, unknown> = {
      spaceName,
      space: spaceName,
      userId: ev.userId ?? '',
      username: user?.username ?? '',
      displayName: user?.display_name ?? user?.username ?? '',
      mention: user ? `@${user.username}` : '',
      channelId: ev.channelId ?? '',
      channelName: channel?.name ?? '',
      messageId: ev.messageId ?? '',
      messageContent: ev.messageContent ?? '',
      imageCount: atts.filter((a) => IMAGE.test(a.mimeType)).length,
      gpxCount: atts.filter((a) => GPX.test(a.filename)).length,
      inviteCode: ev.inviteCode ?? '',
      commandName: ev.commandName ?? '',
      args: ev.args ?? {},
      cardInstanceId: ev.cardInstanceId ?? '',
      buttonId: ev.buttonId ?? '',
      fields: ev.fields ?? {},
      card: ev.card ?? {},
      webhookSlug: ev.webhookSlug ?? '',
      webhookMethod: ev.webhookMethod ?? '',
      payload: ev.payload ?? {},
      triggerType: ev.type,
    };
    const facts: RunFacts = {
      userRoleIds: [...roles.map((r) => r.role_id), ...(ev.userId && def ? [def.id] : [])],
      channelId: ev.channelId ?? null,
      messageContent: ev.messageContent ?? null,
      args: ev.args ?? {},
      fields: ev.fields ?? {},
      inviteCode: ev.inviteCode ?? null,
      buttonId: ev.buttonId ?? null,
      payload: ev.payload ?? null,
    };
    return { vars, facts };
  }

  private async run(
    w: WorkflowDto,
    ev: TriggerEvent,
    vars: Record<string, unknown>,
    facts: RunFacts,
  ): Promise<ExecutionDto> {
    const started = performance.now();
    const total = w.actions.length;
    const chain = [...ev.chain, w.id];
    let status: ExecutionStatus;
    let run = 0;
    let error: string | null = null;
    if (ev.chain.length >= this.p.config.WORKFLOW_MAX_CHAIN_DEPTH) {
      status = 'skipped';
      error = `Loop guard: chain depth ${ev.chain.length} reached (${chain.join(' → ')})`;
    } else if (!evaluate(w.conditions, facts)) {
      status = 'skipped';
    } else {
      const caps = this.host.capabilities({
        spaceId: ev.spaceId,
        pluginId: null,
        grant: FULL_GRANT,
        workflowId: w.id,
        chain,
        userId: ev.userId,
        channelId: ev.channelId ?? null,
      });
      const env = {
        caps,
        ev,
        vars,
        workflowId: w.id,
        chain,
        scripts: this.scripts,
        copier: this.copier,
        state: { cardId: ev.cardInstanceId ?? null },
      };
      status = 'success';
      for (const a of w.actions) {
        try {
          await runAction(a, env);
          run++;
        } catch (err) {
          error = `${a.type}: ${(err as Error).message}`.slice(0, 2000);
          status = run === 0 ? 'error' : 'partial';
          this.p.log.info({ workflowId: w.id, spaceId: ev.spaceId, err: error }, 'workflow action failed');
          break;
        }
      }
    }
    const row = await this.p.db
      .insertInto('workflow_executions')
      .values({
        id: this.p.ids.next(),
        space_id: ev.spaceId,
        workflow_id: w.id,
        workflow_name: w.name,
        trigger_type: ev.type,
        status,
        actions_run: run,
        actions_total: total,
        error_message: error,
        duration_ms: Math.round(performance.now() - started),
        chain: JSON.stringify(ev.chain),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((err: Error) => {
        // The workflow may have been deleted while it ran: the log goes with it.
        this.p.log.warn({ workflowId: w.id, err: err.message }, 'workflow execution log not written');
        return null;
      });
    return row
      ? executionDto(row)
      : {
          id: '0',
          spaceId: ev.spaceId,
          workflowId: w.id,
          workflowName: w.name,
          triggerType: ev.type,
          status,
          actionsRun: run,
          actionsTotal: total,
          errorMessage: error,
          durationMs: 0,
          chain: ev.chain,
          createdAt: new Date(this.p.clock.now()).toISOString(),
        };
  }
}
