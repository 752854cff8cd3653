/** What every page needs to know about the request: language, who is there, the CSRF token. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { permissionsOf, type Permission } from '../accounts/policies.js';
import type { SessionInfo } from '../accounts/sessions.js';
import type { Language } from '../config.js';
import type { Context } from '../platform/context.js';
import { translator, type Translate } from './i18n.js';

export const LANGUAGE_COOKIE = 'baken_lang';

export interface PageContext {
  lang: Language;
  t: Translate;
  session: SessionInfo | null;
  permissions: Permission[];
  csrf: string;
  /** The path of this page, for the navigation and the language switch. */
  path: string;
}

export function languageOf(ctx: Context, request: FastifyRequest): Language {
  const chosen = request.cookies[LANGUAGE_COOKIE];
  if (chosen === 'en' || chosen === 'nl') return chosen;
  if (request.session?.user.language) return request.session.user.language;
  const accept = request.headers['accept-language'] ?? '';
  if (/^\s*nl\b/i.test(accept)) return 'nl';
  return ctx.config.language;
}

/** `preferred` is the language of the page's subject (an operator's), used unless the visitor chose one. */
export function pageContext(ctx: Context, request: FastifyRequest, reply: FastifyReply, preferred?: Language): PageContext {
  const chosen = request.cookies[LANGUAGE_COOKIE];
  const lang = preferred && chosen !== 'en' && chosen !== 'nl' ? preferred : languageOf(ctx, request);
  return {
    lang,
    t: translator(lang),
    session: request.session,
    permissions: permissionsOf(request.caller.actor),
    csrf: request.csrfToken(reply),
    path: request.url.split('?')[0] ?? '/',
  };
}
