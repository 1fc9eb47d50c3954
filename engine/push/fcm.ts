/**
 * FCM through firebase-admin (HTTP v1 `send()`, which honours our HTTPS agent; `sendEach()` uses
 * HTTP/2 and would not). The OAuth token comes from a small service-account credential that signs
 * the JWT grant itself and posts it to the account's `token_uri` through the same agent, so every
 * byte to Google can be routed by FCM_CONNECT_TO.
 */
import fs from 'node:fs';
import https from 'node:https';
import { deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Message } from 'firebase-admin/messaging';
import { SignJWT, importPKCS8 } from 'jose';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createProviderAgent } from './agent.ts';
import type { PushMessage, PushOutcome, PushSender } from './index.ts';

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** FCM_SERVICE_ACCOUNT: the service-account JSON itself, or a path to the file. */
export function readServiceAccount(value: string): ServiceAccount {
  const text = value.trim().startsWith('{') ? value : fs.readFileSync(value, 'utf8');
  const sa = JSON.parse(text) as Partial<ServiceAccount>;
  if (!sa.project_id || !sa.client_email || !sa.private_key)
    throw new Error('FCM_SERVICE_ACCOUNT needs project_id, client_email and private_key');
  return sa as ServiceAccount;
}

const UNREGISTERED = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);
const RETRYABLE = new Set(['messaging/internal-error', 'messaging/server-unavailable', 'app/network-error']);
let appSeq = 0;

export function createFcmSender(config: Config, log: Logger): PushSender {
  const account = readServiceAccount(config.FCM_SERVICE_ACCOUNT!);
  const agent = createProviderAgent({ connectTo: config.FCM_CONNECT_TO, insecure: config.PUSH_TLS_INSECURE });
  const app: App = initializeApp(
    { credential: serviceAccountCredential(account, agent), httpAgent: agent, projectId: account.project_id },
    `reef-fcm-${++appSeq}`,
  );
  const messaging = getMessaging(app);
  return {
    mode: 'fcm',
    async send(m) {
      try {
        await messaging.send(toFcm(m));
        return { status: 'sent', provider: 'fcm' };
      } catch (err) {
        return fcmOutcome(err, log);
      }
    },
    async close() {
      await deleteApp(app).catch(() => undefined);
      agent.destroy();
    },
  };
}

/** Android: data-only unless the message has an alert; `priority: high` for calls. */
export function toFcm(m: PushMessage): Message {
  return {
    token: m.token,
    data: m.data,
    ...(m.alert ? { notification: { title: m.alert.title, body: m.alert.body } } : {}),
    android: {
      priority: m.priority,
      ...(m.ttlSeconds !== undefined ? { ttl: m.ttlSeconds * 1000 } : {}),
      ...(m.collapseKey ? { collapseKey: m.collapseKey } : {}),
    },
  };
}

function fcmOutcome(err: unknown, log: Logger): PushOutcome {
  const code = (err as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  if (UNREGISTERED.has(reason)) return { status: 'unregistered', provider: 'fcm', reason };
  log.warn({ reason }, 'fcm send failed');
  return { status: 'failed', provider: 'fcm', reason, retryable: RETRYABLE.has(reason) };
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** OAuth 2.0 JWT-bearer grant (RFC 7523) for a service account, cached until a minute before expiry. */
function serviceAccountCredential(sa: ServiceAccount, agent: https.Agent): Credential {
  const tokenUri = sa.token_uri ?? 'https://oauth2.googleapis.com/token';
  let cached: { token: string; expiresAt: number } | null = null;
  return {
    async getAccessToken() {
      const now = Date.now();
      if (cached && cached.expiresAt - 60_000 > now)
        return { access_token: cached.token, expires_in: Math.floor((cached.expiresAt - now) / 1000) };
      const key = await importPKCS8(sa.private_key, 'RS256');
      const assertion = await new SignJWT({ scope: SCOPE })
        .setProtectedHeader({
          alg: 'RS256',
          typ: 'JWT',
          ...(sa.private_key_id ? { kid: sa.private_key_id } : {}),
        })
        .setIssuer(sa.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(Math.floor(now / 1000) + 3600)
        .sign(key);
      const body = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      });
      const res = await postForm(tokenUri, body.toString(), agent);
      const parsed = JSON.parse(res) as { access_token?: string; expires_in?: number };
      if (!parsed.access_token) throw new Error('token endpoint returned no access_token');
      const expiresIn = parsed.expires_in ?? 3600;
      cached = { token: parsed.access_token, expiresAt: now + expiresIn * 1000 };
      return { access_token: parsed.access_token, expires_in: expiresIn };
    },
  };
}

function postForm(url: string, body: string, agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(text)
            : reject(new Error(`token endpoint answered ${res.statusCode}: ${text.slice(0, 200)}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('token endpoint timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
