import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/**
 * The four CSV files the bundled network data is compiled from, in the @ip-location-db formats: ASN files
 * `first,last,asn,"AS name"` and country files `first,last,CC`. Addresses may be numeric (`16777216`, the `-num`
 * files) or text (`1.0.0.0`, `2001:200::`).
 */
export interface NetworkDataSources {
  readonly asnIpv4: string;
  readonly asnIpv6: string;
  readonly countryIpv4: string;
  readonly countryIpv6: string;
  /** Version label of the ASN data; default: the version in a package.json beside the file, else the file's date. */
  readonly asnVersion?: string;
  /** Version label of the country data; default as for `asnVersion`. */
  readonly countryVersion?: string;
}

/** Version labels and the date of the data, as recorded in a snapshot. */
export interface NetworkDataVersion {
  readonly asnVersion: string;
  readonly countryVersion: string;
  /** When the data was published (ISO 8601), the older of the two sources. */
  readonly dataDate: string;
}

const require = createRequire(import.meta.url);

/**
 * The CSV files of the `@ip-location-db/asn` and `@ip-location-db/geo-whois-asn-country` packages. IPv4 from the
 * numeric files (cheapest to parse), IPv6 from the text files (parsed straight into words; the numeric IPv6 files
 * would need a bigint per address).
 */
export function bundledNetworkDataSources(): NetworkDataSources {
  const asnDir = dirname(require.resolve('@ip-location-db/asn/package.json'));
  const countryDir = dirname(require.resolve('@ip-location-db/geo-whois-asn-country/package.json'));
  return {
    asnIpv4: join(asnDir, 'asn-ipv4-num.csv'),
    asnIpv6: join(asnDir, 'asn-ipv6.csv'),
    countryIpv4: join(countryDir, 'geo-whois-asn-country-ipv4-num.csv'),
    countryIpv6: join(countryDir, 'geo-whois-asn-country-ipv6.csv'),
  };
}

function packageVersionBeside(file: string): string | null {
  const pkg = join(dirname(file), 'package.json');
  if (!existsSync(pkg)) return null;
  try {
    const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/**
 * The date inside an @ip-location-db version: they end in the build hour, `2.3.2026061719` is 2026-06-17 19:00 UTC.
 * Null for other version strings.
 */
export function dateOfDataVersion(version: string): string | null {
  const m = /(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:00:00.000Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

function versionOf(file: string, given: string | undefined): { version: string; date: string } {
  const mtime = statSync(file).mtime.toISOString();
  const version = given ?? packageVersionBeside(file) ?? `${basename(file)}@${mtime}`;
  return { version, date: dateOfDataVersion(version) ?? mtime };
}

/** Works out the version labels and data date of a set of sources (reads package.json files and file dates). */
export function versionOfSources(sources: NetworkDataSources): NetworkDataVersion {
  const asn = versionOf(sources.asnIpv4, sources.asnVersion);
  const country = versionOf(sources.countryIpv4, sources.countryVersion);
  return { asnVersion: asn.version, countryVersion: country.version, dataDate: asn.date < country.date ? asn.date : country.date };
}

/**
 * A short fingerprint of the source files (path, size, modification time), stored in the snapshot so a changed
 * file is noticed and recompiled.
 */
export function fingerprintOfSources(sources: NetworkDataSources): string {
  return [sources.asnIpv4, sources.asnIpv6, sources.countryIpv4, sources.countryIpv6]
    .map((f) => {
      const st = statSync(f);
      return `${f}:${st.size}:${Math.trunc(st.mtimeMs)}`;
    })
    .join('|');
}
