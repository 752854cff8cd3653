/**
 * Baken's one configuration. Every setting is listed once in {@link SETTINGS} with
 * its environment variable, its default and what it means; README's table is
 * written from the same list. Sources, later wins: defaults, the optional JSON
 * config file (`BAKEN_CONFIG` or `./baken.config.json`), environment variables.
 *
 * Validation happens once, at start. A bad value stops start-up with a
 * {@link ConfigError} that names the setting, where it came from and what is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type Language = 'en' | 'nl';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  publicUrl: string;
  smtpUrl: string | null;
  mailFrom: string;
  secret: string | null;
  adminEmail: string;
  adminPassword: string | null;
  coordinatorName: string;
  language: Language;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  cookieSecure: boolean | null;
  sessionTtlHours: number;
  loginMaxFailures: number;
  loginWindowMinutes: number;
  bodyLimitBytes: number;
  mailRatePerMinute: number;
  deliveryMaxAttempts: number;
  worker: boolean;
  deliveryLeaseSeconds: number;
  webhookConcurrency: number;
  webhookRatePerMinute: number;
  webhookTimeoutMs: number;
  webhookAllowPrivate: boolean;
  sightingEmailIntervalMinutes: number;
  sightingRebroadcastIntervalMs: number;
  digestHour: number;
  portalDays: number;
  retentionDays: number;
  rdapUrl: string | null;
  rdapRatePerMinute: number;
  rdapCacheHours: number;
  rdapTimeoutMs: number;
  casePrefix: string;
  scopeCountries: string[];
  reportsPerHour: number;
  warninglistsDir: string | null;
  feedRpzTtl: number;
  taxiiMaxContentLength: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly source: string,
    readonly problem: string,
  ) {
    super(`configuration: ${setting} (${source}) ${problem}`);
    this.name = 'ConfigError';
  }
}

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  /** The default, or a function of the settings already resolved. */
  default: Config[K] | ((c: Partial<Config>) => Config[K]);
  /** What README shows as the default when it is computed. */
  defaultText?: string;
  doc: string;
  parse: (raw: unknown) => Config[K];
}

class Invalid extends Error {}

