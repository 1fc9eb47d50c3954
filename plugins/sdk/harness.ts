/**
 * The local harness: runs a plugin's handlers in the real sandbox (same limits, same bridge) against
 * fake events and fake capabilities, without a server or a database.
 *
 *   npm run plugin -- test ./my-plugin            # every command/action/trigger with generated events
 *   npm run plugin -- test ./my-plugin --events ./my-plugin/events.json
 *
 * events.json: `[{ "kind": "command", "name": "roll", "input": { "args": { "dice": "2d6" } },
 *                   "config": { "sides": 20 }, "expect": { "ok": true } }]`
 * (without --events, `<dir>/harness.json` is used when present). The fake capabilities honour the
 * manifest's grant: a capability it did not ask for fails the execution, as on a server.
 */
import * as v from 'valibot';
import { CapabilityError, type Capabilities, type HttpRequestInput } from '../../workflows/capabilities.ts';
import { configSchema, grantOf, type Manifest } from '../manifest.ts';
import { loadPluginDir } from '../registry.ts';
import { DEFAULT_LIMITS, Sandbox, type ExecResult, type SandboxLimits } from '../sandbox/sandbox.ts';
import { bridge, grantNames } from '../service.ts';

export interface HarnessEvent {
  kind: 'command' | 'action' | 'trigger';
  name: string;
  input?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** `ok` expected (default true); `output` compared deeply when given. */
  expect?: { ok?: boolean; output?: unknown; error?: string };
}

export interface HarnessCase {
  event: HarnessEvent;
  result: ExecResult;
  /** Capability calls the handler made, in order (`messages.send {...}`). */
  calls: { method: string; args: unknown }[];
  passed: boolean;
  why?: string;
}

const EventsSchema = v.array(
  v.object({
    kind: v.picklist(['command', 'action', 'trigger']),
    name: v.string(),
    input: v.optional(v.record(v.string(), v.unknown())),
    config: v.optional(v.record(v.string(), v.unknown())),
    expect: v.optional(
      v.object({
        ok: v.optional(v.boolean()),
        output: v.optional(v.unknown()),
        error: v.optional(v.string()),
      }),
    ),
  }),
);

export const FAKE = { spaceId: '100', channelId: '200', userId: '300', username: 'tester', roleId: '400' };

const sample: Record<string, unknown> = {
  text: 'test',
  number: 1,
  user: FAKE.userId,
  channel: FAKE.channelId,
  role: FAKE.roleId,
  boolean: true,
};

/** Generated events: each command with sample args, each action, each trigger. */
export function generatedEvents(m: Manifest): HarnessEvent[] {
  const base = {
    spaceId: FAKE.spaceId,
    channelId: FAKE.channelId,
    userId: FAKE.userId,
    username: FAKE.username,
  };
  return [
    ...m.commands.map((c) => ({
      kind: 'command' as const,
      name: c.name,
      input: {
        ...base,
        commandName: c.name,
        args: Object.fromEntries(c.args.map((a) => [a.name, sample[a.type]])),
      },
    })),
    ...m.actions.map((a) => ({ kind: 'action' as const, name: a.type, input: { ...base } })),
    ...m.triggers.map((tr) => ({
      kind: 'trigger' as const,
      name: tr.type,
      input: { ...base, triggerType: tr.type, content: 'hello', messageId: '500' },
    })),
  ];
}

