import { sql, type Kysely } from 'kysely';

// Plugins (issue 9): which loaded plugins a space enabled, and its config for each. The plugins
// themselves live on disk (plugins/builtin, PLUGINS_DIR); their own KV is the workflows' kv port.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table space_plugins (
    space_id bigint not null references spaces(id) on delete cascade,
    plugin_id text not null,
    enabled boolean not null default true,
    config jsonb not null default '{}'::jsonb,
    updated_by bigint references users(id) on delete set null,
    updated_at timestamptz not null default now(),
    primary key (space_id, plugin_id)
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists space_plugins`.execute(db);
}
