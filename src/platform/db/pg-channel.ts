/**
 * Messages between the processes (nodes) that share one PostgreSQL database, over LISTEN/NOTIFY: what several
 * Baken nodes behind a load balancer use to tell each other about live events.
 *
 * PostgreSQL limits a notification's payload to 8000 bytes. A message is sent whole when it fits and otherwise
 * in pieces; the pieces of every message (of one call) go out in ONE statement, so in one transaction, and
 * PostgreSQL delivers a transaction's notifications together and in order: a listener sees every piece of a
 * message or none, never pieces of two messages mixed. Payloads are ASCII (other characters are written as
 * JSON `\uXXXX` escapes), so a piece boundary never splits a character.
 *
 * A channel is per database *and schema* (NOTIFY channels are per database; two schemas in one database, as
 * the tests use, must not hear each other).
 *
 * Delivery is at most once and only while connected: a listener that lost its connection reconnects with a
 * backoff, and what was sent in between is gone. Use it for live notices, never for what must not be lost
 * (that goes through the outbox).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from './database.js';

/** Bytes of one payload; PostgreSQL's limit is 8000, and a piece needs room for its header. */
export const PIECE_BYTES = 7800;
/** Notifications per statement (each is one bound parameter and one function call). */
const PER_STATEMENT = 200;

const channels = new WeakMap<Db, Promise<string>>();

/**
 * The channel for a topic in this database's current schema, e.g. `baken_hub_public`.
 * @throws when the database is not PostgreSQL.
 */
export function channelName(db: Db, topic: string): Promise<string> {
  if (db.dialect !== 'postgres') throw new Error('LISTEN/NOTIFY needs PostgreSQL');
  let schema = channels.get(db);
  if (!schema) {
    schema = sql<{ s: string }>`select current_schema() as s`.execute(db.kysely).then((r) => r.rows[0]?.s ?? 'public');
    channels.set(db, schema);
  }
  return schema.then((s) => identifier(`baken_${topic}_${s}`));
}

function identifier(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

/** JSON (or any text) with every non-ASCII character as a `\uXXXX` escape: one byte per character. */
export function asciiJson(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The payloads of some messages: `w|<text>` when a message fits, else `p|<id>|<index>|<count>|<piece>`.
 * Messages must be ASCII (see {@link asciiJson}).
 */
export function encodePieces(messages: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (/[^\u0000-\u007e]/.test(m)) throw new Error('a channel message must be ASCII (asciiJson)');
    if (m.length + 2 <= PIECE_BYTES) {
      out.push(`w|${m}`);
      continue;
    }
    const id = randomUUID();
    const size = PIECE_BYTES - 60;
    const count = Math.ceil(m.length / size);
    for (let i = 0; i < count; i++) out.push(`p|${id}|${i}|${count}|${m.slice(i * size, (i + 1) * size)}`);
  }
  return out;
}

/**
 * Sends messages to every listener of the channel (this process's own listeners too). One statement, so one
 * transaction, for up to {@link PER_STATEMENT} payloads; the pieces of one message never span two statements.
 */
export async function notifyChannel(db: Db, channel: string, messages: readonly string[]): Promise<void> {
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const calls = batch.map((p) => sql`pg_notify(${channel}, ${p})`);
    batch = [];
    await sql`select ${sql.join(calls)}`.execute(db.kysely);
  };
  for (const m of messages) {
    const pieces = encodePieces([m]);
    if (batch.length + pieces.length > PER_STATEMENT) await flush();
    batch.push(...pieces);
  }
  await flush();
}

/** Puts pieces back together: feed it payloads in the order they arrived; it returns whole messages. */
export class PieceAssembler {
  private readonly partial = new Map<string, string[]>();

  /** @returns the whole message, or null while pieces are missing (or for a payload it does not understand). */
  add(payload: string): string | null {
    if (payload.startsWith('w|')) return payload.slice(2);
    const m = /^p\|([0-9a-f-]{36})\|(\d+)\|(\d+)\|/.exec(payload);
    if (!m) return null;
    const [head, id, index, count] = [m[0], m[1]!, Number(m[2]), Number(m[3])];
    const parts = this.partial.get(id) ?? [];
    if (index !== parts.length) {
      // A piece out of turn means the others were lost (a reconnect): drop the message rather than garble it.
      this.partial.delete(id);
      return null;
    }
    parts.push(payload.slice(head.length));
    if (parts.length < count) {
      this.partial.set(id, parts);
      return null;
    }
    this.partial.delete(id);
    return parts.join('');
  }

  /** Forgets half-received messages (after a reconnect their other pieces will not come). */
  reset(): void {
    this.partial.clear();
  }
}

export interface ChannelListenerOptions {
  log?: Logger;
  /** First wait before reconnecting, doubled up to 30 s. */
  reconnectMs?: number;
}

/**
 * A dedicated connection that LISTENs on a channel and hands every whole message to `onMessage`; it reconnects
 * by itself when the connection drops (a restarted database, a killed backend), with a backoff.
 * @example
 * const l = new ChannelListener(db, await channelName(db, 'hub'), (m) => console.log(m));
 * await l.start();
 * ...
 * await l.stop();
 */
export class ChannelListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly assembler = new PieceAssembler();
  private readonly firstDelay: number;
  private delay: number;
  /** The server process of the current connection (tests end it to see the listener come back); null while down. */
  backendPid: number | null = null;
  /** How many times a connection was (re)established. */
  connections = 0;

  constructor(
    private readonly db: Db,
    private readonly channel: string,
    private readonly onMessage: (message: string) => void,
    private readonly options: ChannelListenerOptions = {},
  ) {
    if (!db.pgClientConfig) throw new Error('LISTEN/NOTIFY needs PostgreSQL');
    this.firstDelay = options.reconnectMs ?? 500;
    this.delay = this.firstDelay;
  }

  /** Connects and listens; resolves once listening (rejects when the first connection fails: bad configuration). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const c = this.client;
    this.client = null;
    this.backendPid = null;
    if (c) await c.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.db.pgClientConfig);
    client.on('notification', (n) => {
      if (n.channel !== this.channel || n.payload === undefined) return;
      const message = this.assembler.add(n.payload);
      if (message === null) return;
      try {
        this.onMessage(message);
      } catch (err) {
        this.options.log?.warn({ err, channel: this.channel }, 'channel listener: a message could not be handled');
      }
    });
    // An error ends the connection; 'end' follows, and reconnecting happens there, once.
    client.on('error', (err) => this.options.log?.warn({ err, channel: this.channel }, 'channel listener: connection error'));
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = null;
      this.backendPid = null;
      this.assembler.reset();
      if (this.stopped) return;
      this.options.log?.warn({ channel: this.channel, retryMs: this.delay }, 'channel listener: connection lost; live events from other nodes are missed until it is back');
      this.schedule();
    });
    try {
      await client.connect();
      await client.query(`listen "${this.channel}"`);
      const pid = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.backendPid = pid.rows[0]?.pid ?? null;
      this.connections++;
      this.delay = this.firstDelay;
      if (this.connections > 1) this.options.log?.info({ channel: this.channel }, 'channel listener: listening again');
    } catch (err) {
      await client.end().catch(() => undefined);
      if (this.connections === 0) throw err;
      this.options.log?.warn({ err, channel: this.channel, retryMs: this.delay }, 'channel listener: reconnecting failed');
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped || this.retry) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, 30_000);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) void this.connect();
    }, wait);
    this.retry.unref();
  }
}
