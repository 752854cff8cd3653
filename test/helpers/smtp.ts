/**
 * A real SMTP server in the test process (smtp-server), on 127.0.0.1 and a free
 * port, that keeps every message it accepts, parsed with mailparser. It can be
 * told to refuse messages, for retry tests.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';

export interface ReceivedMail {
  envelopeTo: string[];
  messageId: string | undefined;
  subject: string | undefined;
  text: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Respond to the next n messages with this SMTP error code (e.g. 451 temporary, 550 permanent). */
  refuseNext(n: number, code: number): void;
  /**
   * Called for each message before the server answers. Returning false drops it unanswered, as a real server
   * drops a message whose client went away before the end of the transaction (to kill a worker mid-round).
   */
  onMessage: ((mail: ReceivedMail) => boolean | void) | null;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const port = await freePort();
  let refuse = 0;
  let refuseCode = 451;
  const state: TestSmtpServer = {
    url: `smtp://127.0.0.1:${port}`,
    received: [],
    refuseNext(n, code) {
      refuse = n;
      refuseCode = code;
    },
    onMessage: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse--;
          const err = Object.assign(new Error(refuseCode >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: refuseCode });
          return callback(err);
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            const mail: ReceivedMail = {
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              messageId: parsed.messageId,
              subject: parsed.subject,
              text: parsed.text,
              parsed,
            };
            if (state.onMessage?.(mail) === false) return;
            state.received.push(mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return state;
}
