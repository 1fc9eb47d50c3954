/**
 * The capability API: the ONE path for what a workflow may do. Built-in actions (workflows/actions.ts)
 * call it; the plugins feature bridges a granted subset of it into isolated-vm isolates (arguments are
 * copied in and out, so every argument and result here is plain JSON). A capability that was not granted
 * throws `CapabilityError('NOT_GRANTED')`.
 *
 *   const caps = workflows.capabilities({ spaceId, pluginId: 'acme.greeter', grant: { messages: true } });
 *   await caps.sendMessage({ channelId, content: 'hi' });
 *
 * Every call is scoped to one space; KV keys are scoped per plugin + space (`pluginId` null = the
 * space's own workflows), so two plugins never see each other's keys.
 */

/** The names a plugin manifest may ask for (`capabilities: ["messages", "kv", ...]`). */
export const CAPABILITY_NAMES = ['messages', 'roles', 'cards', 'http', 'kv', 'log'] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** What one caller was granted. `http.hosts`: exact host names (or `*.example.com`) it may call. */
export interface CapabilityGrant {
  messages?: boolean;
  roles?: boolean;
  cards?: boolean;
  http?: { hosts: string[] } | false;
  kv?: boolean;
  /** Logging is always allowed; kept for symmetry with manifests. */
  log?: boolean;
}

/** Everything granted: built-in actions and admins' own workflows. */
export const FULL_GRANT: CapabilityGrant = {
  messages: true,
  roles: true,
  cards: true,
  http: { hosts: ['*'] },
  kv: true,
  log: true,
};

/** Who is calling: the space, the plugin (null for the space's own workflows), the run (for logs). */
export interface CapabilityScope {
  spaceId: string;
  pluginId: string | null;
  grant: CapabilityGrant;
  /** The workflow run this call belongs to, when there is one. */
  workflowId?: string | null;
  /** Ids of the workflows whose actions led to this run (the loop guard; see workflows/engine.ts). */
  chain?: string[];
  /** The user who triggered the run (show_card's `createdBy`, default target of roles). */
  userId?: string | null;
  /** The channel of the trigger (default channel of messages and cards). */
  channelId?: string | null;
}

export type CardStatus = 'active' | 'completed' | 'dismissed';

/** A card instance as the API and the `workflow:card_*` socket events carry it. */
export interface CardInstance {
  id: string;
  spaceId: string;
  templateId: string;
  channelId: string;
  messageId: string | null;
  workflowId: string | null;
  status: CardStatus;
  title: string;
  body: string | null;
  color: string | null;
  /** Field values submitted so far (`fields.*` in templates). */
  fields: Record<string, string>;
  /** Variables rendered into the card when it was shown (`card.*` in templates). */
  data: Record<string, unknown>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SendMessageInput {
  channelId: string;
  content: string;
}
export interface SendAdminMessageInput {
  content: string;
  /** Defaults to the space's admin channel. */
  channelId?: string;
}
export interface RoleInput {
  userId: string;
  roleId: string;
}
export interface ShowCardInput {
  templateId: string;
  channelId: string;
  /** Template variables the card's title and body are rendered with (stored as `card.*`). */
  vars?: Record<string, unknown>;
}
export interface UpdateCardInput {
  instanceId: string;
  fields?: Record<string, string>;
  status?: CardStatus;
}
export interface HttpRequestInput {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  timeoutMs?: number;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The response body as text (at most 1 MB is read). */
  body: string;
}
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Capabilities {
  readonly spaceId: string;
  /** A message in a channel of this space, as the workflow (a system message). */
  sendMessage(input: SendMessageInput): Promise<{ messageId: string }>;
  /** A message in the admin channel (or `channelId`). */
  sendAdminMessage(input: SendAdminMessageInput): Promise<{ messageId: string }>;
  addRole(input: RoleInput): Promise<void>;
  removeRole(input: RoleInput): Promise<void>;
  showCard(input: ShowCardInput): Promise<CardInstance>;
  updateCard(input: UpdateCardInput): Promise<CardInstance>;
  dismissCard(input: { instanceId: string }): Promise<CardInstance>;
  /** An HTTP request to a granted host (private and loopback addresses refused unless configured). */
  httpRequest(input: HttpRequestInput): Promise<HttpResponse>;
  /**
   * A signed webhook (HMAC-SHA256 of `<timestamp>.<body>` with the space's secret, headers
   * `X-Reef-Timestamp` and `X-Reef-Signature: sha256=<hex>`); retried through the jobs port on failure.
   * Resolves with the first attempt's response, or rejects with its error (retries continue).
   */
  sendWebhook(input: HttpRequestInput): Promise<HttpResponse>;
  /** KV scoped per plugin + space. Values are strings (JSON-encode structured data). */
  kv: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string, ttlMs?: number): Promise<void>;
  };
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

export class CapabilityError extends Error {
  override name = 'CapabilityError';
  constructor(
    readonly code: 'NOT_GRANTED' | 'HOST_NOT_ALLOWED' | 'PRIVATE_ADDRESS' | 'INVALID' | 'FAILED',
    message: string,
  ) {
    super(message);
  }
}
