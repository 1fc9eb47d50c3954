/**
 * reef plugin SDK: the types of what a plugin module sees. A plugin is one ES module (no imports:
 * bundle it) whose default export is an object of handlers, plus a manifest.json. Handlers run in an
 * isolated-vm isolate with no Node globals; they reach the space only through `ctx`, and only the
 * capabilities the manifest asked for (and the space admin accepted) work — calling any other one
 * throws and fails the execution.
 *
 *   // index.js
 *   /** @type {import('reef/plugins/sdk/types.ts').Plugin} *\/
 *   export default {
 *     commands: {
 *       async hello(event, ctx) {
 *         await ctx.messages.send({ channelId: event.channelId, content: `hi @${event.username}` });
 *         return { reply: 'sent' };
 *       },
 *     },
 *   };
 *
 * Everything crossing `ctx` is copied as JSON (no functions, no shared objects), at most 256 KB.
 */

/** A value that survives JSON. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type CardStatus = 'active' | 'completed' | 'dismissed';

export interface CardInstance {
  id: string;
  spaceId: string;
  templateId: string;
  channelId: string;
  messageId: string | null;
  status: CardStatus;
  title: string;
  body: string | null;
  fields: Record<string, string>;
  data: Record<string, Json>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: Json;
  timeoutMs?: number;
}

/** The capability API. Each namespace works only when its capability was granted. */
export interface PluginContext {
  readonly spaceId: string;
  readonly pluginId: string;
  /** The space's config for this plugin, validated against manifest.config with defaults filled in. */
  readonly config: Readonly<Record<string, Json>>;
  /** capability "messages". `channelId` defaults to the trigger's channel. */
  readonly messages: {
    send(input: { channelId?: string; content: string }): Promise<{ messageId: string }>;
    sendAdmin(input: { content: string; channelId?: string }): Promise<{ messageId: string }>;
  };
  /** capability "roles". `userId` defaults to the triggering user. */
  readonly roles: {
    add(input: { roleId: string; userId?: string }): Promise<{ ok: true }>;
    remove(input: { roleId: string; userId?: string }): Promise<{ ok: true }>;
  };
  /** capability "cards". */
  readonly cards: {
    show(input: {
      templateId: string;
      channelId?: string;
      vars?: Record<string, Json>;
    }): Promise<CardInstance>;
    update(input: {
      instanceId: string;
      fields?: Record<string, string>;
      status?: CardStatus;
    }): Promise<CardInstance>;
    dismiss(input: { instanceId: string }): Promise<CardInstance>;
  };
  /** capability "http": only the hosts listed in manifest.http.hosts; private addresses refused. */
  readonly http: {
    fetch(input: HttpRequest): Promise<HttpResponse>;
    /** Signed with the space's webhook secret (X-Reef-Timestamp, X-Reef-Signature). */
    webhook(input: HttpRequest): Promise<HttpResponse>;
  };
  /** capability "kv": the plugin's own keys in this space. Values are strings. */
  readonly kv: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string, ttlMs?: number): Promise<{ ok: true }>;
  };
  /** Always available: lines in the execution's log (void: nothing to await). */
  readonly log: {
    debug(message: string, data?: Json): void;
    info(message: string, data?: Json): void;
    warn(message: string, data?: Json): void;
    error(message: string, data?: Json): void;
  };
}

/** What a command handler receives: the slash command's variables. */
export interface CommandEvent {
  commandName: string;
  /** Validated against the manifest's args (numbers are numbers, booleans booleans, ids strings). */
  args: Record<string, Json>;
  spaceId: string;
  channelId: string;
  userId: string;
  username?: string;
}

/** What a trigger handler receives: the trigger's template variables (spec "Template Variables"). */
export interface TriggerEvent {
  triggerType: string;
  spaceId: string;
  channelId?: string;
  userId?: string;
  username?: string;
  [variable: string]: Json | undefined;
}

/** A command's result: `reply` is shown to the caller (the command endpoint's response). */
export type CommandResult = { reply?: string; [key: string]: Json | undefined } | string | void;

export type Handler<E, R = Json | void> = (event: E, ctx: PluginContext) => R | Promise<R>;

export interface Plugin {
  commands?: Record<string, Handler<CommandEvent, CommandResult>>;
  /** Workflow actions (`{ type: "plugin_action", config: { pluginId, action, input } }`): input = config.input + the run's variables. */
  actions?: Record<string, Handler<Record<string, Json>>>;
  /** Called for each trigger type the manifest lists, in every space that enabled the plugin. */
  triggers?: Record<string, Handler<TriggerEvent>>;
}

/** manifest.json */
export interface PluginManifest {
  id: string;
  version: string;
  description?: string;
  main?: string;
  capabilities?: ('messages' | 'roles' | 'cards' | 'http' | 'kv' | 'log')[];
  http?: { hosts: string[] };
  commands?: {
    name: string;
    description?: string;
    args?: {
      name: string;
      type: 'text' | 'number' | 'user' | 'channel' | 'role' | 'boolean';
      description?: string;
      required?: boolean;
    }[];
  }[];
  actions?: { type: string; description?: string }[];
  triggers?: { type: string; description?: string }[];
  config?: Record<
    string,
    {
      type: 'string' | 'number' | 'boolean';
      default?: string | number | boolean;
      description?: string;
      required?: boolean;
    }
  >;
}
