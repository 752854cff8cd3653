/**
 * The fields of a host upload form and its mapping and preview step, shared by the case page and the report form.
 *
 * Between the preview and the save the upload travels in the form itself, as base64 in a hidden field, rather than
 * being parked on the server under a random id. Why: nothing is stored before the person confirms (host addresses
 * are personal data, and the public form must not let anonymous senders leave data on the server); any node behind
 * a load balancer can take the confirming request (no shared temporary store, nothing to expire or clean up); and
 * the confirming request is guarded like the first one (session or pre-session CSRF token, the route's body limit,
 * the same parsing). The price is the upload going to the browser and back once, so only uploads whose base64 fits
 * the body limit are carried; a larger one (the handlers' form takes up to 256 MB) is not: the preview asks for the
 * file again, with the chosen mapping kept.
 */
import type { HostPreview } from '../hotline/intake/preview-hosts.js';
import type { CsvMapping, HostFormat } from '../hotline/intake/intake-types.js';
import { isFile, type MultipartBody } from './multipart.js';

type Body = MultipartBody | undefined;

function field(body: Body, name: string): string {
  const v = body?.[name];
  return typeof v === 'string' ? v : '';
}

export interface FormUpload {
  input: Buffer | string;
  source: string;
}

/** The upload of a form: the file chosen again, the carried upload, a new file, or the textarea. */
export function uploadOf(body: Body): FormUpload | null {
  const file = body?.hosts_file;
  if (isFile(file) && file.data.length > 0) return { input: file.data, source: file.filename || 'file' };
  const carried = field(body, 'upload_b64');
  if (carried !== '') return { input: Buffer.from(carried, 'base64'), source: field(body, 'source').slice(0, 200) || 'form' };
  const text = field(body, 'hosts');
  return text.trim() !== '' ? { input: text, source: 'form' } : null;
}

/** `''` for the first post, `preview` to try a mapping, `confirm` to save. */
export function stepOf(body: Body): '' | 'preview' | 'confirm' {
  const s = field(body, 'step');
  return s === 'preview' || s === 'confirm' ? s : '';
}

/** The mapping chosen in the preview form (`ip_column`, `port_column`, `timestamp_column`, `extra_column_N`). */
export function mappingOf(body: Body, format: HostFormat): CsvMapping | undefined {
  const ip = field(body, 'ip_column');
  if (ip === '' || format === 'ips' || format === 'intelmq') return undefined;
  const extra = Object.keys(body ?? {})
    .map((k) => /^extra_column_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => field(body, m[0]))
    .filter((c) => c !== '' && c !== ip);
  return { ip, port: field(body, 'port_column') || null, timestamp: field(body, 'timestamp_column') || null, extra };
}

/** A first upload goes through the preview when it has a header to map, or cannot be read as it is. */
export function needsPreview(p: HostPreview): boolean {
  return p.format === 'csv' || p.format === 'shadowserver' || p.error !== null;
}

/** The upload as base64 for the hidden field, or null when that would not fit `maxEncoded` bytes. */
export function carry(upload: FormUpload, maxEncoded: number): string | null {
  const bytes = typeof upload.input === 'string' ? Buffer.from(upload.input, 'utf8') : upload.input;
  return Math.ceil(bytes.length / 3) * 4 <= maxEncoded ? bytes.toString('base64') : null;
}

/** The carried upload as text for a textarea (the report form shown again), when it is small plain text. */
export function uploadAsText(upload: FormUpload | null, max = 1 << 20): string {
  if (!upload) return '';
  if (typeof upload.input === 'string') return upload.input.length <= max ? upload.input : '';
  if (upload.input.length > max || (upload.input[0] === 0x1f && upload.input[1] === 0x8b)) return '';
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(upload.input);
  } catch {
    return '';
  }
}
