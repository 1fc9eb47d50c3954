/**
 * The implementation of the capability API (workflows/capabilities.ts) over reef's services: messages
 * and roles through the space actor, cards in the workflow tables with `workflow:card_*` socket events
 * on the channel room, HTTP through the guarded client (workflows/http.ts), KV on the kv port under
 * `wf:kv:<space>:<plugin|_>:`. A capability that was not granted throws NOT_GRANTED.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Engine } from '../engine/index.ts';
import type { Db } from '../engine/db/index.ts';
import { room } from '../engine/rooms.ts';
import type { SpaceClient } from '../actors/space/space.client.ts';
import {
  CapabilityError,
  type Capabilities,
  type CapabilityName,
  type CapabilityScope,
  type CardInstance,
  type HttpRequestInput,
  type HttpResponse,
} from './capabilities.ts';
import { bodyText, hostAllowed, parseAllowance, request, sign, type AddressPolicy } from './http.ts';
import { cardDto } from './presenter.ts';
import { render } from './templates.ts';

export type HostPorts = Pick<Engine, 'config' | 'kv' | 'jobs' | 'rooms' | 'ids' | 'log' | 'clock'> & {
  db: Db;
  /** The space actors' client (a getter: services are built after this feature's factory runs). */
  spaces: () => SpaceClient;
};

export const WEBHOOK_QUEUE = 'workflows.webhook';
const KV_MAX_VALUE = 64 * 1024;

/** One outgoing webhook as the retry job carries it (already signed headers are re-signed per try). */
export interface WebhookJob {
  spaceId: string;
  input: HttpRequestInput;
  chain: string[];
}

export class Host {
  readonly policy: AddressPolicy;

  constructor(readonly p: HostPorts) {
    this.policy = parseAllowance(p.config.WORKFLOW_HTTP_ALLOW_PRIVATE);
  }

  /** The space's signing secret: its webhook secret, generated once when it has none yet. */
  async signingSecret(spaceId: string): Promise<string> {
    const fresh = `whsec_${randomBytes(24).toString('base64url')}`;
    await sql`update spaces set settings = jsonb_set(settings, '{webhookSecret}', to_jsonb(${fresh}::text))
      where id = ${spaceId} and coalesce(settings->>'webhookSecret', '') = ''`.execute(this.p.db);
    const r = await this.p.db
      .selectFrom('spaces')
      .select('settings')
      .where('id', '=', spaceId)
      .executeTakeFirst();
    const s = r?.settings['webhookSecret'];
    if (typeof s !== 'string') throw new CapabilityError('FAILED', 'Space not found');
    return s;
  }

  /** One signed attempt. */
  async deliver(job: WebhookJob): Promise<HttpResponse> {
    const secret = await this.signingSecret(job.spaceId);
    const ts = Math.floor(this.p.clock.now() / 1000);
    const body = bodyText(job.input.body) ?? '';
    const headers: Record<string, string> = {
      ...(Object.keys(job.input.headers ?? {}).some((k) => k.toLowerCase() === 'content-type')
        ? {}
        : { 'content-type': typeof job.input.body === 'string' ? 'text/plain' : 'application/json' }),
      ...(job.input.headers ?? {}),
      'X-Reef-Timestamp': String(ts),
      'X-Reef-Signature': sign(secret, ts, body),
      'X-Reef-Space': job.spaceId,
      'X-Reef-Chain': job.chain.join(','),
    };
    const res = await request(
      { ...job.input, body: job.input.body === undefined ? undefined : body, headers },
      this.policy,
      job.input.timeoutMs ?? this.p.config.WORKFLOW_HTTP_TIMEOUT_MS,
    );
    if (res.status >= 500 || res.status === 429)
      throw new CapabilityError('FAILED', `Webhook answered ${res.status}`);
    return res;
  }

  async emitCard(event: 'created' | 'updated' | 'dismissed', card: CardInstance): Promise<void> {
    this.p.rooms.emit(room.channel(card.channelId), `workflow:card_${event}`, card);
  }

