/**
 * A real HTTP webhook receiver in the test process (node:http on 127.0.0.1 and a free port). It keeps every
 * call with its raw body and headers, verifies the signature as a member's receiver would, and can be told
 * to answer the next calls with a status, or slowly, for retry and pool tests.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { verifyWebhookSignature, type WebhookVerification } from '../../src/platform/delivery/webhooks.js';
import { freePort } from './ports.js';

export interface ReceivedCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The verification at arrival, against the receiver's secret and clock. */
  verification: WebhookVerification;
  /** Date.now() at arrival and when the answer was sent. */
  arrivedAt: number;
  answeredAt: number;
  status: number;
}

export interface TestWebhookReceiver {
  /** The receiver's base URL; any path is accepted. */
  url: string;
  calls: ReceivedCall[];
  /** The secret to verify with, per path ('*' for all). */
  secrets: Map<string, string>;
  /** Answer the next n calls with this status. */
  answerNext(n: number, status: number): void;
  /** Wait this long before answering each call (0: at once; Infinity: never answer). */
  delayMs: number;
  /** The receiver's clock for verification. */
  now: () => Date;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret?: string; now?: () => Date } = {}): Promise<TestWebhookReceiver> {
  const port = await freePort();
  const scripted: number[] = [];
  const receiver: TestWebhookReceiver = {
    url: `http://127.0.0.1:${port}`,
    calls: [],
    secrets: new Map(options.secret ? [['*', options.secret]] : []),
    answerNext(n, status) {
      for (let i = 0; i < n; i++) scripted.push(status);
    },
    delayMs: 0,
    now: options.now ?? (() => new Date()),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const arrivedAt = Date.now();
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const secret = receiver.secrets.get(path) ?? receiver.secrets.get('*') ?? '';
      const verification = verifyWebhookSignature(secret, req.headers, body, receiver.now());
      const status = scripted.shift() ?? (verification.ok ? 204 : 400);
      const call: ReceivedCall = { path, headers: req.headers, body, verification, arrivedAt, answeredAt: 0, status };
      receiver.calls.push(call);
      const answer = () => {
        call.answeredAt = Date.now();
        res.writeHead(status, { 'content-type': 'text/plain' }).end(verification.ok ? '' : verification.reason);
      };
      if (receiver.delayMs === Infinity) return;
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return receiver;
}
