/**
 * The synchronous triggers: POST /workflows/commands/:name/invoke (slash_command) and
 * POST /workflows/cards/:instanceId/interact (card_interaction) answer once their runs are done;
 * /webhooks/:secret/:slug (webhook) answers at once and runs off the request (jobs).
 */
import type * as v from 'valibot';
import { sql } from 'kysely';
import type { Db } from '../engine/db/index.ts';
import { badRequest, notFound, validationError } from '../engine/errors.ts';
import { isSnowflake } from '../engine/ids.ts';
import { requireChannel } from '../domain/spaces/access.ts';
import type { CardInstance } from './capabilities.ts';
import type { Host } from './host.ts';
import { member } from './manage.service.ts';
import { cardDto, type ExecutionDto } from './presenter.ts';
import type { Runner } from './runner.ts';
import type { CardButtonT, CardFieldT, CommandArgT, InteractInput, InvokeInput } from './schema.ts';
import type { TriggerEvent } from './trigger.ts';
import type { PluginPort } from './actions.ts';

const argIssue = (name: string, message: string) =>
  validationError(`args.${name}: ${message}`, { issues: [{ path: `args.${name}`, message }] });

/** Command args (text, number, user, channel, role, boolean) checked against the space: a clear 400. */
async function checkArgs(
  db: Db,
  spaceId: string,
  specs: CommandArgT[],
  given: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(given))
    if (!specs.some((s) => s.name === k)) throw argIssue(k, 'is not an argument of this command');
  for (const s of specs) {
    const x = given[s.name];
    if (x === undefined || x === null || x === '') {
      if (s.required) throw argIssue(s.name, 'is required');
      continue;
    }
    switch (s.type) {
      case 'text':
        if (typeof x !== 'string' && typeof x !== 'number') throw argIssue(s.name, 'must be text');
        if (String(x).length > 2000) throw argIssue(s.name, 'must be at most 2000 characters');
        out[s.name] = String(x);
        break;
      case 'number': {
        const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
        if (!Number.isFinite(n)) throw argIssue(s.name, 'must be a number');
        out[s.name] = n;
        break;
      }
      case 'boolean':
        if (x === true || x === 'true') out[s.name] = true;
        else if (x === false || x === 'false') out[s.name] = false;
        else throw argIssue(s.name, 'must be true or false');
        break;
      case 'user': {
        const q = typeof x === 'string' ? x.replace(/^@/, '') : '';
        const u = await db
          .selectFrom('space_members as m')
          .innerJoin('users as u', 'u.id', 'm.user_id')
          .select('u.id')
          .where('m.space_id', '=', spaceId)
          .where(isSnowflake(q) ? 'u.id' : 'u.username_lower', '=', q.toLowerCase())
          .executeTakeFirst();
        if (!u) throw argIssue(s.name, 'must be a member of this space (id or @username)');
        out[s.name] = u.id;
        break;
      }
      case 'channel':
      case 'role': {
        const table = s.type === 'channel' ? 'channels' : 'space_roles';
        const ok =
          isSnowflake(x) &&
          (await db
            .selectFrom(table)
            .select('id')
            .where('space_id', '=', spaceId)
            .where('id', '=', x)
            .executeTakeFirst());
        if (!ok) throw argIssue(s.name, `must be a ${s.type} of this space`);
        out[s.name] = x;
        break;
      }
    }
  }
  return out;
}

export class InteractiveService {
  constructor(
    private readonly runner: Runner,
    private readonly host: Host,
    private readonly enqueueRun: (ev: TriggerEvent) => Promise<void>,
    private readonly plugins: () => PluginPort | null = () => null,
  ) {}

