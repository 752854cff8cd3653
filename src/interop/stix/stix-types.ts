/**
 * The STIX 2.1 objects Baken emits (OASIS STIX Version 2.1, sections 3, 4, 5 and 7), as TypeScript types. Only
 * the properties Baken writes are listed; custom properties start with `x_baken_` (section 11.1). Optional
 * properties are left out rather than written empty: STIX forbids empty lists and strings (section 3.1).
 */

/** `type--UUID`: a STIX identifier (section 2.9). */
export type StixId<T extends string = string> = `${T}--${string}`;

/** Properties every STIX domain, relationship and meta object carries (section 3.2). */
export interface StixCommon<T extends string> {
  type: T;
  spec_version: '2.1';
  id: StixId<T>;
  /** RFC 3339 in UTC with millisecond precision: `2024-05-01T12:00:00.000Z`. */
  created: string;
  created_by_ref?: StixId<'identity'>;
  labels?: string[];
  confidence?: number;
  revoked?: boolean;
  external_references?: StixExternalReference[];
  object_marking_refs?: Array<StixId<'marking-definition'>>;
}

/** Objects that can change: `modified` moves with every new version (section 3.6). */
export interface StixVersioned<T extends string> extends StixCommon<T> {
  modified: string;
}

export interface StixExternalReference {
  source_name: string;
  description?: string;
  url?: string;
  external_id?: string;
}

/** An indicator (section 4.7): one Baken indicator as a STIX pattern. */
export interface StixIndicator extends StixVersioned<'indicator'> {
  name?: string;
  description?: string;
  indicator_types?: string[];
  /** `[ipv4-addr:value = '198.51.100.7']` */
  pattern: string;
  pattern_type: 'stix';
  pattern_version?: '2.1';
  valid_from: string;
  valid_until?: string;
}

/** A report (section 4.14): an alert or a threat analysis and the objects it is about. */
export interface StixReport extends StixVersioned<'report'> {
  name: string;
  description?: string;
  report_types?: string[];
  published: string;
  object_refs: StixId[];
  /** Baken's severity of the alert or analysis: low, medium, high, critical. */
  x_baken_severity?: string;
}

/** An identity (section 4.5): the hub, a member organisation, or "a member in sector X" for anonymous sightings. */
export interface StixIdentity extends StixVersioned<'identity'> {
  name: string;
  description?: string;
  /** `organization` or, for a sector standing in for an unnamed member, `class` (identity-class-ov). */
  identity_class?: 'organization' | 'class' | 'individual' | 'group' | 'system' | 'unknown';
  /** From the industry-sector-ov vocabulary (section 10.7). */
  sectors?: string[];
  /** Baken's own sector code, which the open vocabulary cannot say exactly (`drinking-water`). */
  x_baken_sector?: string;
}

/** A sighting (section 5.2): a member saw an indicator, `count` times between `first_seen` and `last_seen`. */
export interface StixSighting extends StixVersioned<'sighting'> {
  description?: string;
  first_seen?: string;
  last_seen?: string;
  /** 0 to 999,999,999. */
  count?: number;
  sighting_of_ref: StixId;
  observed_data_refs?: Array<StixId<'observed-data'>>;
  where_sighted_refs?: Array<StixId<'identity'> | StixId<'location'>>;
  summary?: boolean;
}

/** A marking definition (section 7.2); Baken emits the five TLP 2.0 ones of the OASIS TLP extension. */
export interface StixMarkingDefinition extends StixCommon<'marking-definition'> {
  name?: string;
  /** STIX 2.1 TLP 1.0 markings say `tlp`; TLP 2.0 markings use the extension instead. */
  definition_type?: string;
  definition?: Record<string, unknown>;
  extensions?: Record<string, { extension_type: string; tlp_2_0?: string } & Record<string, unknown>>;
}

export type StixObject = StixIndicator | StixReport | StixIdentity | StixSighting | StixMarkingDefinition;
export type StixType = StixObject['type'];

/** A bundle (section 8): a wrapper, not an object; it has no spec_version in 2.1. */
export interface StixBundle {
  type: 'bundle';
  id: StixId<'bundle'>;
  objects: StixObject[];
}
