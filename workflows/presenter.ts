/** Rows → the API's objects (ids as strings, times as ISO strings). */
import type { Selectable } from 'kysely';
import type { CardInstance, CardStatus } from './capabilities.ts';
import type { Action, CardButtonT, CardFieldT, CommandArgT, ConditionGroup, TriggerType } from './schema.ts';
import type {
  WorkflowCardInstancesTable,
  WorkflowCardTemplatesTable,
  WorkflowCommandsTable,
  WorkflowExecutionsTable,
  WorkflowsTable,
} from './tables.ts';

const iso = (d: Date) => new Date(d).toISOString();

export interface WorkflowDto {
  id: string;
  spaceId: string;
  name: string;
  description: string | null;
  triggerType: TriggerType;
  triggerConfig: Record<string, unknown> | null;
  conditions: ConditionGroup | null;
  actions: Action[];
  enabled: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export const workflowDto = (r: Selectable<WorkflowsTable>): WorkflowDto => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  triggerType: r.trigger_type as TriggerType,
  triggerConfig: r.trigger_config,
  conditions: (r.conditions as ConditionGroup | null) ?? null,
  actions: r.actions as Action[],
  enabled: r.enabled,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export type ExecutionStatus = 'success' | 'partial' | 'error' | 'skipped';

export interface ExecutionDto {
  id: string;
  spaceId: string;
  workflowId: string;
  workflowName: string;
  triggerType: string;
  status: ExecutionStatus;
  actionsRun: number;
  actionsTotal: number;
  errorMessage: string | null;
  durationMs: number;
  chain: string[];
  createdAt: string;
}

export const executionDto = (r: Selectable<WorkflowExecutionsTable>): ExecutionDto => ({
  id: r.id,
  spaceId: r.space_id,
  workflowId: r.workflow_id,
  workflowName: r.workflow_name,
  triggerType: r.trigger_type,
  status: r.status as ExecutionStatus,
  actionsRun: r.actions_run,
  actionsTotal: r.actions_total,
  errorMessage: r.error_message,
  durationMs: r.duration_ms,
  chain: r.chain,
  createdAt: iso(r.created_at),
});

export interface CommandDto {
  id: string;
  spaceId: string;
  name: string;
  description: string;
  args: CommandArgT[];
  createdBy: string | null;
  createdAt: string;
}

export const commandDto = (r: Selectable<WorkflowCommandsTable>): CommandDto => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  args: r.args as CommandArgT[],
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
});

export interface CardTemplateDto {
  id: string;
  spaceId: string;
  name: string;
  titleTemplate: string;
  bodyTemplate: string | null;
  color: string | null;
  fields: CardFieldT[];
  buttons: CardButtonT[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export const templateDto = (r: Selectable<WorkflowCardTemplatesTable>): CardTemplateDto => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  titleTemplate: r.title_template,
  bodyTemplate: r.body_template,
  color: r.color,
  fields: r.fields as CardFieldT[],
  buttons: r.buttons as CardButtonT[],
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export const cardDto = (r: Selectable<WorkflowCardInstancesTable>): CardInstance => ({
  id: r.id,
  spaceId: r.space_id,
  templateId: r.template_id,
  channelId: r.channel_id,
  messageId: r.message_id,
  workflowId: r.workflow_id,
  status: r.status as CardStatus,
  title: r.title,
  body: r.body,
  color: r.color,
  fields: r.fields,
  data: r.data,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
