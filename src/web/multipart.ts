/**
 * A small multipart/form-data reader for the few forms with a file field (the
 * public report form, evidence, host uploads). The whole body is in memory
 * already (bounded by the route's body limit); fields become strings, files
 * become {@link UploadedFile}s.
 */

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export type MultipartBody = Record<string, string | UploadedFile | undefined>;

export function isFile(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && Buffer.isBuffer((v as UploadedFile).data);
}

/** @throws {Error} when the body is not multipart with the given boundary. */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const out: MultipartBody = {};
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('multipart boundary not found');
  for (;;) {
    at += delimiter.length;
    // `--` after the delimiter ends the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new Error('multipart part without headers');
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new Error('multipart part not closed');
    // The part's content ends with CRLF before the next delimiter.
    const content = body.subarray(headerEnd + 4, next - 2);
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) {
        const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
        // An empty file input still sends a part with an empty name: no file.
        if (filename !== '' || content.length > 0) out[name] = { filename, contentType: type, data: Buffer.from(content) };
      } else {
        out[name] = content.toString('utf8');
      }
    }
    at = next;
  }
  return out;
}