const str = (raw: unknown): string => {
  if (typeof raw !== 'string') throw new Invalid(`must be a string, got ${JSON.stringify(raw)}`);
  return raw;
};
const nonEmpty = (raw: unknown): string => {
  const s = str(raw).trim();
  if (s === '') throw new Invalid('must not be empty');
  return s;
};
const optional = (raw: unknown): string | null => {
  if (raw === null) return null;
  const s = str(raw).trim();
  return s === '' ? null : s;
};
const int = (min: number, max: number) => (raw: unknown): number => {
  const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(str(raw).trim()) ? Number(str(raw).trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Invalid(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
};
const bool = (raw: unknown): boolean => {
  if (typeof raw === 'boolean') return raw;
  const s = str(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new Invalid(`must be true or false, got ${JSON.stringify(raw)}`);
};
const optionalBool = (raw: unknown): boolean | null => (raw === null || raw === '' ? null : bool(raw));
const oneOf = <T extends string>(...values: T[]) => (raw: unknown): T => {
  const s = str(raw).trim().toLowerCase();
  if (!(values as string[]).includes(s)) throw new Invalid(`must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return s as T;
};
const httpUrl = (raw: unknown): string => {
  const s = nonEmpty(raw);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Invalid(`must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Invalid(`must be an http or https URL, got ${JSON.stringify(raw)}`);
  return s.replace(/\/+$/, '');
};
const optionalHttpUrl = (raw: unknown): string | null => (raw === null || optional(raw) === null ? null : httpUrl(raw));
const email = (raw: unknown): string => {
  const s = nonEmpty(raw);
  // Accepts "Name <a@b>" as well as a bare address: both are valid From headers.
  const bare = /<([^>]+)>\s*$/.exec(s)?.[1] ?? s;
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(bare)) throw new Invalid(`must be an email address, got ${JSON.stringify(raw)}`);
  return s;
};

/** Accepts `sqlite:PATH`, `sqlite::memory:`, `postgres://...` and `postgresql://...`. */
export function parseDatabaseUrl(raw: unknown): string {
  const s = nonEmpty(raw);
  if (/^postgres(ql)?:\/\//.test(s)) {
    try {
      new URL(s);
    } catch {
      throw new Invalid(`is not a valid postgres URL: ${JSON.stringify(raw)}`);
    }
    return s;
  }
  if (s.startsWith('sqlite:') && s.length > 'sqlite:'.length) return s;
  throw new Invalid(`must be sqlite:PATH or postgres://USER@HOST:PORT/DB, got ${JSON.stringify(raw)}`);
}

const secret = (raw: unknown): string | null => {
  const s = optional(raw);
  if (s !== null && s.length < 32) throw new Invalid('must be at least 32 characters long (use e.g. `openssl rand -hex 32`)');
  return s;
};

const password = (raw: unknown): string | null => {
  const s = optional(raw);
  if (s !== null && s.length < 12) throw new Invalid('must be at least 12 characters long');
  return s;
};

const casePrefix = (raw: unknown): string => {
  const s = nonEmpty(raw).toUpperCase();
  if (!/^[A-Z][A-Z0-9]{1,9}$/.test(s)) throw new Invalid(`must be 2 to 10 letters or digits starting with a letter, got ${JSON.stringify(raw)}`);
  return s;
};
const countryList = (raw: unknown): string[] => {
  const items = (Array.isArray(raw) ? raw.map(String) : str(raw).split(/[\s,;]+/)).map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
  if (items.length === 0) throw new Invalid('must name at least one country code, or * for all');
  for (const c of items) if (c !== '*' && !/^[A-Z]{2}$/.test(c)) throw new Invalid(`must be two-letter country codes separated by commas, or *, got ${JSON.stringify(raw)}`);
  return [...new Set(items)];
};

/** Every setting, in the order README documents them. */
export const SETTINGS: ReadonlyArray<Setting<keyof Config>> = [
  { key: 'host', env: 'BAKEN_HOST', default: '127.0.0.1', doc: 'Address the HTTP server listens on.', parse: nonEmpty },
  { key: 'port', env: 'BAKEN_PORT', default: 8080, doc: 'TCP port of the HTTP server (0 picks a free one).', parse: int(0, 65535) },
  { key: 'dataDir', env: 'BAKEN_DATA_DIR', default: './data', doc: 'Directory for the SQLite database, the generated secret and network data snapshots.', parse: nonEmpty },
  {
    key: 'databaseUrl',
    env: 'BAKEN_DATABASE_URL',
    default: (c) => `sqlite:${resolve(c.dataDir ?? './data', 'baken.sqlite')}`,
    defaultText: 'sqlite:<BAKEN_DATA_DIR>/baken.sqlite',
    doc: 'Database: `sqlite:PATH` (embedded, the default) or `postgres://USER:PASS@HOST:PORT/DB`.',
    parse: parseDatabaseUrl,
  },
  {
    key: 'publicUrl',
    env: 'BAKEN_PUBLIC_URL',
    default: (c) => `http://${c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : c.host}:${c.port}`,
    defaultText: 'http://<BAKEN_HOST>:<BAKEN_PORT>',
    doc: 'The address people and operators use to reach Baken; used in links in emails and in the login message.',
    parse: httpUrl,
  },
  { key: 'smtpUrl', env: 'BAKEN_SMTP_URL', default: null, defaultText: '(none: email stays queued)', doc: 'SMTP server for outgoing email, e.g. `smtp://user:pass@mail.example:587` or `smtps://...`.', parse: optional },
  { key: 'mailFrom', env: 'BAKEN_MAIL_FROM', default: 'Baken <baken@localhost>', doc: 'From address of outgoing email.', parse: email },
  {
    key: 'secret',
    env: 'BAKEN_SECRET',
    default: null,
    defaultText: '(generated once into <BAKEN_DATA_DIR>/secret)',
    doc: 'Server secret (at least 32 characters) for CSRF tokens and signatures. Set it when several nodes share one database.',
    parse: secret,
  },
  { key: 'adminEmail', env: 'BAKEN_ADMIN_EMAIL', default: 'admin@baken.local', doc: 'Login of the admin account created on first start.', parse: email },
  {
    key: 'adminPassword',
    env: 'BAKEN_ADMIN_PASSWORD',
    default: null,
    defaultText: '(generated and printed once)',
    doc: 'Password of the admin account created on first start (at least 12 characters).',
    parse: password,
  },
  { key: 'coordinatorName', env: 'BAKEN_COORDINATOR_NAME', default: 'Coordinator', doc: 'Name of the coordinating organisation created on first start.', parse: nonEmpty },
  { key: 'language', env: 'BAKEN_LANGUAGE', default: 'en', doc: 'Default language of the web interface: `en` or `nl`.', parse: oneOf('en', 'nl') },
  { key: 'logLevel', env: 'BAKEN_LOG_LEVEL', default: 'info', doc: 'Log level: fatal, error, warn, info, debug, trace or silent.', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
  { key: 'trustProxy', env: 'BAKEN_TRUST_PROXY', default: false, doc: 'Trust X-Forwarded-* headers (set when behind a reverse proxy).', parse: bool },
  {
    key: 'cookieSecure',
    env: 'BAKEN_COOKIE_SECURE',
    default: null,
    defaultText: '(true when BAKEN_PUBLIC_URL is https)',
    doc: 'Mark session cookies Secure.',
    parse: optionalBool,
  },
  { key: 'sessionTtlHours', env: 'BAKEN_SESSION_TTL_HOURS', default: 12, doc: 'How long a login session lasts without activity, in hours.', parse: int(1, 24 * 30) },
  { key: 'loginMaxFailures', env: 'BAKEN_LOGIN_MAX_FAILURES', default: 10, doc: 'Failed logins allowed per address or account within the window before login is refused.', parse: int(1, 10000) },
  { key: 'loginWindowMinutes', env: 'BAKEN_LOGIN_WINDOW_MINUTES', default: 15, doc: 'The window for BAKEN_LOGIN_MAX_FAILURES, in minutes.', parse: int(1, 24 * 60) },
  { key: 'bodyLimitBytes', env: 'BAKEN_BODY_LIMIT_BYTES', default: 10 * 1024 * 1024, doc: 'Largest request body accepted, in bytes.', parse: int(1024, 2 ** 31 - 1) },
  { key: 'mailRatePerMinute', env: 'BAKEN_MAIL_RATE_PER_MINUTE', default: 120, doc: 'Most emails a minute the worker hands to the SMTP server.', parse: int(1, 100000) },
  { key: 'deliveryMaxAttempts', env: 'BAKEN_DELIVERY_MAX_ATTEMPTS', default: 8, doc: 'Attempts per message (email or webhook) before it shows as failed; retries back off exponentially from 30 s to 6 h.', parse: int(1, 50) },
  { key: 'deliveryLeaseSeconds', env: 'BAKEN_DELIVERY_LEASE_SECONDS', default: 120, doc: 'How long a worker holds a message it is sending; after that (a worker that died) another worker takes it over.', parse: int(1, 3600) },
  { key: 'webhookConcurrency', env: 'BAKEN_WEBHOOK_CONCURRENCY', default: 32, doc: 'Webhook calls a worker has in flight at once (each destination gets at most one at a time).', parse: int(1, 1000) },
  { key: 'webhookRatePerMinute', env: 'BAKEN_WEBHOOK_RATE_PER_MINUTE', default: 600, doc: 'Most webhook calls a minute to one destination URL.', parse: int(1, 600000) },
  { key: 'sightingEmailIntervalMinutes', env: 'BAKEN_SIGHTING_EMAIL_INTERVAL_MINUTES', default: 60, doc: 'At most one re-broadcast email per alert per member in this many minutes (the first at once, then one summary); the webhook and the live stream carry every sighting.', parse: int(1, 7 * 24 * 60) },
  { key: 'sightingRebroadcastIntervalMs', env: 'BAKEN_SIGHTING_REBROADCAST_INTERVAL_MS', default: 1000, doc: 'How often the audience of an alert is told of its sightings by webhook and email, in milliseconds: each member gets one `sightings.reported` call per alert and interval carrying every sighting of it (the live stream is told at once).', parse: int(100, 60_000) },
  { key: 'digestHour', env: 'BAKEN_DIGEST_HOUR', default: 7, doc: 'The hour of the day (UTC, 0-23) from which the daily digest goes to members whose email preference is digest: one email per member per day with the alerts, updates, retractions and sightings held back since the last one.', parse: int(0, 23) },
  { key: 'webhookTimeoutMs', env: 'BAKEN_WEBHOOK_TIMEOUT_MS', default: 10000, doc: 'How long a webhook receiver has to answer, in milliseconds; no answer in time is retried.', parse: int(100, 120000) },
  {
    key: 'webhookAllowPrivate',
    env: 'BAKEN_WEBHOOK_ALLOW_PRIVATE',
    default: false,
    doc: 'Allow webhook URLs on loopback, private and other non-public addresses (receivers inside your own network, tests); off, such calls fail at once.',
    parse: bool,
  },
  { key: 'portalDays', env: 'BAKEN_PORTAL_DAYS', default: 90, doc: 'How long the operator portal link in a hotline notification works, in days.', parse: int(1, 3650) },
  { key: 'retentionDays', env: 'BAKEN_RETENTION_DAYS', default: 90, doc: 'Days after a hotline case closes before its host addresses are purged (the case keeps its counts).', parse: int(0, 3650) },
  { key: 'worker', env: 'BAKEN_WORKER', default: true, doc: 'Run the delivery worker inside `baken serve`; set false when separate `baken worker` processes deliver.', parse: bool },
  {
    key: 'rdapUrl',
    env: 'BAKEN_RDAP_URL',
    default: null,
    defaultText: '(none: RDAP fallback off)',
    doc: 'Base URL of an RDAP service asked for addresses with no known abuse contact, e.g. `https://rdap.db.ripe.net` (see docs/registry-rdap.md). Each address asked about is sent to that registry.',
    parse: optionalHttpUrl,
  },
  { key: 'rdapRatePerMinute', env: 'BAKEN_RDAP_RATE_PER_MINUTE', default: 60, doc: 'Most RDAP requests per minute this process sends; more wait or are deferred.', parse: int(1, 6000) },
  { key: 'rdapCacheHours', env: 'BAKEN_RDAP_CACHE_HOURS', default: 168, doc: 'How long an RDAP answer is kept, in hours (answers that found nothing: at most 24 hours).', parse: int(1, 24 * 365) },
  { key: 'rdapTimeoutMs', env: 'BAKEN_RDAP_TIMEOUT_MS', default: 10000, doc: 'How long one RDAP request may take, redirects included, in milliseconds.', parse: int(100, 120000) },
  { key: 'casePrefix', env: 'BAKEN_CASE_PREFIX', default: 'BKN', doc: 'Prefix of hotline case ids (`BKN-2026-00001`): 2 to 10 capital letters or digits, starting with a letter.', parse: casePrefix },
  {
    key: 'scopeCountries',
    env: 'BAKEN_SCOPE_COUNTRIES',
    default: ['NL'],
    defaultText: '`NL`',
    doc: 'Countries (ISO codes, comma-separated; `*` for all) whose hosts a hotline case notifies; hosts of operators in the directory are in scope wherever they are.',
    parse: countryList,
  },
  { key: 'reportsPerHour', env: 'BAKEN_REPORTS_PER_HOUR', default: 20, doc: 'Reports one address may submit through the public form and the reports API per hour.', parse: int(1, 100000) },
  {
    key: 'warninglistsDir',
    env: 'BAKEN_WARNINGLISTS_DIR',
    default: null,
    defaultText: '(none: no warninglists)',
    doc: 'Directory of MISP warninglists (a checkout of misp-warninglists: `lists/*/list.json`), read once per process; uploaded hosts on a list are kept but flagged as known false positives (see docs/hotline.md); hub indicators on a list are flagged on import, on their page and in the alert preview, and publishing them needs a confirmation (see docs/interop-misp.md).',
    parse: optional,
  },
  { key: 'feedRpzTtl', env: 'BAKEN_FEED_RPZ_TTL', default: 300, doc: 'TTL in seconds of the records (and the negative TTL) of the RPZ zone at /feeds/rpz/baken.rpz (see docs/integrations/rpz.md).', parse: int(30, 86400) },
  {
    key: 'taxiiMaxContentLength',
    env: 'BAKEN_TAXII_MAX_CONTENT_LENGTH',
    default: 10 * 1024 * 1024,
    doc: 'Largest envelope a TAXII client may POST, in bytes; advertised as `max_content_length` in the TAXII API root, larger requests get 413 (see docs/interop-taxii.md).',
    parse: int(1024, 2 ** 31 - 1),
  },
];

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Values that win over everything (used by the CLI's flags and by tests). */
  overrides?: Partial<Config>;
  cwd?: string;
}

/**
 * Reads and validates the configuration.
 *
 * @example
 * const config = loadConfig({ env: { BAKEN_PORT: '9000' } });
 * config.port; // 9000
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = readConfigFile(env, cwd);
  const out: Partial<Record<keyof Config, unknown>> = {};
  for (const s of SETTINGS) {
    out[s.key] = resolveSetting(s, options.overrides, env, file, out as Partial<Config>);
    // Later defaults (the database path) build on the data directory, so it is made absolute at once.
    if (s.key === 'dataDir') out.dataDir = resolve(cwd, out.dataDir as string);
  }
  return out as unknown as Config;
}

type ConfigFile = { path: string; values: Record<string, unknown> };

function resolveSetting(
  s: Setting<keyof Config>,
  overrides: Partial<Config> | undefined,
  env: NodeJS.ProcessEnv,
  file: ConfigFile | null,
  resolved: Partial<Config>,
): unknown {
  if (overrides && s.key in overrides) return overrides[s.key];
  let source: string;
  let raw: unknown;
  if (env[s.env] !== undefined && env[s.env] !== '') {
    source = `environment variable ${s.env}`;
    raw = env[s.env];
  } else if (file && s.key in file.values) {
    source = `"${s.key}" in ${file.path}`;
    raw = file.values[s.key];
  } else {
    return typeof s.default === 'function' ? s.default(resolved) : s.default;
  }
  try {
    return s.parse(raw);
  } catch (err) {
    if (err instanceof Invalid) throw new ConfigError(s.env, source, err.message);
    throw err;
  }
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): ConfigFile | null {
  const explicit = env.BAKEN_CONFIG;
  const path = resolve(cwd, explicit ?? 'baken.config.json');
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError('BAKEN_CONFIG', 'environment variable BAKEN_CONFIG', `names a file that does not exist: ${path}`);
    return null;
  }
  let values: unknown;
  try {
    values = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('BAKEN_CONFIG', path, `is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError('BAKEN_CONFIG', path, 'must hold one JSON object');
  }
  const known = new Set<string>(SETTINGS.map((s) => s.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new ConfigError(key, path, `is not a known setting (known: ${[...known].join(', ')})`);
  }
  return { path, values: values as Record<string, unknown> };
}

/** Secure cookies follow the public URL unless set explicitly. */
export function cookiesAreSecure(config: Config): boolean {
  return config.cookieSecure ?? config.publicUrl.startsWith('https:');
}
