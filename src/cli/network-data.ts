/** `baken registry rebuild-network-data`: compile newer ASN/country CSV files into the snapshot lookups use. */
import type { Command } from 'commander';
import { rebuildNetworkData } from '../registry/load-bundled-network-data.js';
import { withContext } from './context.js';
import { printJson } from './output.js';
import { registryCommand } from './registry.js';

export function registerNetworkData(program: Command): void {
  registryCommand(program)
    .command('rebuild-network-data')
    .description('compile newer ASN and country CSV files (the @ip-location-db formats) into the network data snapshot')
    .requiredOption('--asn-ipv4 <file>', 'asn-ipv4.csv or asn-ipv4-num.csv (first,last,asn,"AS name")')
    .requiredOption('--asn-ipv6 <file>', 'asn-ipv6.csv (first,last,asn,"AS name")')
    .requiredOption('--country-ipv4 <file>', 'geo-whois-asn-country-ipv4.csv or -num.csv (first,last,CC)')
    .requiredOption('--country-ipv6 <file>', 'geo-whois-asn-country-ipv6.csv (first,last,CC)')
    .option('--data-version <label>', 'version label of the data (default: from a package.json beside the files, else their date)')
    .option('--json', 'print JSON')
    .action(async (opts: { asnIpv4: string; asnIpv6: string; countryIpv4: string; countryIpv6: string; dataVersion?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const { data, file } = await rebuildNetworkData({
          dataDir: ctx.config.dataDir,
          sources: {
            asnIpv4: opts.asnIpv4,
            asnIpv6: opts.asnIpv6,
            countryIpv4: opts.countryIpv4,
            countryIpv6: opts.countryIpv6,
            ...(opts.dataVersion ? { asnVersion: opts.dataVersion, countryVersion: opts.dataVersion } : {}),
          },
          onProgress: (m) => process.stderr.write(`${m}\n`),
        });
        const m = data.meta;
        if (opts.json) return printJson({ file, asn_version: m.asnVersion, country_version: m.countryVersion, data_date: m.dataDate, built_at: m.builtAt });
        process.stdout.write(`network data ${m.asnVersion} (data of ${m.dataDate.slice(0, 10)}) compiled into ${file}\nrunning servers pick it up at their next start\n`);
      });
    });
}