  async invoke(
    db: Db,
    userId: string,
    spaceId: string,
    name: string,
    input: v.InferOutput<typeof InvokeInput>,
  ) {
    await member(db, spaceId, userId);
    const cmd = await db
      .selectFrom('workflow_commands')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    // No custom command of that name: maybe a command of a plugin enabled in the space.
    const plugin = cmd ? null : await this.plugins()?.findCommand(spaceId, name);
    if (!cmd && !plugin) throw notFound(`No command named ${name}`);
    const ch = await requireChannel(db, input.channelId, userId);
    if (ch.channel.space_id !== spaceId) throw badRequest('channelId must be a channel of this space');
    const specs = (cmd ? cmd.args : plugin!.args) as CommandArgT[];
    const args = await checkArgs(db, spaceId, specs, input.args ?? {});
    if (plugin) {
      const u = await db.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
      const r = await this.plugins()!.runCommand({
        spaceId,
        pluginId: plugin.pluginId,
        name,
        input: {
          commandName: name,
          args,
          userId,
          username: u?.username ?? '',
          channelId: input.channelId,
          spaceId,
        },
        userId,
        channelId: input.channelId,
      });
      if (!r.ok) throw badRequest(`Plugin command ${plugin.pluginId}/${name} failed: ${r.error}`);
      return {
        ok: true,
        command: name,
        args,
        executions: [],
        plugin: { id: plugin.pluginId, output: r.output },
      };
    }
    const executions = await this.runner.fire({
      type: 'slash_command',
      spaceId,
      userId,
      channelId: input.channelId,
      commandName: name,
      args,
      chain: [],
    });
    return { ok: true, command: name, args, executions };
  }

  async interact(
    db: Db,
    userId: string,
    spaceId: string,
    instanceId: string,
    input: v.InferOutput<typeof InteractInput>,
  ): Promise<{ ok: true; card: CardInstance; executions: ExecutionDto[] }> {
    await member(db, spaceId, userId);
    const row = await db
      .selectFrom('workflow_card_instances')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('id', '=', instanceId)
      .executeTakeFirst();
    if (!row) throw notFound('Card not found');
    if (row.status !== 'active') throw badRequest(`Card is not active (${row.status})`);
    const t = await db
      .selectFrom('workflow_card_templates')
      .select(['fields', 'buttons'])
      .where('id', '=', row.template_id)
      .executeTakeFirstOrThrow();
    if (!input.buttonId && !input.fields) throw badRequest('Send a buttonId or fields');
    const buttons = t.buttons as CardButtonT[];
    if (input.buttonId && !buttons.some((b) => b.id === input.buttonId))
      throw badRequest(`No button ${input.buttonId} on this card`);
    const specs = t.fields as CardFieldT[];
    for (const [k, val] of Object.entries(input.fields ?? {})) {
      const f = specs.find((s) => s.id === k);
      if (!f) throw badRequest(`No field ${k} on this card`);
      if (f.type === 'select' && f.options && !f.options.includes(val))
        throw badRequest(`Field ${k} must be one of: ${f.options.join(', ')}`);
    }
    let card = cardDto(row);
    if (input.fields) {
      const next = await db
        .updateTable('workflow_card_instances')
        .set({ fields: JSON.stringify({ ...row.fields, ...input.fields }), updated_at: new Date() })
        .where('id', '=', instanceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      card = cardDto(next);
      await this.host.emitCard('updated', card);
    }
    const executions = await this.runner.fire({
      type: 'card_interaction',
      spaceId,
      userId,
      channelId: card.channelId,
      cardInstanceId: card.id,
      templateId: card.templateId,
      buttonId: input.buttonId ?? null,
      fields: card.fields,
      card: {
        ...card.data,
        id: card.id,
        title: card.title,
        body: card.body,
        status: card.status,
        fields: card.fields,
      },
      chain: [],
    });
    const after = await db
      .selectFrom('workflow_card_instances')
      .selectAll()
      .where('id', '=', instanceId)
      .executeTakeFirstOrThrow();
    return { ok: true, card: cardDto(after), executions };
  }

  /** Spec "Webhooks (Incoming)": 404 unless the secret belongs to a space with webhooks enabled. */
  async incoming(
    db: Db,
    secret: string,
    slug: string,
    method: 'GET' | 'POST',
    payload: unknown,
    chainHeader: string | undefined,
  ): Promise<{ ok: true }> {
    const space = await db
      .selectFrom('spaces')
      .select('id')
      .where(sql<boolean>`settings->>'webhookSecret' = ${secret} and settings->>'webhooksEnabled' = 'true'`)
      .executeTakeFirst();
    if (!space) throw notFound('Unknown webhook');
    const chain = (chainHeader ?? '')
      .split(',')
      .filter((s) => isSnowflake(s))
      .slice(0, 50);
    await this.enqueueRun({
      type: 'webhook',
      spaceId: space.id,
      userId: null,
      webhookSlug: slug,
      webhookMethod: method,
      payload,
      chain,
    });
    return { ok: true };
  }
}
