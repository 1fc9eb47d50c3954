/**
 * Built-in actions (spec "Action types"), each through the capability API: there is one path for what
 * a workflow may do. `run_script` and `plugin_action` go to the plugins sandbox (ScriptPort).
 */
import type { AttachmentRef } from '../actors/space/space.events.ts';
import type { Capabilities } from './capabilities.ts';
import { CapabilityError } from './capabilities.ts';
import type { Action } from './schema.ts';
import { render, renderDeep } from './templates.ts';
import type { TriggerEvent } from './trigger.ts';

/** The plugins feature's entry points as workflows call them (bound in http/wiring/workflows.ts). */
export interface ScriptPort {
  runScript(input: {
    spaceId: string;
    workflowId: string;
    code: string;
    event: Record<string, unknown>;
    capabilities: Capabilities;
  }): Promise<unknown>;
  runPluginAction(input: {
    spaceId: string;
    pluginId: string;
    action: string;
    input: Record<string, unknown>;
    event: Record<string, unknown>;
  }): Promise<unknown>;
}

/** Plugin-provided commands and triggers (bound in http/wiring/workflows.ts to services.plugins). */
export interface PluginPort {
  /** A command of a plugin enabled in the space, when no custom command has that name. */
  findCommand(
    spaceId: string,
    name: string,
  ): Promise<{ pluginId: string; args: { name: string; type: string; required: boolean }[] } | null>;
  runCommand(input: {
    spaceId: string;
    pluginId: string;
    name: string;
    input: Record<string, unknown>;
    userId: string;
    channelId: string;
  }): Promise<{ ok: true; output: unknown } | { ok: false; error: string }>;
  /** Trigger types some plugin enabled in the space listens to. */
  triggerTypes(spaceId: string): Promise<Set<string>>;
  /** Runs those plugins' trigger handlers (faults are logged by the plugins feature). */
  dispatchTrigger(spaceId: string, type: string, vars: Record<string, unknown>): Promise<void>;
}

/** Copying attachments into a gallery / library channel (a message by the uploader there). */
export interface CopyPort {
  copy(input: {
    spaceId: string;
    userId: string;
    channelId: string;
    kind: 'media_gallery' | 'route_library';
    attachments: AttachmentRef[];
    chain: string[];
  }): Promise<void>;
}

export interface ActionEnv {
  caps: Capabilities;
  ev: TriggerEvent;
  vars: Record<string, unknown>;
  workflowId: string;
  chain: string[];
  scripts: ScriptPort | null;
  copier: CopyPort;
  /** The card this run works on: the interacted one, or the one a show_card of this run created. */
  state: { cardId: string | null };
}

const IMAGE = /^image\//;
const GPX = /\.gpx$/i;

function cardOf(env: ActionEnv): string {
  const id = env.state.cardId;
  if (!id)
    throw new CapabilityError(
      'INVALID',
      'No card in this run (needs card_interaction or an earlier show_card)',
    );
  return id;
}

export async function runAction(a: Action, env: ActionEnv): Promise<void> {
  const { caps, ev, vars } = env;
  const r = (s: string) => render(s, vars);
  switch (a.type) {
    case 'send_message': {
      const channelId = a.config.channelId ?? ev.channelId ?? '';
      await caps.sendMessage({ channelId, content: r(a.config.content) });
      return;
    }
    case 'send_admin_message':
      await caps.sendAdminMessage({
        content: r(a.config.content),
        ...(a.config.channelId ? { channelId: a.config.channelId } : {}),
      });
      return;
    case 'add_role':
    case 'remove_role': {
      const userId = a.config.userId ? r(a.config.userId).replace(/^@/, '') : ev.userId;
      if (!userId) throw new CapabilityError('INVALID', 'No user to change roles of');
      const input = { userId, roleId: a.config.roleId };
      if (a.type === 'add_role') await caps.addRole(input);
      else await caps.removeRole(input);
      return;
    }
    case 'show_card': {
      const channelId = a.config.channelId ?? ev.channelId;
      if (!channelId) throw new CapabilityError('INVALID', 'No channel to show the card in');
      const card = await caps.showCard({ templateId: a.config.templateId, channelId, vars });
      env.state.cardId = card.id;
      return;
    }
    case 'update_card': {
      const fields = a.config.fields
        ? (renderDeep(a.config.fields, vars) as Record<string, string>)
        : undefined;
      await caps.updateCard({
        instanceId: cardOf(env),
        ...(fields ? { fields } : {}),
        ...(a.config.status ? { status: a.config.status } : {}),
      });
      return;
    }
    case 'dismiss_card':
      await caps.dismissCard({ instanceId: cardOf(env) });
      return;
    case 'send_webhook': {
      const headers = a.config.headers
        ? (renderDeep(a.config.headers, vars) as Record<string, string>)
        : undefined;
      await caps.sendWebhook({
        url: r(a.config.url),
        method: a.config.method ?? 'POST',
        ...(headers ? { headers } : {}),
        body: a.config.body === undefined ? vars : renderDeep(a.config.body, vars),
      });
      return;
    }
    case 'copy_images_to_gallery':
    case 'copy_routes_to_library': {
      const test =
        a.type === 'copy_images_to_gallery'
          ? (x: AttachmentRef) => IMAGE.test(x.mimeType)
          : (x: AttachmentRef) => GPX.test(x.filename);
      const attachments = (ev.attachments ?? []).filter(test);
      if (!attachments.length || !ev.userId) return;
      await env.copier.copy({
        spaceId: ev.spaceId,
        userId: ev.userId,
        channelId: a.config.channelId,
        kind: a.type === 'copy_images_to_gallery' ? 'media_gallery' : 'route_library',
        attachments,
        chain: env.chain,
      });
      return;
    }
    case 'run_script':
      if (!env.scripts) throw new CapabilityError('FAILED', 'Scripts are not available on this server');
      await env.scripts.runScript({
        spaceId: ev.spaceId,
        workflowId: env.workflowId,
        code: a.config.code,
        event: vars,
        capabilities: caps,
      });
      return;
    case 'plugin_action':
      if (!env.scripts) throw new CapabilityError('FAILED', 'Plugins are not available on this server');
      await env.scripts.runPluginAction({
        spaceId: ev.spaceId,
        pluginId: a.config.pluginId,
        action: a.config.action,
        input: renderDeep(a.config.input ?? {}, vars) as Record<string, unknown>,
        event: vars,
      });
      return;
  }
}
