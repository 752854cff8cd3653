/**
 * Cleans abuse contact addresses as registries and people write them: several on
 * one line, display names (`Abuse <abuse@example.net>`), `mailto:`, trailing
 * commas, upper case, duplicates. Returns the clean addresses in first-seen order
 * and what was not an address, so callers can count or report it.
 *
 * @example
 * cleanAbuseEmails('Abuse Desk <ABUSE@Example.net>, abuse@example.net; noc@example.net,')
 * // { emails: ['abuse@example.net', 'noc@example.net'], invalid: [] }
 */
export function cleanAbuseEmails(input: string | readonly string[]): { emails: string[]; invalid: string[] } {
  const emails: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  const parts = (typeof input === 'string' ? [input] : input).flatMap((s) => splitAddresses(s));
  for (const part of parts) {
    const email = normalise(part);
    if (email === null) {
      invalid.push(part);
      continue;
    }
    if (!seen.has(email)) {
      seen.add(email);
      emails.push(email);
    }
  }
  return { emails, invalid };
}

/** Splits on commas, semicolons and white space outside angle brackets and quotes. */
function splitAddresses(s: string): string[] {
  const out: string[] = [];
  let current = '';
  let angle = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<') angle++;
    else if (ch === '>') angle = Math.max(0, angle - 1);
    if (!quoted && angle === 0 && (ch === ',' || ch === ';')) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  // A part without angle brackets may still hold several bare addresses separated by spaces.
  return out.flatMap((p) => (p.includes('<') ? [p] : p.split(/\s+/))).map((p) => p.trim()).filter((p) => p !== '');
}

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

function normalise(part: string): string | null {
  const inAngles = /<([^<>]*)>/.exec(part)?.[1] ?? part;
  const bare = inAngles.trim().replace(/^mailto:/i, '').replace(/[.,;]+$/, '').toLowerCase();
  return bare.length <= 254 && EMAIL.test(bare) ? bare : null;
}
