/** Spec "Workflows" and "Webhooks (Incoming)" (issue 9). */
import { parseRate } from '../../engine/config.ts';
import { badRequest } from '../../engine/errors.ts';
import { schema } from '../../workflows/index.ts';
import { created, me, noContent, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

/** Spec: incoming webhook bodies are at most 64 KB. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

function commandName(ctx: Ctx): string {
  const n = ctx.params['id'] ?? ''; // the route's :id is the command name here
  if (!/^[a-z0-9-]{1,32}$/.test(n))
    throw badRequest('Command names are 1-32 lowercase letters, digits and hyphens');
  return n;
}

export function registerWorkflowsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { manage, interactive } = services.workflows;
  const base = '/spaces/:spaceId/workflows';
  const sid = (ctx: Ctx) => id(ctx, 'spaceId');

  // ---- workflows ----
  r.get(base, async (ctx) => manage.list(db, me(ctx).id, sid(ctx)));
  r.post(base, async (ctx) =>
    created(await manage.create(db, me(ctx).id, sid(ctx), body(ctx, schema.WorkflowInput))),
  );
  r.get(`${base}/details/:id`, async (ctx) => manage.get(db, me(ctx).id, sid(ctx), id(ctx, 'id')));
  r.put(`${base}/details/:id`, async (ctx) =>
    manage.update(db, me(ctx).id, sid(ctx), id(ctx, 'id'), body(ctx, schema.WorkflowPatch)),
  );
  r.delete(`${base}/details/:id`, { body: 'json-or-empty' }, async (ctx) => {
    await manage.remove(db, me(ctx).id, sid(ctx), id(ctx, 'id'));
    return noContent();
  });
  r.patch(`${base}/details/:id/toggle`, { body: 'json-or-empty' }, async (ctx) =>
    manage.toggle(db, me(ctx).id, sid(ctx), id(ctx, 'id')),
  );
  r.get(`${base}/executions`, async (ctx) =>
    manage.executions(db, me(ctx).id, sid(ctx), query(ctx, schema.ExecutionsQuery)),
  );

  // ---- commands ----
  // The space's own commands, then those of plugins enabled in it (a custom command of the same
  // name wins on invoke, so the plugin's is not listed).
  r.get(`${base}/commands`, async (ctx) => {
    const spaceId = sid(ctx);
    const own = await manage.commands(db, me(ctx).id, spaceId);
    const taken = new Set(own.map((c) => c.name));
    const fromPlugins = (await services.plugins.commands(spaceId))
      .filter((c) => !taken.has(c.name))
      .map((c) => ({
        id: `plugin:${c.pluginId}:${c.name}`,
        spaceId,
        name: c.name,
        description: c.description,
        args: c.args,
        pluginId: c.pluginId,
        createdBy: null,
        createdAt: null,
      }));
    return [...own, ...fromPlugins].sort((a, b) => a.name.localeCompare(b.name));
  });
  r.post(`${base}/commands`, async (ctx) =>
    created(await manage.createCommand(db, me(ctx).id, sid(ctx), body(ctx, schema.CommandInput))),
  );
  r.put(`${base}/commands/:id`, async (ctx) =>
    manage.updateCommand(db, me(ctx).id, sid(ctx), id(ctx, 'id'), body(ctx, schema.CommandPatch)),
  );
  r.delete(`${base}/commands/:id`, { body: 'json-or-empty' }, async (ctx) => {
    await manage.removeCommand(db, me(ctx).id, sid(ctx), id(ctx, 'id'));
    return noContent();
  });
  r.post(`${base}/commands/:id/invoke`, async (ctx) =>
    interactive.invoke(db, me(ctx).id, sid(ctx), commandName(ctx), body(ctx, schema.InvokeInput)),
  );

  // ---- card templates and instances ----
  r.get(`${base}/card-templates`, async (ctx) => manage.templates(db, me(ctx).id, sid(ctx)));
  r.post(`${base}/card-templates`, async (ctx) =>
    created(await manage.createTemplate(db, me(ctx).id, sid(ctx), body(ctx, schema.CardTemplateInput))),
  );
  r.put(`${base}/card-templates/:id`, async (ctx) =>
    manage.updateTemplate(db, me(ctx).id, sid(ctx), id(ctx, 'id'), body(ctx, schema.CardTemplatePatch)),
  );
  r.delete(`${base}/card-templates/:id`, { body: 'json-or-empty' }, async (ctx) => {
    await manage.removeTemplate(db, me(ctx).id, sid(ctx), id(ctx, 'id'));
    return noContent();
  });
  r.get(`${base}/cards/:instanceId`, async (ctx) =>
    manage.card(db, me(ctx).id, sid(ctx), id(ctx, 'instanceId')),
  );
  r.post(`${base}/cards/:instanceId/interact`, async (ctx) =>
    interactive.interact(db, me(ctx).id, sid(ctx), id(ctx, 'instanceId'), body(ctx, schema.InteractInput)),
  );

  // ---- incoming webhooks (secret in the path instead of a token) ----
  const webhookRate = {
    name: 'webhook',
    ...parseRate(engine.config.RATE_LIMIT_WEBHOOK),
    by: (ctx: Ctx) => `secret:${ctx.params['secret'] ?? ''}`,
    message: 'Too many webhook calls for this secret',
  };
  const hook = (method: 'GET' | 'POST') => async (ctx: Ctx) => {
    const slug = ctx.params['slug'] ?? '';
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(slug)) throw badRequest('Invalid webhook slug');
    const payload = method === 'GET' ? Object.fromEntries(ctx.query) : (ctx.body ?? {});
    return interactive.incoming(
      db,
      ctx.params['secret'] ?? '',
      slug,
      method,
      payload,
      ctx.headers['x-reef-chain'],
    );
  };
  r.post(
    '/webhooks/:secret/:slug',
    {
      auth: 'none',
      body: 'json-or-empty',
      bodyLimit: WEBHOOK_BODY_LIMIT,
      rateLimit: webhookRate,
    },
    hook('POST'),
  );
  r.get('/webhooks/:secret/:slug', { auth: 'none', rateLimit: webhookRate }, hook('GET'));
}
