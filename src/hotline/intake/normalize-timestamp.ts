// Date and time with optional seconds, fraction and zone. Shadowserver writes `2026-11-20 10:11:12` (UTC, no zone),
// IntelMQ `2026-11-20T10:11:12+00:00`, researchers anything in between.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^(\d{1,13})(?:\.(\d{1,9}))?$/;

const HINT = 'expected ISO 8601 (2026-11-20T10:11:12Z), "2026-11-20 10:11:12" (read as UTC) or epoch seconds';

// Uploads repeat timestamps line after line (a scan writes many hosts per second): remembering the last one skips
// the regular expression and the Date for most lines of a Shadowserver report.
let lastInput = '';
let lastOutput = '';

/**
 * Normalises a timestamp to ISO 8601 UTC (`2026-11-20T10:11:12Z`, milliseconds only when not zero), or returns null
 * when the text is not one. Without a zone the time is UTC (Shadowserver's convention). Plain digits are epoch
 * seconds, with 12 or 13 digits epoch milliseconds (a year past 5000 in seconds is a millisecond stamp in practice).
 *
 * @example
 * normalizeTimestamp('2026-11-20 10:11:12')        // '2026-11-20T10:11:12Z'
 * normalizeTimestamp('2026-11-20T11:11:12+01:00')  // '2026-11-20T10:11:12Z'
 * normalizeTimestamp('1795169472')                 // '2026-11-20T10:11:12Z'
 * normalizeTimestamp('yesterday')                  // null
 */
export function normalizeTimestamp(text: string): string | null {
  if (text === lastInput) return lastOutput;
  const out = fastUtc(text) ?? parse(text);
  if (out !== null) {
    lastInput = text;
    lastOutput = out;
  }
  return out;
}

/**
 * Says why {@link normalizeTimestamp} refused `text`, as a sentence for the researcher.
 *
 * @example
 * timestampProblem('2026-02-30') // '"2026-02-30" is not a valid timestamp: 2026-02-30 is not a date'
 */
export function timestampProblem(text: string): string {
  const q = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const m = DATE_TIME.exec(text);
  if (m !== null) {
    const [, y, mo, d, h, mi, s] = m;
    if (Number(mo) < 1 || Number(mo) > 12) return `${q} is not a valid timestamp: there is no month ${mo}`;
    if (!validDate(Number(y), Number(mo), Number(d))) return `${q} is not a valid timestamp: ${y}-${mo}-${d} is not a date`;
    if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) {
      return `${q} is not a valid timestamp: ${h}:${mi}${s === undefined ? '' : `:${s}`} is not a time of day`;
    }
    return `${q} is not a valid timestamp: the zone offset is out of range`;
  }
  return `${q} is not a valid timestamp: ${HINT}`;
}

// Dates already checked, so a million timestamps of a few days check each day once.
const validDays = new Map<string, boolean>();

function digits2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common case without a regular expression or a Date: `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, in UTC
 * (no zone, `Z`, `+00:00`, `+0000` or ` UTC`). The output is the input's own digits. Null when the text is not of
 * this form (the general parser then decides).
 */
function fastUtc(t: string): string | null {
  const n = t.length;
  if (n < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return null;
  const sep = t.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return null;
  if (n !== 19) {
    const zone = t.slice(19);
    if (zone !== 'Z' && zone !== '+00:00' && zone !== '+0000' && zone !== ' UTC' && zone !== 'UTC') return null;
  }
  const h = digits2(t, 11);
  const mi = digits2(t, 14);
  const sec = digits2(t, 17);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  const day = t.slice(0, 10);
  let ok = validDays.get(day);
  if (ok === undefined) {
    const y = Number(day.slice(0, 4));
    const mo = digits2(day, 5);
    const d = digits2(day, 8);
    ok = /^\d{4}$/.test(day.slice(0, 4)) && mo >= 1 && mo <= 12 && d >= 1 && validDate(y, mo, d) && y >= 1000;
    if (validDays.size > 10_000) validDays.clear();
    validDays.set(day, ok);
  }
  if (!ok) return null;
  return `${day}T${t.slice(11, 19)}Z`;
}

function parse(text: string): string | null {
  const e = EPOCH.exec(text);
  if (e !== null) {
    const whole = e[1]!;
    let ms = whole.length >= 12 ? Number(whole) : Number(whole) * 1000;
    if (e[2] !== undefined && whole.length < 12) ms += Math.floor(Number(`0.${e[2]}`) * 1000);
    return iso(ms);
  }
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = hs === undefined ? 0 : Number(hs);
  const mi = mis === undefined ? 0 : Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  if (mo < 1 || mo > 12 || !validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  let ms = Date.UTC(y, mo - 1, d, h, mi, s) + (frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000));
  if (zone !== undefined && zone !== 'Z' && zone !== 'z' && zone !== 'UTC' && zone !== 'GMT') {
    const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zh > 23 || zm > 59) return null;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return iso(ms);
}

function validDate(y: number, mo: number, d: number): boolean {
  if (d < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function iso(ms: number): string | null {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const s = date.toISOString();
  // toISOString always writes milliseconds; most uploads have whole seconds, and `...:12Z` is what people expect.
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}
