/**
 * A built app on a fresh test database, with the bootstrap admin, and helpers
 * to act as a signed-in person (cookie + CSRF token) or as an API key.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { bootstrap } from '../../src/accounts/bootstrap.js';
import type { DialectName } from '../../src/platform/db/database.js';
import { createTestDatabase, describeEachDialect, type TestDatabase, type TestDatabaseOptions } from './databases.js';

export const ADMIN_PASSWORD = 'admin password for tests';

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  routes: Array<{ method: string; url: string }>;
  adminEmail: string;
}

export async function createTestApp(dialect: DialectName, options: TestDatabaseOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase(dialect, { ...options, config: { adminPassword: ADMIN_PASSWORD, ...options.config } });
  const first = await bootstrap(db.ctx);
  const routes: Array<{ method: string; url: string }> = [];
  const app = await buildApp({
    ctx: db.ctx,
    onRoute: (r) => (Array.isArray(r.method) ? r.method : [r.method]).forEach((m) => routes.push({ method: m, url: r.url })),
  });
  await app.ready();
  return {
    ...db,
    app,
    routes,
    adminEmail: first!.email,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** Cookies from Set-Cookie headers, merged into a jar. */
export function mergeCookies(jar: Record<string, string>, res: LightMyRequestResponse): Record<string, string> {
  for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
    if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now() - 1000 * 3600 * 24 * 365 * 10)) delete jar[c.name];
    else jar[c.name] = c.value;
  }
  return jar;
}

export function cookieHeader(jar: Record<string, string>): string {
  return Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}

/** A browser-like session: a cookie jar and the current CSRF token. */
export class Browser {
  jar: Record<string, string> = {};
  csrf = '';
  constructor(private app: FastifyInstance) {}

  async request(opts: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), cookie: cookieHeader(this.jar) } });
    mergeCookies(this.jar, res);
    if ((res.headers['content-type'] ?? '').toString().startsWith('text/html')) {
      const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
      if (m) this.csrf = m[1]!;
    }
    return res;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
  }

  /** Posts a form with the current CSRF token (unless `_csrf` is given). */
  postForm(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    return this.postForm('/login', { email, password });
  }
}

export async function signedIn(app: FastifyInstance, email: string, password: string): Promise<Browser> {
  const b = new Browser(app);
  const res = await b.login(email, password);
  if (res.statusCode !== 303) throw new Error(`login failed for ${email}: ${res.statusCode}`);
  await b.get('/');
  return b;
}

/** Like describeEachDatabase, with a built app on each dialect. */
export function describeEachApp(title: string, body: (t: () => TestApp) => void, options: TestDatabaseOptions = {}): void {
  describeEachDialect(title, (dialect) => createTestApp(dialect, options), body);
}
