/** How a page shows a domain error next to the form that caused it. */
import { BakenError } from '../platform/errors.js';
import type { Language } from '../config.js';

/** A domain error the form can show beside the values, in the page's language; anything else goes to the error handler. */
export function formError(err: unknown, language: Language): string {
  if (err instanceof BakenError && (err.kind === 'invalid' || err.kind === 'conflict' || err.kind === 'not_found')) return err.messageIn(language);
  throw err;
}
