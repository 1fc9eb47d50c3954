/**
 * Spec "Workflow CRUD", "Execution Logs", "Custom Commands", "Card Templates": management requires
 * MANAGE_WORKFLOWS (the owner bypasses); listing commands is open to any member.
 */
import type * as v from 'valibot';
import type { Db } from '../engine/db/index.ts';
import type { Ids } from '../engine/ids.ts';
import { conflict, isUniqueViolation, notFound, validationError } from '../engine/errors.ts';
import { Permission } from '../actors/space/permissions.ts';
import { requireSpace } from '../domain/spaces/access.ts';
import {
  cardDto,
  commandDto,
  executionDto,
  templateDto,
  workflowDto,
  type CardTemplateDto,
  type CommandDto,
  type ExecutionDto,
  type WorkflowDto,
} from './presenter.ts';
import {
  triggerConfigSchema,
  type CardTemplateInput,
  type CardTemplatePatch,
  type CommandInput,
  type CommandPatch,
  type ExecutionsQuery,
  type TriggerType,
  type WorkflowInput,
  type WorkflowPatch,
} from './schema.ts';
import * as vv from 'valibot';
import type { CardInstance } from './capabilities.ts';

const manage = (db: Db, spaceId: string, userId: string) =>
  requireSpace(db, spaceId, userId, { need: Permission.MANAGE_WORKFLOWS });
export const member = (db: Db, spaceId: string, userId: string) =>
  requireSpace(db, spaceId, userId, { member: true });

function checkTriggerConfig(type: TriggerType, cfg: Record<string, unknown> | null | undefined) {
  const r = vv.safeParse(triggerConfigSchema(type), cfg ?? {});
  if (!r.success)
    throw validationError(`triggerConfig: invalid for ${type}: ${r.issues[0]?.message ?? ''}`, {
      issues: r.issues.map((i) => ({ path: `triggerConfig.${vv.getDotPath(i) ?? ''}`, message: i.message })),
    });
  return r.output as Record<string, unknown>;
}

const json = (x: unknown) => JSON.stringify(x ?? null);

export class ManageService {
  /** Called after any change of a space's workflows (the trigger filter's cache). */
  onChange: (spaceId: string) => void = () => {};

  constructor(private readonly ids: Ids) {}

  // ---- workflows ----
  async list(db: Db, userId: string, spaceId: string): Promise<WorkflowDto[]> {
    await manage(db, spaceId, userId);
    const rows = await db
      .selectFrom('workflows')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('id')
      .execute();
    return rows.map(workflowDto);
  }

  private async row(db: Db, spaceId: string, id: string) {
    const r = await db
      .selectFrom('workflows')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound('Workflow not found');
    return r;
  }

  async get(db: Db, userId: string, spaceId: string, id: string): Promise<WorkflowDto> {
    await manage(db, spaceId, userId);
    return workflowDto(await this.row(db, spaceId, id));
  }

