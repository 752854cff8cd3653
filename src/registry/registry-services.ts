/**
 * One resolver per process and context: the bundled network data is loaded
 * (compiled on first use) once, the operator directory is cached and reloaded
 * when it changes, the imported RIPE database is reloaded when a newer import
 * lands, and RDAP is asked only when it is configured.
 */
import type { Context } from '../platform/context.js';
import { loadBundledNetworkData } from './load-bundled-network-data.js';
import type { NetworkData } from './network-data.js';
import { OperatorIndexCache } from './operator-index.js';
import { createRdapFallback, rdapContactPort } from './rdap/rdap-fallback.js';
import { Resolver } from './resolver.js';
import { RpslRegistryCache } from './rpsl/rpsl-registry.js';

export interface RegistryServices {
  network: NetworkData;
  resolver: Resolver;
}

const services = new WeakMap<Context, Promise<RegistryServices>>();

/**
 * @example
 * const { resolver } = await registryServices(ctx);
 * await resolver.resolve('31.149.1.1'); // { asn: 1136, country: 'NL', ... }
 */
export function registryServices(ctx: Context, onProgress?: (message: string) => void): Promise<RegistryServices> {
  let s = services.get(ctx);
  if (!s) {
    s = (async () => {
      const { data } = await loadBundledNetworkData({ dataDir: ctx.config.dataDir, ...(onProgress ? { onProgress } : {}) });
      // RDAP is asked only when BAKEN_RDAP_URL is set, and only for public addresses nothing local knows.
      const resolver = new Resolver({
        network: data,
        operators: new OperatorIndexCache(ctx),
        rpsl: new RpslRegistryCache(ctx.db.kysely),
        rdap: rdapContactPort(createRdapFallback(ctx)),
      });
      return { network: data, resolver };
    })();
    s.catch(() => services.delete(ctx));
    services.set(ctx, s);
  }
  return s;
}