/** Capabilities that record calls and keep KV in memory; refused when the manifest did not ask. */
export function fakeCapabilities(m: Manifest, calls: { method: string; args: unknown }[]): Capabilities {
  const grant = grantOf(m);
  const kv = new Map<string, string>();
  const need = (ok: unknown, cap: string) => {
    if (!ok) throw new CapabilityError('NOT_GRANTED', `capability "${cap}" was not granted`);
  };
  const card = (id: string, status: 'active' | 'completed' | 'dismissed' = 'active') => ({
    id,
    spaceId: FAKE.spaceId,
    templateId: '600',
    channelId: FAKE.channelId,
    messageId: null,
    workflowId: null,
    status,
    title: 'card',
    body: null,
    color: null,
    fields: {},
    data: {},
    createdBy: FAKE.userId,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  });
  const http = (method: string) => async (input: HttpRequestInput) => {
    need(grant.http, 'http');
    calls.push({ method, args: input });
    const host = new URL(input.url).hostname;
    const hosts = grant.http ? grant.http.hosts : [];
    if (!hosts.some((h) => h === host || (h.startsWith('*.') && host.endsWith(h.slice(1)))))
      throw new CapabilityError('HOST_NOT_ALLOWED', `Host ${host} is not allowed`);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"fake":true}' };
  };
  let seq = 700;
  return {
    spaceId: FAKE.spaceId,
    async sendMessage(input) {
      need(grant.messages, 'messages');
      calls.push({ method: 'messages.send', args: input });
      return { messageId: String(seq++) };
    },
    async sendAdminMessage(input) {
      need(grant.messages, 'messages');
      calls.push({ method: 'messages.sendAdmin', args: input });
      return { messageId: String(seq++) };
    },
    async addRole(input) {
      need(grant.roles, 'roles');
      calls.push({ method: 'roles.add', args: input });
    },
    async removeRole(input) {
      need(grant.roles, 'roles');
      calls.push({ method: 'roles.remove', args: input });
    },
    async showCard(input) {
      need(grant.cards, 'cards');
      calls.push({ method: 'cards.show', args: input });
      return card(String(seq++));
    },
    async updateCard(input) {
      need(grant.cards, 'cards');
      calls.push({ method: 'cards.update', args: input });
      return card(input.instanceId, input.status);
    },
    async dismissCard(input) {
      need(grant.cards, 'cards');
      calls.push({ method: 'cards.dismiss', args: input });
      return card(input.instanceId, 'dismissed');
    },
    httpRequest: http('http.fetch'),
    sendWebhook: http('http.webhook'),
    kv: {
      async get(key) {
        need(grant.kv, 'kv');
        return kv.get(key) ?? null;
      },
      async set(key, value) {
        need(grant.kv, 'kv');
        calls.push({ method: 'kv.set', args: { key, value } });
        kv.set(key, value);
      },
    },
    log() {},
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Load a plugin directory and run the events through the sandbox. */
export async function runHarness(
  dir: string,
  events?: unknown,
  limits: SandboxLimits = { ...DEFAULT_LIMITS, poolSize: 0, maxIsolates: 4 },
): Promise<{ manifest: Manifest; cases: HarnessCase[] }> {
  const plugin = await loadPluginDir(dir, false);
  const m = plugin.manifest;
  let list: HarnessEvent[];
  if (events === undefined) list = generatedEvents(m);
  else {
    const r = v.safeParse(EventsSchema, events);
    if (!r.success) throw new Error(`events: ${v.getDotPath(r.issues[0]) ?? ''} ${r.issues[0].message}`);
    list = r.output;
  }
  const sandbox = new Sandbox(limits);
  const cases: HarnessCase[] = [];
  try {
    for (const event of list) {
      const calls: { method: string; args: unknown }[] = [];
      const cfg = v.safeParse(configSchema(m), event.config ?? {});
      if (!cfg.success) throw new Error(`config of ${event.kind} ${event.name}: ${cfg.issues[0].message}`);
      const group = event.kind === 'command' ? 'commands' : event.kind === 'action' ? 'actions' : 'triggers';
      const input = event.input ?? {};
      const result = await sandbox.execute({
        key: `plugin:${m.id}`,
        code: { kind: 'module', id: plugin.moduleId, source: plugin.source },
        handler: `${group}.${event.name}`,
        input,
        grant: grantNames(grantOf(m)),
        meta: { spaceId: FAKE.spaceId, pluginId: m.id, config: cfg.output as Record<string, unknown> },
        host: bridge(fakeCapabilities(m, calls), {
          channelId: typeof input['channelId'] === 'string' ? input['channelId'] : FAKE.channelId,
          userId: typeof input['userId'] === 'string' ? input['userId'] : FAKE.userId,
        }),
      });
      const want = event.expect ?? {};
      let why: string | undefined;
      if (result.ok !== (want.ok ?? true))
        why = result.ok ? 'expected a failure' : `${result.error.code}: ${result.error.message}`;
      else if (result.ok && 'output' in want && !deepEqual(result.output, want.output))
        why = `output ${JSON.stringify(result.output)} !== ${JSON.stringify(want.output)}`;
      else if (!result.ok && want.error && result.error.code !== want.error)
        why = `error ${result.error.code} !== ${want.error}`;
      cases.push({ event, result, calls, passed: !why, ...(why ? { why } : {}) });
    }
  } finally {
    sandbox.close();
  }
  return { manifest: m, cases };
}
