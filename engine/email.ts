/**
 * The email port. SMTP (nodemailer) when SMTP_URL is set; otherwise an outbox: each email is appended
 * as a JSON line to DATA_DIR/outbox/emails.jsonl and logged, so a developer can click the links.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from './log.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with it (an invite's .ics); text content. */
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
  /** Machine-readable context (kind of email, token) for the outbox; not sent over SMTP. */
  meta?: Record<string, string>;
}

export interface Mailer {
  readonly mode: 'smtp' | 'outbox';
  send(email: Email): Promise<void>;
}

export function createOutboxMailer(dir: string, log: Logger): Mailer {
  const file = path.join(dir, 'emails.jsonl');
  let ready = false;
  return {
    mode: 'outbox',
    async send(email) {
      if (!ready) {
        await fs.promises.mkdir(dir, { recursive: true });
        ready = true;
      }
      await fs.promises.appendFile(file, JSON.stringify({ ...email, at: new Date().toISOString() }) + '\n');
      log.info({ to: email.to, subject: email.subject }, 'email written to outbox');
    },
  };
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    mode: 'smtp',
    async send(email) {
      await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        ...(email.attachments ? { attachments: email.attachments } : {}),
      });
    },
  };
}

/** Reads the outbox back (tests, and `npm start` users looking for a link). */
export function readOutbox(dir: string): Array<Email & { at: string }> {
  const file = path.join(dir, 'emails.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Email & { at: string });
}