  async create(db: Db, userId: string, spaceId: string, input: v.InferOutput<typeof WorkflowInput>) {
    await manage(db, spaceId, userId);
    const cfg = checkTriggerConfig(input.triggerType, input.triggerConfig);
    const row = await db
      .insertInto('workflows')
      .values({
        id: this.ids.next(),
        space_id: spaceId,
        name: input.name,
        description: input.description ?? null,
        trigger_type: input.triggerType,
        trigger_config: json(cfg),
        conditions: json(input.conditions ?? null),
        actions: json(input.actions),
        enabled: input.enabled ?? true,
        created_by: userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.onChange(spaceId);
    return workflowDto(row);
  }

  async update(db: Db, userId: string, spaceId: string, id: string, p: v.InferOutput<typeof WorkflowPatch>) {
    await manage(db, spaceId, userId);
    const cur = await this.row(db, spaceId, id);
    const type = p.triggerType ?? (cur.trigger_type as TriggerType);
    const cfg =
      p.triggerConfig !== undefined || p.triggerType !== undefined
        ? checkTriggerConfig(type, p.triggerConfig !== undefined ? p.triggerConfig : cur.trigger_config)
        : undefined;
    const row = await db
      .updateTable('workflows')
      .set({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.description !== undefined ? { description: p.description ?? null } : {}),
        ...(p.triggerType !== undefined ? { trigger_type: p.triggerType } : {}),
        ...(cfg !== undefined ? { trigger_config: json(cfg) } : {}),
        ...(p.conditions !== undefined ? { conditions: json(p.conditions) } : {}),
        ...(p.actions !== undefined ? { actions: json(p.actions) } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.onChange(spaceId);
    return workflowDto(row);
  }

  async remove(db: Db, userId: string, spaceId: string, id: string): Promise<void> {
    await manage(db, spaceId, userId);
    await this.row(db, spaceId, id);
    await db.deleteFrom('workflows').where('id', '=', id).execute();
    this.onChange(spaceId);
  }

  async toggle(db: Db, userId: string, spaceId: string, id: string): Promise<WorkflowDto> {
    await manage(db, spaceId, userId);
    await this.row(db, spaceId, id);
    const row = await db
      .updateTable('workflows')
      .set((eb) => ({ enabled: eb.not('enabled'), updated_at: new Date() }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.onChange(spaceId);
    return workflowDto(row);
  }

  async executions(
    db: Db,
    userId: string,
    spaceId: string,
    q: v.InferOutput<typeof ExecutionsQuery>,
  ): Promise<ExecutionDto[]> {
    await manage(db, spaceId, userId);
    let s = db.selectFrom('workflow_executions').selectAll().where('space_id', '=', spaceId);
    if (q.workflowId) s = s.where('workflow_id', '=', q.workflowId);
    if (q.before) s = s.where('id', '<', q.before);
    const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map(executionDto);
  }

  // ---- commands ----
  async commands(db: Db, userId: string, spaceId: string): Promise<CommandDto[]> {
    await member(db, spaceId, userId);
    const rows = await db
      .selectFrom('workflow_commands')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('name')
      .execute();
    return rows.map(commandDto);
  }

  async createCommand(db: Db, userId: string, spaceId: string, input: v.InferOutput<typeof CommandInput>) {
    await manage(db, spaceId, userId);
    try {
      const row = await db
        .insertInto('workflow_commands')
        .values({
          id: this.ids.next(),
          space_id: spaceId,
          name: input.name,
          description: input.description,
          args: json(input.args ?? []),
          created_by: userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return commandDto(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A command named ${input.name} already exists`);
      throw err;
    }
  }

  async updateCommand(
    db: Db,
    userId: string,
    spaceId: string,
    id: string,
    p: v.InferOutput<typeof CommandPatch>,
  ): Promise<CommandDto> {
    await manage(db, spaceId, userId);
    try {
      const row = await db
        .updateTable('workflow_commands')
        .set({
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.description !== undefined ? { description: p.description } : {}),
          ...(p.args !== undefined ? { args: json(p.args ?? []) } : {}),
          updated_at: new Date(),
        })
        .where('space_id', '=', spaceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('Command not found');
      return commandDto(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A command named ${p.name ?? ''} already exists`);
      throw err;
    }
  }

  async removeCommand(db: Db, userId: string, spaceId: string, id: string): Promise<void> {
    await manage(db, spaceId, userId);
    const r = await db
      .deleteFrom('workflow_commands')
      .where('space_id', '=', spaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (r.numDeletedRows === 0n) throw notFound('Command not found');
  }

  // ---- card templates ----
  async templates(db: Db, userId: string, spaceId: string): Promise<CardTemplateDto[]> {
    await manage(db, spaceId, userId);
    const rows = await db
      .selectFrom('workflow_card_templates')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('id')
      .execute();
    return rows.map(templateDto);
  }

  async createTemplate(
    db: Db,
    userId: string,
    spaceId: string,
    input: v.InferOutput<typeof CardTemplateInput>,
  ) {
    await manage(db, spaceId, userId);
    const row = await db
      .insertInto('workflow_card_templates')
      .values({
        id: this.ids.next(),
        space_id: spaceId,
        name: input.name,
        title_template: input.titleTemplate,
        body_template: input.bodyTemplate ?? null,
        color: input.color ?? null,
        fields: json(input.fields ?? []),
        buttons: json(input.buttons ?? []),
        created_by: userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return templateDto(row);
  }

  async updateTemplate(
    db: Db,
    userId: string,
    spaceId: string,
    id: string,
    p: v.InferOutput<typeof CardTemplatePatch>,
  ): Promise<CardTemplateDto> {
    await manage(db, spaceId, userId);
    const row = await db
      .updateTable('workflow_card_templates')
      .set({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.titleTemplate !== undefined ? { title_template: p.titleTemplate } : {}),
        ...(p.bodyTemplate !== undefined ? { body_template: p.bodyTemplate ?? null } : {}),
        ...(p.color !== undefined ? { color: p.color ?? null } : {}),
        ...(p.fields !== undefined ? { fields: json(p.fields ?? []) } : {}),
        ...(p.buttons !== undefined ? { buttons: json(p.buttons ?? []) } : {}),
        updated_at: new Date(),
      })
      .where('space_id', '=', spaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('Card template not found');
    return templateDto(row);
  }

  async removeTemplate(db: Db, userId: string, spaceId: string, id: string): Promise<void> {
    await manage(db, spaceId, userId);
    const r = await db
      .deleteFrom('workflow_card_templates')
      .where('space_id', '=', spaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (r.numDeletedRows === 0n) throw notFound('Card template not found');
  }

  /** GET /workflows/cards/:instanceId: the instance with its template (any member). */
  async card(
    db: Db,
    userId: string,
    spaceId: string,
    instanceId: string,
  ): Promise<CardInstance & { template: CardTemplateDto }> {
    await member(db, spaceId, userId);
    const r = await db
      .selectFrom('workflow_card_instances')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('id', '=', instanceId)
      .executeTakeFirst();
    if (!r) throw notFound('Card not found');
    const t = await db
      .selectFrom('workflow_card_templates')
      .selectAll()
      .where('id', '=', r.template_id)
      .executeTakeFirstOrThrow();
    return { ...cardDto(r), template: templateDto(t) };
  }
}
