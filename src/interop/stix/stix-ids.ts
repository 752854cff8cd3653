/**
 * STIX identifiers Baken derives, and the TLP marking definitions everyone shares.
 *
 * Ids are UUIDv5 (RFC 4122, name-based with SHA-1) under one fixed Baken namespace, as STIX 2.1 section 2.9
 * allows: the same indicator gets the same id on every export, in every hub and after a round trip through
 * another tool, so a consumer's `match[id]` and its own de-duplication keep working. Pure: no I/O.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Tlp } from '../../hub/tlp.js';
import type { StixId, StixMarkingDefinition } from './stix-types.js';

/** The namespace of every id Baken derives. Never change it: every id ever exported depends on it. */
export const BAKEN_STIX_NAMESPACE = '569d31cc-c9c9-4001-b37c-bfa45c7e2437';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const NAMESPACE_BYTES = uuidBytes(BAKEN_STIX_NAMESPACE);

/**
 * A UUIDv5 of `name` under `namespace` (RFC 4122 section 4.3).
 * @example uuidV5('example.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8') // 'aad03681-8b63-5304-89e0-8ca8f49461b5'
 */
export function uuidV5(name: string, namespace: string = BAKEN_STIX_NAMESPACE): string {
  const ns = namespace === BAKEN_STIX_NAMESPACE ? NAMESPACE_BYTES : uuidBytes(namespace);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return formatUuid(b);
}

/**
 * The STIX id of the object of `type` named by `key`; the same key always gives the same id.
 * @example
 * stixId('indicator', 'ipv4:198.51.100.7') // 'indicator--…' (always the same)
 */
export function stixId<T extends string>(type: T, key: string): StixId<T> {
  return `${type}--${uuidV5(`${type}/${key}`)}`;
}

/** A fresh random id (UUIDv4), for bundles: a bundle is a wrapper, not something to recognise again. */
export function randomStixId<T extends string>(type: T): StixId<T> {
  return `${type}--${randomUUID()}`;
}

/** The extension that defines TLP 2.0 markings (OASIS CTI TC, stix-common-objects, tlp-2.0). */
export const TLP_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

const TLP2: Record<Tlp, { uuid: string; word: string }> = {
  CLEAR: { uuid: '94868c89-83c2-464b-929b-a1a8aa3c8487', word: 'clear' },
  GREEN: { uuid: 'bab4a63c-aed9-4cf5-a766-dfca5abac2bb', word: 'green' },
  AMBER: { uuid: '55d920b0-5e8b-4f79-9ee9-91f868d9b421', word: 'amber' },
  'AMBER+STRICT': { uuid: '939a9414-2ddd-4d32-a0cd-375ea402b003', word: 'amber+strict' },
  RED: { uuid: 'e828b379-4e03-4974-9ac4-e53a884c97c1', word: 'red' },
};

/**
 * The standard TLP 2.0 marking definitions, by level: refer to them in `object_marking_refs` and put the
 * object in a bundle that uses it. They are the same objects in every tool, so a consumer recognises them by id.
 * @example TLP_MARKINGS.AMBER.id // 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
 */
export const TLP_MARKINGS: Record<Tlp, { id: StixId<'marking-definition'>; object: StixMarkingDefinition }> = Object.fromEntries(
  (Object.keys(TLP2) as Tlp[]).map((tlp) => {
    const id: StixId<'marking-definition'> = `marking-definition--${TLP2[tlp].uuid}`;
    const object: StixMarkingDefinition = {
      type: 'marking-definition',
      spec_version: '2.1',
      id,
      created: '2022-10-01T00:00:00.000Z',
      name: `TLP:${tlp}`,
      extensions: { [TLP_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: TLP2[tlp].word } },
    };
    return [tlp, { id, object }];
  }),
) as Record<Tlp, { id: StixId<'marking-definition'>; object: StixMarkingDefinition }>;

/** The TLP 1.0 markings that STIX 2.1 itself defines (section 7.2.1.4); still sent by many tools. WHITE is CLEAR. */
export const TLP1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const TLP_BY_ID: ReadonlyMap<string, Tlp> = new Map<string, Tlp>([
  ...(Object.keys(TLP2) as Tlp[]).map((t): [string, Tlp] => [TLP_MARKINGS[t].id, t]),
  ...Object.entries(TLP1_MARKING_IDS),
]);

/**
 * The TLP level a standard marking id stands for (TLP 2.0 or the STIX 2.1 TLP 1.0 ones), or null.
 * @example tlpOfMarkingId('marking-definition--f88d31f6-486f-44da-b317-01333bde0b82') // 'AMBER'
 */
export function tlpOfMarkingId(id: string): Tlp | null {
  return TLP_BY_ID.get(id) ?? null;
}