  capabilities(scope: CapabilityScope): Capabilities {
    const { p } = this;
    const grant = scope.grant;
    const need = (name: CapabilityName, ok: boolean) => {
      if (!ok) throw new CapabilityError('NOT_GRANTED', `The "${name}" capability was not granted`);
    };
    const spaceId = scope.spaceId;
    const chain = scope.chain ?? [];
    const owner = async () => {
      const r = await p.db
        .selectFrom('spaces')
        .select('owner_id')
        .where('id', '=', spaceId)
        .executeTakeFirst();
      if (!r) throw new CapabilityError('FAILED', 'Space not found');
      return r.owner_id;
    };
    const post = async (content: string, channelId: string | undefined) => {
      if (!content.trim()) throw new CapabilityError('INVALID', 'Message content is empty');
      const r = await p.spaces().askWithMessageId<{ id: string }>(spaceId, (messageId) => ({
        type: 'system.post',
        messageId,
        content: content.slice(0, 4000),
        ...(channelId ? { channelId } : {}),
      }));
      return { messageId: r.id };
    };
    const setRole = async (userId: string, roleId: string, add: boolean) => {
      const rows = await p.db
        .selectFrom('space_member_roles')
        .select('role_id')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .execute();
      const cur = rows.map((r) => r.role_id);
      const next = add ? [...new Set([...cur, roleId])] : cur.filter((r) => r !== roleId);
      if (next.length === cur.length && next.every((r, i) => r === cur[i])) return;
      // The owner bypasses the actor's checks: the workflow acts with the space's authority.
      await p.spaces().ask(spaceId, { type: 'member.roles', by: await owner(), userId, roleIds: next });
    };
    const cardRow = async (instanceId: string) => {
      const r = await p.db
        .selectFrom('workflow_card_instances')
        .selectAll()
        .where('space_id', '=', spaceId)
        .where('id', '=', instanceId)
        .executeTakeFirst();
      if (!r) throw new CapabilityError('INVALID', 'Card not found');
      return r;
    };
    const http = (input: HttpRequestInput) => {
      const h = grant.http;
      need('http', !!h);
      let host: string;
      try {
        host = new URL(input.url).hostname;
      } catch {
        throw new CapabilityError('INVALID', 'Invalid URL');
      }
      if (h && !hostAllowed(host, h.hosts))
        throw new CapabilityError('HOST_NOT_ALLOWED', `Host ${host} is not allowed`);
    };
    const kvKey = (key: string) => {
      need('kv', !!grant.kv);
      if (typeof key !== 'string' || !key || key.length > 200)
        throw new CapabilityError('INVALID', 'Invalid key');
      return `wf:kv:${spaceId}:${scope.pluginId ?? '_'}:${key}`;
    };

    return {
      spaceId,
      async sendMessage({ channelId, content }) {
        need('messages', !!grant.messages);
        if (!channelId) throw new CapabilityError('INVALID', 'No channel to send to');
        return post(content, channelId);
      },
      async sendAdminMessage({ content, channelId }) {
        need('messages', !!grant.messages);
        return post(content, channelId);
      },
      async addRole({ userId, roleId }) {
        need('roles', !!grant.roles);
        await setRole(userId, roleId, true);
      },
      async removeRole({ userId, roleId }) {
        need('roles', !!grant.roles);
        await setRole(userId, roleId, false);
      },
      showCard: async ({ templateId, channelId, vars }) => {
        need('cards', !!grant.cards);
        const t = await p.db
          .selectFrom('workflow_card_templates')
          .selectAll()
          .where('space_id', '=', spaceId)
          .where('id', '=', templateId)
          .executeTakeFirst();
        if (!t) throw new CapabilityError('INVALID', 'Card template not found');
        const ch = await p.db
          .selectFrom('channels')
          .select('id')
          .where('space_id', '=', spaceId)
          .where('id', '=', channelId)
          .executeTakeFirst();
        if (!ch) throw new CapabilityError('INVALID', 'Channel not found in this space');
        const v = vars ?? {};
        const row = await p.db
          .insertInto('workflow_card_instances')
          .values({
            id: p.ids.next(),
            space_id: spaceId,
            template_id: templateId,
            channel_id: channelId,
            workflow_id: scope.workflowId ?? null,
            status: 'active',
            title: render(t.title_template, v).slice(0, 500),
            body: t.body_template === null ? null : render(t.body_template, v).slice(0, 4000),
            color: t.color,
            fields: '{}',
            data: JSON.stringify(v),
            created_by: scope.userId ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const card = cardDto(row);
        await this.emitCard('created', card);
        return card;
      },
      updateCard: async ({ instanceId, fields, status }) => {
        need('cards', !!grant.cards);
        const cur = await cardRow(instanceId);
        const row = await p.db
          .updateTable('workflow_card_instances')
          .set({
            fields: JSON.stringify({ ...cur.fields, ...(fields ?? {}) }),
            ...(status ? { status } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', instanceId)
          .returningAll()
          .executeTakeFirstOrThrow();
        const card = cardDto(row);
        await this.emitCard(card.status === 'dismissed' ? 'dismissed' : 'updated', card);
        return card;
      },
      dismissCard: async ({ instanceId }) => {
        need('cards', !!grant.cards);
        await cardRow(instanceId);
        const row = await p.db
          .updateTable('workflow_card_instances')
          .set({ status: 'dismissed', updated_at: new Date() })
          .where('id', '=', instanceId)
          .returningAll()
          .executeTakeFirstOrThrow();
        const card = cardDto(row);
        await this.emitCard('dismissed', card);
        return card;
      },
      httpRequest: async (input) => {
        http(input);
        return request(input, this.policy, input.timeoutMs ?? p.config.WORKFLOW_HTTP_TIMEOUT_MS);
      },
      sendWebhook: async (input) => {
        http(input);
        const job: WebhookJob = { spaceId, input, chain };
        try {
          return await this.deliver(job);
        } catch (err) {
          const e = err as CapabilityError;
          // Refusals and bad input are final; transport failures are retried through the jobs port.
          if (e.code === 'FAILED' && p.config.WORKFLOW_WEBHOOK_ATTEMPTS > 1) {
            await p.jobs.enqueue(WEBHOOK_QUEUE, job, {
              attempts: p.config.WORKFLOW_WEBHOOK_ATTEMPTS - 1,
              backoffMs: p.config.WORKFLOW_WEBHOOK_BACKOFF_MS,
              delayMs: p.config.WORKFLOW_WEBHOOK_BACKOFF_MS,
            });
            throw new CapabilityError(
              'FAILED',
              `${e.message} (will retry ${p.config.WORKFLOW_WEBHOOK_ATTEMPTS - 1}×)`,
            );
          }
          throw err;
        }
      },
      kv: {
        get: async (key) => p.kv.get(kvKey(key)),
        set: async (key, value, ttlMs) => {
          const k = kvKey(key);
          if (typeof value !== 'string' || value.length > KV_MAX_VALUE)
            throw new CapabilityError('INVALID', `Values are strings of at most ${KV_MAX_VALUE} characters`);
          await p.kv.set(k, value, ttlMs);
        },
      },
      log(level, message, data) {
        p.log[level](
          { spaceId, pluginId: scope.pluginId, workflowId: scope.workflowId, ...(data ?? {}) },
          String(message).slice(0, 2000),
        );
      },
    };
  }
}
