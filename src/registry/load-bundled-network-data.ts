import { existsSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compileNetworkData } from './compile-network-data.js';
import { NetworkData } from './network-data.js';
import type { NetworkDataSources } from './network-data-sources.js';
import { bundledNetworkDataSources, fingerprintOfSources, versionOfSources } from './network-data-sources.js';
import { NETWORK_SNAPSHOT_LAYOUT, readNetworkSnapshot, writeNetworkSnapshot } from './network-snapshot.js';

export interface LoadNetworkDataOptions {
  /** Baken's data directory; snapshots live in `<dataDir>/registry/`. */
  readonly dataDir: string;
  /** CSV files to use instead of the bundled packages (and instead of any rebuilt snapshot). */
  readonly sources?: NetworkDataSources;
  /** Called with a line of progress text while compiling (which takes seconds), e.g. for a CLI spinner. */
  readonly onProgress?: (message: string) => void;
}

/** How a NetworkData came to be, for logs and the about page. */
export interface LoadedNetworkData {
  readonly data: NetworkData;
  /** The snapshot file it was read from. */
  readonly file: string;
  /** True if the snapshot was compiled by this call (first start, or changed sources). */
  readonly compiled: boolean;
}

/** Pointer to the snapshot written by rebuildNetworkData; it wins over the bundled data unless that is newer. */
const CURRENT_FILE = 'current.json';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

function snapshotName(prefix: string, sources: NetworkDataSources): string {
  const v = versionOfSources(sources);
  const version = v.asnVersion === v.countryVersion ? v.asnVersion : `${v.asnVersion}-${v.countryVersion}`;
  return `${prefix}-v${NETWORK_SNAPSHOT_LAYOUT}-${safe(version)}.bin`;
}

/** Reads a snapshot if it exists and was compiled from exactly these files; null otherwise. */
function tryLoad(file: string, fingerprint: string | null): NetworkData | null {
  if (!existsSync(file)) return null;
  try {
    const tables = readNetworkSnapshot(file);
    if (fingerprint !== null && tables.meta.fingerprint !== fingerprint) return null;
    return new NetworkData(tables);
  } catch {
    // A snapshot from another layout or a damaged file: compile afresh rather than fail the start.
    return null;
  }
}

async function compileTo(file: string, sources: NetworkDataSources, onProgress?: (m: string) => void): Promise<NetworkData> {
  onProgress?.(`compiling network data into ${file}`);
  const tables = await compileNetworkData(sources);
  writeNetworkSnapshot(file, tables);
  onProgress?.('network data compiled');
  return new NetworkData(tables);
}

/**
 * Loads the network data (ASN, AS name, country per range) for lookups. On first use it compiles the bundled
 * @ip-location-db CSV files into `<dataDir>/registry/bundled-v1-<version>.bin` (a few seconds); later starts map
 * that snapshot in tens of milliseconds. A snapshot made by {@link rebuildNetworkData} from newer files is used
 * instead, as long as its data is not older than the bundled data.
 *
 * @example
 * const { data } = await loadBundledNetworkData({ dataDir: './data' });
 * data.lookup('31.149.1.1')?.asn // 1136
 */
export async function loadBundledNetworkData(options: LoadNetworkDataOptions): Promise<LoadedNetworkData> {
  const dir = join(options.dataDir, 'registry');
  if (options.sources) {
    const file = join(dir, snapshotName('custom', options.sources));
    const loaded = tryLoad(file, fingerprintOfSources(options.sources));
    if (loaded) return { data: loaded, file, compiled: false };
    return { data: await compileTo(file, options.sources, options.onProgress), file, compiled: true };
  }
  const bundled = bundledNetworkDataSources();
  const pointer = join(dir, CURRENT_FILE);
  if (existsSync(pointer)) {
    try {
      const current = JSON.parse(readFileSync(pointer, 'utf8')) as { file: string; dataDate: string };
      if (current.dataDate >= versionOfSources(bundled).dataDate) {
        const file = join(dir, current.file);
        const loaded = tryLoad(file, null);
        if (loaded) return { data: loaded, file, compiled: false };
      }
    } catch {
      // An unreadable pointer falls back to the bundled data.
    }
  }
  const file = join(dir, snapshotName('bundled', bundled));
  const loaded = tryLoad(file, fingerprintOfSources(bundled));
  if (loaded) return { data: loaded, file, compiled: false };
  return { data: await compileTo(file, bundled, options.onProgress), file, compiled: true };
}

/**
 * Compiles newer CSV files (same formats as the bundled @ip-location-db files, e.g. from its GitHub releases) into
 * a snapshot under `<dataDir>/registry/` and makes it the one {@link loadBundledNetworkData} uses from then on.
 * Compiles fully before switching, so a bad file leaves the current data in place.
 *
 * @throws {NetworkDataError} or {CsvFormatError} naming the file and line of a bad row.
 * @example
 * await rebuildNetworkData({ dataDir: './data', sources: { asnIpv4: 'asn-ipv4.csv', asnIpv6: 'asn-ipv6.csv',
 *   countryIpv4: 'geo-whois-asn-country-ipv4.csv', countryIpv6: 'geo-whois-asn-country-ipv6.csv' } });
 */
export async function rebuildNetworkData(options: LoadNetworkDataOptions & { readonly sources: NetworkDataSources }): Promise<LoadedNetworkData> {
  const dir = join(options.dataDir, 'registry');
  const name = snapshotName('rebuilt', options.sources);
  const file = join(dir, name);
  const data = await compileTo(file, options.sources, options.onProgress);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${CURRENT_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify({ file: name, dataDate: data.meta.dataDate, builtAt: data.meta.builtAt }, null, 2));
  renameSync(tmp, join(dir, CURRENT_FILE));
  return { data, file, compiled: true };
}
