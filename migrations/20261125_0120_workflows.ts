import { sql, type Kysely } from 'kysely';

// Workflows (spec "Workflows"): workflows, their execution logs, custom slash commands, card templates
// and card instances. Trigger configs, condition trees, actions, args, fields and buttons are jsonb
// validated at the edge (workflows/schema.ts).
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table workflows (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      description text,
      trigger_type text not null,
      trigger_config jsonb,
      conditions jsonb,
      actions jsonb not null,
      enabled boolean not null default true,
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index workflows_trigger_idx on workflows (space_id, trigger_type, enabled)`,
    sql`create table workflow_executions (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      workflow_id bigint not null references workflows(id) on delete cascade,
      workflow_name text not null,
      trigger_type text not null,
      status text not null,
      actions_run integer not null default 0,
      actions_total integer not null default 0,
      error_message text,
      duration_ms integer not null default 0,
      chain jsonb not null default '[]'::jsonb,
      created_at timestamptz not null default now()
    )`,
    sql`create index workflow_executions_space_idx on workflow_executions (space_id, id desc)`,
    sql`create index workflow_executions_workflow_idx on workflow_executions (workflow_id, id desc)`,
    sql`create table workflow_commands (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      description text not null,
      args jsonb not null default '[]'::jsonb,
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (space_id, name)
    )`,
    sql`create table workflow_card_templates (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      title_template text not null,
      body_template text,
      color text,
      fields jsonb not null default '[]'::jsonb,
      buttons jsonb not null default '[]'::jsonb,
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index workflow_card_templates_space_idx on workflow_card_templates (space_id, id)`,
    sql`create table workflow_card_instances (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      template_id bigint not null references workflow_card_templates(id) on delete cascade,
      channel_id bigint not null references channels(id) on delete cascade,
      message_id bigint,
      workflow_id bigint references workflows(id) on delete set null,
      status text not null default 'active',
      title text not null,
      body text,
      color text,
      fields jsonb not null default '{}'::jsonb,
      data jsonb not null default '{}'::jsonb,
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index workflow_card_instances_space_idx on workflow_card_instances (space_id, id)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'workflow_card_instances',
    'workflow_card_templates',
    'workflow_commands',
    'workflow_executions',
    'workflows',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
