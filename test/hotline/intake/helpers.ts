import { fileURLToPath } from 'node:url';
import { readAllHosts } from '../../../src/hotline/intake/read-hosts.js';
import type { HostsRead } from '../../../src/hotline/intake/read-hosts.js';
import type { IntakeOptions } from '../../../src/hotline/intake/host-intake.js';

// Tests run from dist/test/hotline/intake; the fixtures stay in the source tree, the shared samples beside the checkout.
export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/hotline/', import.meta.url));
export const SAMPLES = fileURLToPath(new URL('../../../../../shared/samples/', import.meta.url));

/** Reads `text` as one upload, given in pieces split at `splits` (character offsets). */
export function read(text: string, options: IntakeOptions = {}, splits: number[] = []): Promise<HostsRead> {
  const pieces: string[] = [];
  let at = 0;
  for (const s of splits) {
    pieces.push(text.slice(at, s));
    at = s;
  }
  pieces.push(text.slice(at));
  return readAllHosts(pieces, options);
}

/** `ip port` of each host, for compact assertions. */
export function keys(r: HostsRead): string[] {
  return r.hosts.map((h) => `${h.ip} ${h.port ?? '-'}`);
}

/** `line field` of each rejected line. */
export function where(r: HostsRead): string[] {
  return r.rejected.map((x) => `${x.line} ${x.field ?? '-'}`);
}
