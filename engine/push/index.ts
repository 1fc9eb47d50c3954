/**
 * The push port (ARCHITECTURE "Two modes, one interface"): one `PushSender` that delivers a message
 * to one device token. Embedded default: a log/outbox adapter (no credentials needed). With FCM or
 * APNs credentials configured, Android tokens go to FCM (firebase-admin) and iOS tokens to APNs
 * (@parse/node-apn, incl. PushKit VoIP); a platform whose provider is not configured falls back to
 * the outbox. Senders never throw for a provider's refusal: they report an outcome, so the caller
 * can delete a token the provider calls unregistered.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createApnsSender } from './apns.ts';
import { createFcmSender } from './fcm.ts';
import { createOutboxSender } from './outbox.ts';

/** Web tokens are FCM tokens, sent like Android's. */
export type PushPlatform = 'ios' | 'android' | 'web';
export type PushTokenType = 'standard' | 'voip';

export interface PushMessage {
  token: string;
  platform: PushPlatform;
  tokenType: PushTokenType;
  /** A visible notification; absent means data-only (silent / VoIP). */
  alert?: { title: string; body: string };
  /** Key/values for the app (FCM data values must be strings). */
  data: Record<string, string>;
  /** 'high' wakes the device now (calls); 'normal' may be delayed by the OS. */
  priority: 'high' | 'normal';
  /** Seconds after which the provider drops an undelivered message (e.g. 60 for a ringing call). */
  ttlSeconds?: number;
  /** Messages with the same key replace each other on the device. */
  collapseKey?: string;
}

export type PushOutcome =
  | { status: 'sent'; provider: string }
  | { status: 'unregistered'; provider: string; reason: string }
  | { status: 'failed'; provider: string; reason: string; retryable: boolean };

export interface PushSender {
  /** Which providers are live, e.g. 'outbox' or 'fcm+apns'. */
  readonly mode: string;
  send(message: PushMessage): Promise<PushOutcome>;
  close(): Promise<void>;
}

export interface PushDeps {
  config: Config;
  log: Logger;
  clock: Clock;
  /** Directory of the outbox file (DATA_DIR/outbox). */
  outboxDir: string;
}

/** Build the push sender the configuration asks for. */
export function createPushSender(deps: PushDeps): PushSender {
  const { config } = deps;
  const outbox = createOutboxSender(deps.outboxDir, deps.log);
  const fcm = config.FCM_SERVICE_ACCOUNT ? createFcmSender(config, deps.log) : null;
  const apns =
    config.APNS_KEY && config.APNS_KEY_ID && config.APNS_TEAM_ID
      ? createApnsSender(config, deps.clock)
      : null;
  if (!fcm && !apns) return outbox;
  return routeByPlatform({ android: fcm ?? outbox, web: fcm ?? outbox, ios: apns ?? outbox }, [
    fcm,
    apns,
    outbox,
  ]);
}

/** Send each message to the sender of its platform. */
export function routeByPlatform(
  byPlatform: Record<PushPlatform, PushSender>,
  all: Array<PushSender | null> = Object.values(byPlatform),
): PushSender {
  const unique = [...new Set(all.filter((s): s is PushSender => s !== null))];
  return {
    mode: unique
      .map((s) => s.mode)
      .filter((m) => m !== 'outbox')
      .join('+'),
    send: (m) => byPlatform[m.platform].send(m),
    async close() {
      await Promise.allSettled(unique.map((s) => s.close()));
    },
  };
}
