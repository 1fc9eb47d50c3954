/**
 * Out-of-app delivery of a notification (the `mobile` and `email` channels), through the jobs port
 * so a request never waits on a provider and a provider outage is retried with backoff:
 * - `notification.push`: one job per notification; it expands into one `notification.push.token`
 *   job per standard device token of the user (iOS → APNs, Android → FCM through the push port), so
 *   a retry resends only to the device that failed. A token the provider calls unregistered is
 *   deleted; a retryable failure throws and the job is retried.
 * - `notification.email`: the email port (itself queued and retried).
 * VoIP tokens are never used: PushKit is for incoming calls only.
 */
import type { Db } from '../../engine/db/index.ts';
import type { Jobs } from '../../engine/jobs/index.ts';
import type { Logger } from '../../engine/log.ts';
import type { EmailService } from '../../engine/index.ts';
import type { PushMessage, PushPlatform, PushSender } from '../../engine/push/index.ts';
import { emailOf } from './notifications.repository.ts';
import { deviceTokensOf, removeDeviceToken } from './devices.ts';

export interface DeliveryJob {
  userId: string;
  notificationId: string | null;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

interface TokenJob extends DeliveryJob {
  token: string;
  platform: PushPlatform;
}

export const PUSH_QUEUE = 'notification.push';
const TOKEN_QUEUE = 'notification.push.token';
const EMAIL_QUEUE = 'notification.email';

export interface DeliveryPorts {
  db: Db;
  jobs: Jobs;
  email: EmailService;
  sender: PushSender;
  log: Logger;
  publicUrl: string;
}

export class NotificationDelivery {
  constructor(private readonly p: DeliveryPorts) {}

  /** Register the job handlers (once, at the composition root). */
  register(): void {
    this.p.jobs.process<DeliveryJob>(PUSH_QUEUE, (job) => this.expand(job), { concurrency: 4 });
    this.p.jobs.process<TokenJob>(TOKEN_QUEUE, (job) => this.sendToToken(job), { concurrency: 4 });
    this.p.jobs.process<DeliveryJob>(EMAIL_QUEUE, (job) => this.sendEmail(job), { concurrency: 2 });
  }

  push(job: DeliveryJob): Promise<void> {
    return this.p.jobs.enqueue(PUSH_QUEUE, job, { attempts: 3, backoffMs: 1000 });
  }

  email(job: DeliveryJob): Promise<void> {
    return this.p.jobs.enqueue(EMAIL_QUEUE, job, { attempts: 3, backoffMs: 1000 });
  }

  private async expand(job: DeliveryJob): Promise<void> {
    const tokens = await deviceTokensOf(this.p.db, job.userId);
    for (const t of tokens)
      await this.p.jobs.enqueue<TokenJob>(
        TOKEN_QUEUE,
        { ...job, token: t.token, platform: t.platform },
        { attempts: 5, backoffMs: 2000 },
      );
  }

  private async sendToToken(job: TokenJob): Promise<void> {
    const message: PushMessage = {
      token: job.token,
      platform: job.platform,
      tokenType: 'standard',
      alert: { title: job.title, body: job.body },
      data: {
        ...job.data,
        type: job.type,
        ...(job.notificationId ? { notificationId: job.notificationId } : {}),
      },
      priority: 'normal',
    };
    const out = await this.p.sender.send(message);
    if (out.status === 'unregistered') {
      await removeDeviceToken(this.p.db, job.token, job.userId);
      this.p.log.info({ platform: job.platform, reason: out.reason }, 'push token unregistered; deleted');
    } else if (out.status === 'failed') {
      if (out.retryable) throw new Error(`push failed: ${out.reason}`);
      this.p.log.warn({ platform: job.platform, reason: out.reason }, 'push refused; not retried');
    }
  }

  private async sendEmail(job: DeliveryJob): Promise<void> {
    const to = await emailOf(this.p.db, job.userId);
    if (!to) return;
    await this.p.email.send({
      to,
      subject: job.title,
      text: `${job.body}\n\n${this.p.publicUrl}/notifications\n`,
      meta: {
        kind: 'notification',
        type: job.type,
        ...(job.notificationId ? { notificationId: job.notificationId } : {}),
      },
    });
  }
}
