/**
 * The mapping and preview step before an upload is saved: the start of the upload as intake would read it, with the
 * configured warninglists, so a handler or a researcher can check the detected format and pick the columns first.
 */
import { createGunzip } from 'node:zlib';
import type { Context } from '../../platform/context.js';
import { previewHosts, type HostPreview } from '../intake/preview-hosts.js';
import type { ReadUploadOptions } from './upload-hosts.js';
import { configuredWarninglists } from './upload-warninglists.js';

/** How much of an upload (after decompression) the preview reads: far more than 20 rows need, and cheap. */
export const PREVIEW_HEAD_BYTES = 1 << 20;

/**
 * Previews an upload: the first `rows` hosts (default 20), every rejected line among the lines read, the detected
 * format, the header's columns and the mapping in use. Reads at most {@link PREVIEW_HEAD_BYTES} of it (gzip is
 * decompressed that far), never saves anything and never throws for bad input (see `error`).
 * @example
 * const p = await previewUpload(ctx, body, { format: 'auto' });
 * p.columns // ['Address', 'Port', 'First_Seen']
 */
export async function previewUpload(ctx: Context, input: Buffer | Uint8Array | string, options: ReadUploadOptions & { rows?: number } = {}): Promise<HostPreview> {
  const { text, partial } = await headOf(input, PREVIEW_HEAD_BYTES);
  const warninglists = options.warninglists ?? (await configuredWarninglists(ctx));
  return previewHosts(
    text,
    { format: options.format ?? 'auto', ...(options.mapping ? { mapping: options.mapping } : {}), ...(warninglists.length > 0 ? { warninglists } : {}) },
    { rows: options.rows ?? 20, partial },
  );
}

async function headOf(input: Buffer | Uint8Array | string, max: number): Promise<{ text: string; partial: boolean }> {
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return text.length > max ? { text: text.slice(0, max), partial: true } : { text, partial: false };
  }
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let partial = false;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) ({ bytes, partial } = await gunzipHead(bytes, max));
  if (bytes.length > max) {
    bytes = bytes.subarray(0, max);
    partial = true;
  }
  // TextDecoder drops a byte-order mark; a character cut at the end falls in the last line, which partial skips.
  return { text: new TextDecoder('utf-8').decode(bytes), partial };
}

/** The first `max` bytes of a gzip stream (or all of it when shorter); a broken stream gives what came out of it. */
function gunzipHead(gz: Buffer, max: number): Promise<{ bytes: Buffer; partial: boolean }> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let finished = false;
    const finish = (partial: boolean) => {
      if (finished) return;
      finished = true;
      done({ bytes: Buffer.concat(chunks), partial });
    };
    const z = createGunzip();
    z.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n > max) {
        finish(true);
        z.destroy();
      }
    });
    z.on('end', () => finish(false));
    z.on('error', () => finish(true));
    z.end(gz);
  });
}
