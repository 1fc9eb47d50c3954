/**
 * APNs through @parse/node-apn (token auth, HTTP/2). Spec "Push Behavior for Calls": VoIP tokens get
 * a PushKit push (`pushType: voip`, topic APNS_VOIP_TOPIC, data-only payload, expiry = ttl);
 * standard tokens get an alert, or a background push when the message has no alert.
 */
import apn from '@parse/node-apn';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { readSecret } from './secret.ts';
import type { PushMessage, PushOutcome, PushSender } from './index.ts';

/** APNs reasons that mean "this token will never work again": delete it. */
const UNREGISTERED = new Set(['Unregistered', 'BadDeviceToken', 'ExpiredToken']);
const RETRYABLE_STATUS = new Set([429, 500, 503]);

export function createApnsSender(config: Config, clock: Clock): PushSender {
  const provider = new apn.Provider({
    token: { key: readSecret(config.APNS_KEY!), keyId: config.APNS_KEY_ID!, teamId: config.APNS_TEAM_ID! },
    production: config.APNS_PRODUCTION,
    ...(config.APNS_ADDRESS ? { address: config.APNS_ADDRESS } : {}),
    port: config.APNS_PORT,
    rejectUnauthorized: !config.PUSH_TLS_INSECURE,
    requestTimeout: 10_000,
  });
  const topics = { standard: config.APNS_TOPIC, voip: config.APNS_VOIP_TOPIC };
  return {
    mode: 'apns',
    async send(m) {
      const result = await provider.send(toApns(m, topics, clock.now()), m.token);
      const failure = result.failed[0];
      if (!failure) return { status: 'sent', provider: 'apns' };
      return apnsOutcome(failure);
    },
    async close() {
      await provider.shutdown();
    },
  };
}

export function toApns(
  m: PushMessage,
  topics: { standard: string; voip: string },
  nowMs: number,
): apn.Notification {
  const n = new apn.Notification();
  if (m.ttlSeconds !== undefined) n.expiry = Math.floor(nowMs / 1000) + m.ttlSeconds;
  if (m.collapseKey) n.collapseId = m.collapseKey;
  if (m.tokenType === 'voip') {
    // PushKit: data only, delivered at once, never shown by the OS (the app reports it to CallKit).
    n.pushType = 'voip';
    n.topic = topics.voip;
    n.priority = 10;
    n.rawPayload = { ...m.data };
  } else if (m.alert) {
    n.pushType = 'alert';
    n.topic = topics.standard;
    n.priority = m.priority === 'high' ? 10 : 5;
    n.alert = { title: m.alert.title, body: m.alert.body };
    n.sound = 'default';
    n.payload = { ...m.data };
  } else {
    // Silent: a background push may only use priority 5 (Apple's rule).
    n.pushType = 'background';
    n.topic = topics.standard;
    n.priority = 5;
    n.contentAvailable = true;
    n.payload = { ...m.data };
  }
  return n;
}

function apnsOutcome(f: apn.ResponseFailure): PushOutcome {
  const reason = f.response?.reason ?? f.error?.message ?? `status ${f.status ?? '?'}`;
  if (f.status === 410 || UNREGISTERED.has(reason))
    return { status: 'unregistered', provider: 'apns', reason };
  const retryable = f.status === undefined || RETRYABLE_STATUS.has(f.status);
  return { status: 'failed', provider: 'apns', reason, retryable };
}
