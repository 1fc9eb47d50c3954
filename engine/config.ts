/**
 * Configuration: every knob reef has, read from the environment once at start and validated with
 * valibot. A bad value stops start with a message naming the variable (see `ConfigError`).
 * Time-based rules of the spec are configuration with the spec's values as defaults, so tests can
 * shorten them (a 60 s ring timeout can be 3 s in a test).
 */
import * as v from 'valibot';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.trim(),
    v.regex(/^-?\d+$/, 'must be an integer'),
    v.transform(Number),
    v.minValue(min, `must be >= ${min}`),
    v.maxValue(max, `must be <= ${max}`),
  );
const optUrl = (schemes: string[]) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (s) => {
          try {
            return schemes.includes(new URL(s).protocol.replace(':', ''));
          } catch {
            return false;
          }
        },
        `must be a URL with scheme ${schemes.join(' or ')}`,
      ),
    ),
  );
const bool = (def: boolean) =>
  v.pipe(
    v.optional(v.picklist(['1', '0', 'true', 'false', 'yes', 'no', '']), def ? 'true' : 'false'),
    v.transform((s) => s === '1' || s === 'true' || s === 'yes'),
  );

export const ConfigSchema = v.object({
  HOST: v.optional(v.string(), '0.0.0.0'),
  PORT: int(3000, 0, 65535),
  /** Snowflake node id, 0..1023; must differ between nodes of one cluster. */
  NODE_ID: int(0, 0, 1023),
  DATA_DIR: v.optional(v.string(), './data'),
  PUBLIC_URL: v.optional(v.string(), 'http://localhost:3000'),
  DATABASE_URL: optUrl(['postgres', 'postgresql']),
  /** PGlite location when DATABASE_URL is unset: a directory, or `memory://` for an in-memory database. */
  PGLITE_PATH: v.optional(v.string()),
  /** A PGlite data-dir tarball (from `dumpDataDir`) to start a new embedded database from. */
  PGLITE_SEED: v.optional(v.string()),
  DB_POOL_SIZE: int(10, 1, 200),
  NATS_URL: v.optional(v.string()),
  REDIS_URL: optUrl(['redis', 'rediss']),
  /** Prefix for every Redis key, NATS subject and BullMQ queue, so clusters can share services. */
  NAMESPACE: v.optional(
    v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,32}$/i, 'must be 1-32 of [a-z0-9_-]')),
    'reef',
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  ACCESS_TOKEN_TTL_S: int(900, 5),
  REFRESH_TOKEN_TTL_S: int(30 * 24 * 3600, 60),
  MFA_TOKEN_TTL_S: int(300, 5),
  EMAIL_TOKEN_TTL_S: int(24 * 3600, 60),
  RESET_TOKEN_TTL_S: int(3600, 60),
  /** scrypt cost parameter N (a power of two); tests may lower it. */
  PASSWORD_SCRYPT_N: int(16384, 1024, 1 << 20),
  BODY_LIMIT_BYTES: int(1024 * 1024, 1024),
  UPLOAD_LIMIT_BYTES: int(110 * 1024 * 1024, 1024),
  UPLOADS_DIR: v.optional(v.string()),
  /** Max avatar upload (POST /users/me/avatar); larger is 413. */
  AVATAR_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  CORS_ORIGINS: v.optional(v.string(), '*'),
  LOG_LEVEL: v.optional(v.picklist(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0),
  SMTP_URL: optUrl(['smtp', 'smtps']),
  EMAIL_FROM: v.optional(v.string(), 'reef <no-reply@localhost>'),
  /** Rate limits: "N/window_seconds". */
  RATE_LIMIT_AUTH: v.optional(v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 20/60')), '20/60'),
  RATE_LIMIT_FOLLOW: v.optional(v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 30/60')), '30/60'),
  /** social-graph-api "Get Contact Info": requests per user per window. */
  RATE_LIMIT_CONTACT_INFO: v.optional(
    v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 30/60')),
    '30/60',
  ),
  /** Social (social-graph-api "Follow Limits", "Repost Limits"): accounts one user may follow (or ask to). */
  FOLLOW_MAX: int(5000, 1),
  /** Reposts per user per rolling hour and per rolling day. */
  REPOST_LIMIT_HOURLY: int(20, 1),
  REPOST_LIMIT_DAILY: int(100, 1),
  /** Library (social-graph-api "Library Limits"): saved items (likes of posts, pages, users) per user. */
  LIBRARY_MAX_ITEMS: int(10000, 1),
  /** Collections per user and posts per collection. */
  COLLECTIONS_MAX: int(100, 1),
  COLLECTION_MAX_ITEMS: int(500, 1),
  /** Timeline feed (timeline-api "count"): DEFAULT_ITEMS_PER_GET and MAX_ITEMS_PER_GET. */
  TIMELINE_FEED_DEFAULT: int(25, 1),
  TIMELINE_FEED_MAX: int(100, 1),
  TRUST_PROXY: bool(false),
  LIVEKIT_URL: v.optional(v.string()),
  LIVEKIT_WS_URL: v.optional(v.string(), 'ws://localhost:7880'),
  LIVEKIT_API_KEY: v.optional(v.string(), 'devkey'),
  LIVEKIT_API_SECRET: v.optional(v.string(), 'devsecret-devsecret-devsecret-00'),
  /** Meeting rooms (spec "Public Meeting Rooms"): public joins per IP per window, and email verifications. */
  RATE_LIMIT_MEETING_JOIN: v.optional(
    v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 20/900')),
    '20/900',
  ),
  RATE_LIMIT_MEETING_VERIFY: v.optional(
    v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 5/3600')),
    '5/3600',
  ),
  /** A meeting participant (member or guest) not seen (join or heartbeat) for this long is removed. */
  MEETING_PARTICIPANT_TTL_MS: int(120_000, 100),
  /** Minutes before the start a meeting room opens when the event leaves meetingRoomEarlyEntry null. */
  MEETING_EARLY_ENTRY_DEFAULT_MIN: int(15, -1, 24 * 60),
  /** Calls: how long a call rings before it ends with unanswered participants `missed` (spec: 60 s). */
  CALL_RING_TIMEOUT_MS: int(60_000, 100),
  /** Push (FCM): service-account JSON, inline or a file path; unset = pushes go to the outbox. */
  FCM_SERVICE_ACCOUNT: v.optional(v.string()),
  /** Push: connect to this host:port instead of the provider's (egress gateway, local fake). */
  FCM_CONNECT_TO: v.optional(v.pipe(v.string(), v.regex(/^[^\s:]+:\d+$/, 'must look like host:port'))),
  /** Push (APNs token auth): the .p8 key (PEM text or file path), its key id and the team id. */
  APNS_KEY: v.optional(v.string()),
  APNS_KEY_ID: v.optional(v.string()),
  APNS_TEAM_ID: v.optional(v.string()),
  APNS_TOPIC: v.optional(v.string(), 'ac.crab.mobile'),
  APNS_VOIP_TOPIC: v.optional(v.string(), 'ac.crab.mobile.voip'),
  APNS_PRODUCTION: bool(false),
  /** APNs host override (default: Apple's production or sandbox host). */
  APNS_ADDRESS: v.optional(v.string()),
  APNS_PORT: int(443, 1, 65535),
  /** Skip TLS verification towards push providers (local fakes only). */
  PUSH_TLS_INSECURE: bool(false),
  /** Realtime gateway (http/realtime): largest client frame / Socket.io packet; bigger closes the socket. */
  WS_MAX_PAYLOAD_BYTES: int(64 * 1024, 1024, 16 * 1024 * 1024),
  /** Bytes a socket may have queued unsent before it is cut off as a slow consumer. */
  WS_MAX_BACKPRESSURE_BYTES: int(1024 * 1024, 16 * 1024),
  /** Client frames per connection per window: "N/window_seconds". */
  WS_RATE_LIMIT: v.optional(v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 100/10')), '100/10'),
  /** Open sockets per user across every node (both protocols). */
  WS_MAX_SOCKETS_PER_USER: int(10, 1, 100_000),
  /** Presence lapses to offline when no presence:heartbeat refreshes it for this long. */
  PRESENCE_TTL_MS: int(60_000, 100),
  /** At most one member:typing / dm:typing per user and channel (or conversation) per this interval. */
  TYPING_THROTTLE_MS: int(3000, 0),
  /** Actors (engine/actors): virtual shards; ownership is per shard. Every node must use the same value. */
  ACTOR_SHARDS: int(256, 1, 4096),
  /**
   * Shard lease TTL (the bucket TTL): a dead node's actors move after about this long. A node serves a
   * shard until ttl minus a margin (ttl/4) after its last renewal; renewals run every ttl/3.
   */
  ACTOR_LEASE_TTL_MS: int(3000, 300),
  /** Membership heartbeat interval, and the TTL after which a silent node drops out (keep ≤ the lease TTL). */
  ACTOR_HEARTBEAT_MS: int(500, 20),
  ACTOR_MEMBER_TTL_MS: int(2000, 100),
  /** An activation with no event for this long is passivated (its state is already in Postgres). */
  ACTOR_IDLE_MS: int(300_000, 10),
  /** Default deadline of `actors.ask`. */
  ACTOR_ASK_TIMEOUT_MS: int(5000, 10),
  /** Bounded mailbox per actor: a full mailbox refuses asks (overloaded); sends wait in the inbox. */
  ACTOR_MAILBOX_SIZE: int(1000, 1),
  /** Events handled per commit at most (group commit under load). */
  ACTOR_BATCH_MAX: int(64, 1, 10_000),
  /** Inbox poll of the shard owner: the safety net of a lost wake-up, and catch-up after failover. */
  ACTOR_INBOX_POLL_MS: int(1000, 10),
  /** Handled inbox rows are kept this long (diagnosis), then purged. */
  ACTOR_INBOX_RETENTION_MS: int(600_000, 0),
  /** Durable timers: how often the owner loads near-due rows, and how far ahead. */
  ACTOR_TIMER_POLL_MS: int(1000, 10),
  ACTOR_TIMER_LOOKAHEAD_MS: int(30_000, 0),
  /** Durable timers fired per second at most per node (bounded catch-up after a restart). */
  ACTOR_TIMER_FIRE_RATE: int(500, 1),
  /** Outbox relay poll (redelivery of effects left behind by a crash or a failed attempt). */
  ACTOR_OUTBOX_POLL_MS: int(1000, 10),
  /** Attempts per effect before it is given up (kept in actor_outbox with its last error). */
  ACTOR_EFFECT_MAX_ATTEMPTS: int(10, 1),
  /** Workflows: runs caused by workflow actions stop at this chain depth (logged `skipped`). */
  WORKFLOW_MAX_CHAIN_DEPTH: int(3, 1, 50),
  /** Incoming webhooks per secret (spec: 60/min). */
  RATE_LIMIT_WEBHOOK: v.optional(v.pipe(v.string(), v.regex(/^\d+\/\d+$/, 'must look like 60/60')), '60/60'),
  /** Outgoing send_webhook / httpRequest: timeout per attempt and attempts through the jobs port. */
  WORKFLOW_HTTP_TIMEOUT_MS: int(10_000, 10),
  WORKFLOW_WEBHOOK_ATTEMPTS: int(3, 1, 20),
  WORKFLOW_WEBHOOK_BACKOFF_MS: int(2000, 0),
  /** Comma-separated hosts/IPs/CIDRs outgoing workflow HTTP may reach although private or loopback. */
  WORKFLOW_HTTP_ALLOW_PRIVATE: v.optional(v.string(), ''),
  /** Plugins: directory of third-party plugins (one sub-directory each, with manifest.json); empty = built-ins only. */
  PLUGINS_DIR: v.optional(v.string(), ''),
  /** Sandbox limits per isolate / execution (isolated-vm): heap MB, CPU ms, wall-clock ms. */
  PLUGINS_MEMORY_MB: int(32, 8, 4096),
  PLUGINS_CPU_MS: int(50, 1),
  PLUGINS_WALL_MS: int(5000, 10),
  /** Bootstrapped isolates kept warm, and keyed isolates (per plugin / per space) kept alive at most. */
  PLUGINS_POOL_SIZE: int(2, 0, 64),
  PLUGINS_MAX_ISOLATES: int(64, 1),
});

export type Config = v.InferOutput<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse and validate `env`; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.entries)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = v.safeParse(ConfigSchema, input);
  if (result.success) return result.output;
  const lines = result.issues.map((issue) => `  ${v.getDotPath(issue) ?? '?'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** Parse "N/seconds" into a limit and a window in ms. */
export function parseRate(spec: string): { limit: number; windowMs: number } {
  const [n, s] = spec.split('/').map(Number);
  return { limit: n ?? 1, windowMs: (s ?? 60) * 1000 };
}
