/**
 * The narrow interface to the mail system, and its SMTP implementation
 * (nodemailer). Tests run a real SMTP server (smtp-server) behind the same one.
 */
import nodemailer from 'nodemailer';
import type { EmailMessage } from './outbox.js';

export interface OutgoingEmail extends EmailMessage {
  from: string;
  /** The stable Message-ID, the same on every attempt. */
  messageId: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** The server refused the message for good (5xx): retrying will not help. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/**
 * @example
 * const mailer = createSmtpMailer('smtp://user:pass@mail.example:587');
 */
export function createSmtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(email) {
      try {
        await transport.sendMail({
          from: email.from,
          to: email.to,
          ...(email.cc ? { cc: email.cc } : {}),
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          messageId: email.messageId,
          headers: email.headers ?? {},
          attachments: (email.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) throw new PermanentDeliveryError(`${code}: ${(err as Error).message}`);
        throw err;
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The SMTP mailer of BAKEN_SMTP_URL, or null when none is set (email then stays queued). */
export function mailerFromConfig(config: { smtpUrl: string | null }): Mailer | null {
  return config.smtpUrl ? createSmtpMailer(config.smtpUrl) : null;
}
