/** Kysely types of the workflow tables (migration 20261125_0120_workflows). */
import type { ColumnType, Generated } from 'kysely';
import type { Id, TimestampDefault } from '../engine/db/schema.ts';

type JsonCol<T> = ColumnType<T, string | undefined, string>;

export interface WorkflowsTable {
  id: Id;
  space_id: Id;
  name: string;
  description: string | null;
  trigger_type: string;
  trigger_config: JsonCol<Record<string, unknown> | null>;
  conditions: JsonCol<unknown>;
  actions: JsonCol<unknown[]>;
  enabled: Generated<boolean>;
  created_by: Id | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface WorkflowExecutionsTable {
  id: Id;
  space_id: Id;
  workflow_id: Id;
  workflow_name: string;
  trigger_type: string;
  status: string;
  actions_run: number;
  actions_total: number;
  error_message: string | null;
  duration_ms: number;
  chain: JsonCol<string[]>;
  created_at: TimestampDefault;
}

export interface WorkflowCommandsTable {
  id: Id;
  space_id: Id;
  name: string;
  description: string;
  args: JsonCol<unknown[]>;
  created_by: Id | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface WorkflowCardTemplatesTable {
  id: Id;
  space_id: Id;
  name: string;
  title_template: string;
  body_template: string | null;
  color: string | null;
  fields: JsonCol<unknown[]>;
  buttons: JsonCol<unknown[]>;
  created_by: Id | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface WorkflowCardInstancesTable {
  id: Id;
  space_id: Id;
  template_id: Id;
  channel_id: Id;
  message_id: Id | null;
  workflow_id: Id | null;
  status: string;
  title: string;
  body: string | null;
  color: string | null;
  fields: JsonCol<Record<string, string>>;
  data: JsonCol<Record<string, unknown>>;
  created_by: Id | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

declare module '../engine/db/schema.ts' {
  interface Database {
    workflows: WorkflowsTable;
    workflow_executions: WorkflowExecutionsTable;
    workflow_commands: WorkflowCommandsTable;
    workflow_card_templates: WorkflowCardTemplatesTable;
    workflow_card_instances: WorkflowCardInstancesTable;
  }
}
