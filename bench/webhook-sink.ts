/**
 * A child process for bench:hub: webhook receivers on 127.0.0.1 that verify every call's signature, as a member's
 * receiver would, and tell the parent when the calls it waits for have all arrived. In a child so that receiving
 * does not share the sender's event loop. Messages in: { secrets: { [path]: secret } }, { expect: { event, count } };
 * out: { listening: url }, { arrived: { event, count, at } }, { bad: reason }, and for every `sightings.reported`
 * call { carried: { path, ids, at } } with the ids of the sightings it carried.
 */
import { createServer } from 'node:http';
import { verifyWebhookSignature } from '../src/platform/delivery/webhooks.js';

// Run on its own (npm run bench runs every file here), it has no parent to serve: nothing to do.
if (!process.send) process.exit(0);

const secrets = new Map<string, string>();
const counts = new Map<string, number>();
let expect: { event: string; count: number } | null = null;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const secret = secrets.get(req.url ?? '');
    const v = secret ? verifyWebhookSignature(secret, req.headers, body) : { ok: false as const, reason: 'unknown path' };
    if (!v.ok) {
      process.send?.({ bad: `${req.url}: ${v.reason}` });
      res.writeHead(400).end();
      return;
    }
    res.writeHead(204).end();
    const event = String(req.headers['x-baken-event']);
    const n = (counts.get(event) ?? 0) + 1;
    counts.set(event, n);
    if (event === 'sightings.reported') {
      const ids = (JSON.parse(body.toString('utf8')) as { sightings: Array<{ id: number }> }).sightings.map((s) => s.id);
      process.send?.({ carried: { path: req.url, ids, at: Date.now() } });
    }
    if (expect && expect.event === event && n === expect.count) process.send?.({ arrived: { event, count: n, at: Date.now() } });
  });
});
server.keepAliveTimeout = 30_000;

process.on('message', (m: { secrets?: Record<string, string>; expect?: { event: string; count: number }; stop?: true }) => {
  if (m.secrets) for (const [path, secret] of Object.entries(m.secrets)) secrets.set(path, secret);
  if (m.expect) {
    expect = m.expect;
    counts.set(m.expect.event, 0);
  }
  if (m.stop) server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') process.send?.({ listening: `http://127.0.0.1:${a.port}` });
});
