/**
 * Push dispatch: what reef pushes, to which of a user's devices, with which provider settings.
 * Intents go through the jobs port (queue `push`), so a request never waits on a provider and a
 * provider outage is retried. Spec "Push Behavior for Calls":
 * - incoming call: iOS VoIP tokens get a PushKit push (data only, 60 s expiry); iOS users without a
 *   VoIP token get an alert on their standard tokens; Android gets high-priority data-only FCM;
 * - call answered elsewhere / ended: a silent push (`type`) to standard tokens, to stop the ringing;
 * - new DM: an alert on standard tokens.
 * A token the provider calls unregistered is deleted.
 */
import type { Db } from '../../engine/db/index.ts';
import type { Jobs } from '../../engine/jobs/index.ts';
import type { Logger } from '../../engine/log.ts';
import type { PushMessage, PushSender } from '../../engine/push/index.ts';
import { deleteDevice, devicesOf, type DeviceRow } from './devices.repository.ts';

export type PushIntent =
  | {
      kind: 'call.incoming';
      userIds: string[];
      callId: string;
      conversationId: string;
      callerName: string;
      callerAvatarUrl: string | null;
      ttlSeconds: number;
    }
  | {
      kind: 'call.cancel';
      userIds: string[];
      callId: string;
      conversationId: string | null;
      reason: 'call_answered_elsewhere' | 'call_ended';
    }
  | {
      kind: 'dm';
      userIds: string[];
      conversationId: string;
      messageId: string;
      title: string;
      body: string;
    };

export const PUSH_QUEUE = 'push';
const RETRY_QUEUE = 'push.retry';

export class PushService {
  constructor(
    private readonly db: Db,
    private readonly sender: PushSender,
    private readonly jobs: Jobs,
    private readonly log: Logger,
  ) {}

  /** Register the job handlers (once, at the composition root). */
  register(): void {
    this.jobs.process<PushIntent>(PUSH_QUEUE, (intent) => this.deliver(intent), { concurrency: 4 });
    this.jobs.process<PushMessage>(RETRY_QUEUE, (m) => this.sendOne(m, true), { concurrency: 2 });
  }

  /** Queue an intent; `jobId` de-duplicates a retried effect while its job is pending. */
  enqueue(intent: PushIntent, jobId?: string): Promise<void> {
    if (intent.userIds.length === 0) return Promise.resolve();
    return this.jobs.enqueue(PUSH_QUEUE, intent, {
      attempts: 3,
      backoffMs: 1000,
      ...(jobId ? { jobId } : {}),
    });
  }

  /** Which of these users have a device at all (so callers skip queueing pushes nobody gets). */
  async usersWithDevices(userIds: string[]): Promise<Set<string>> {
    return new Set((await devicesOf(this.db, userIds)).map((d) => d.user_id));
  }

  async deliver(intent: PushIntent): Promise<void> {
    const devices = await devicesOf(this.db, intent.userIds);
    const messages = messagesFor(intent, devices);
    await Promise.all(messages.map((m) => this.sendOne(m, false)));
  }

  private async sendOne(m: PushMessage, isRetry: boolean): Promise<void> {
    const out = await this.sender.send(m);
    if (out.status === 'unregistered') {
      await deleteDevice(this.db, m.token);
      this.log.info({ platform: m.platform, reason: out.reason }, 'push token unregistered; deleted');
    } else if (out.status === 'failed' && out.retryable) {
      if (isRetry) throw new Error(`push failed: ${out.reason}`);
      await this.jobs.enqueue(RETRY_QUEUE, m, { attempts: 4, backoffMs: 2000 });
    }
  }
}

/** The provider messages of one intent, one per device token. */
export function messagesFor(intent: PushIntent, devices: DeviceRow[]): PushMessage[] {
  const out: PushMessage[] = [];
  const base = (d: DeviceRow) => ({ token: d.token, platform: d.platform, tokenType: d.token_type });
  switch (intent.kind) {
    case 'call.incoming': {
      const data = {
        type: 'incoming_call',
        callId: intent.callId,
        conversationId: intent.conversationId,
        callerName: intent.callerName,
        callerAvatarUrl: intent.callerAvatarUrl ?? '',
      };
      const hasVoip = new Set(
        devices.filter((d) => d.platform === 'ios' && d.token_type === 'voip').map((d) => d.user_id),
      );
      for (const d of devices) {
        const ttl = {
          priority: 'high' as const,
          ttlSeconds: intent.ttlSeconds,
          collapseKey: `call-${intent.callId}`,
        };
        if (d.platform !== 'ios') out.push({ ...base(d), tokenType: 'standard', data, ...ttl });
        else if (d.token_type === 'voip') out.push({ ...base(d), data, ...ttl });
        else if (!hasVoip.has(d.user_id))
          out.push({ ...base(d), alert: { title: intent.callerName, body: 'Incoming call' }, data, ...ttl });
      }
      return out;
    }
    case 'call.cancel': {
      const data = {
        type: intent.reason,
        callId: intent.callId,
        ...(intent.conversationId ? { conversationId: intent.conversationId } : {}),
      };
      // Standard tokens only: a PushKit push must report a new call to CallKit, so it cannot cancel one.
      for (const d of devices)
        if (d.token_type === 'standard' || d.platform !== 'ios')
          out.push({
            ...base(d),
            tokenType: 'standard',
            data,
            priority: 'high',
            collapseKey: `call-${intent.callId}`,
          });
      return out;
    }
    case 'dm': {
      const data = { type: 'dm', conversationId: intent.conversationId, messageId: intent.messageId };
      for (const d of devices)
        if (d.token_type === 'standard' || d.platform !== 'ios')
          out.push({
            ...base(d),
            tokenType: 'standard',
            alert: { title: intent.title, body: intent.body },
            data,
            priority: 'high',
            collapseKey: `dm-${intent.conversationId}`,
          });
      return out;
    }
  }
}
