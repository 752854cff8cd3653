/**
 * What MISP tags mean to the hub: `tlp:*` gives the TLP, the confidence taxonomies give the confidence, every
 * other tag becomes a label. An attribute's own tags win over its event's.
 */
import { parseTlp, type Tlp } from '../../hub/tlp.js';

export interface TagMeaning {
  tlp: Tlp | null;
  confidence: number | null;
  labels: string[];
}

/**
 * Confidence from the taxonomies MISP ships: the admiralty scale's information credibility (1 confirmed .. 5
 * improbable; 6 "cannot be judged" says nothing), MISP's own confidence level, and the estimative language's
 * confidence in the analytic judgement.
 */
const CONFIDENCE: Readonly<Record<string, number>> = {
  'admiralty-scale:information-credibility=1': 95,
  'admiralty-scale:information-credibility=2': 75,
  'admiralty-scale:information-credibility=3': 50,
  'admiralty-scale:information-credibility=4': 25,
  'admiralty-scale:information-credibility=5': 10,
  'misp:confidence-level=completely-confident': 100,
  'misp:confidence-level=usually-confident': 75,
  'misp:confidence-level=fairly-confident': 50,
  'misp:confidence-level=rarely-confident': 25,
  'misp:confidence-level=unconfident': 0,
  'estimative-language:confidence-in-analytic-judgment=high': 85,
  'estimative-language:confidence-in-analytic-judgment=moderate': 50,
  'estimative-language:confidence-in-analytic-judgment=low': 15,
};

/** Tags that say "no judgement": neither a confidence nor worth a label. */
const NO_JUDGEMENT = new Set(['admiralty-scale:information-credibility=6', 'misp:confidence-level=confidence-cannot-be-evaluated']);

/** `ns:pred="value"` → `ns:pred=value`, lower case: the form the tables above use. */
function machineTag(name: string): string {
  return name.trim().toLowerCase().replace(/="([^"]*)"$/, '=$1');
}

/**
 * A label for a tag: lower case, quotes gone, `=` as `:`, characters a label cannot hold as `-`, at most 64.
 * Null when nothing is left.
 */
export function labelOfTag(name: string): string | null {
  const l = machineTag(name)
    .replace(/=/g, ':')
    .replace(/[^\p{L}\p{N} _:./+-]/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .slice(0, 64)
    .trim();
  return l === '' ? null : l;
}

/** The TLP a `tlp:*` tag names (TLP 1.0 `white` is CLEAR); null for other tags and for `tlp:ex:chr`, `tlp:unclear`. */
export function tlpOfTag(name: string): Tlp | null {
  const t = name.trim().toLowerCase();
  if (!t.startsWith('tlp:')) return null;
  return parseTlp(t);
}

/** What a list of tag names means; `labels` keeps the order given, without repeats, at most 32. */
export function meaningOfTags(names: readonly string[]): TagMeaning {
  const out: TagMeaning = { tlp: null, confidence: null, labels: [] };
  for (const name of names) {
    const tlp = tlpOfTag(name);
    if (tlp) {
      out.tlp = tlp;
      continue;
    }
    if (name.trim().toLowerCase().startsWith('tlp:')) continue;
    const m = machineTag(name);
    const c = CONFIDENCE[m];
    if (c !== undefined) {
      out.confidence = c;
      continue;
    }
    if (NO_JUDGEMENT.has(m)) continue;
    const l = labelOfTag(name);
    if (l && !out.labels.includes(l) && out.labels.length < 32) out.labels.push(l);
  }
  return out;
}

/** The attribute's meaning over its event's: its own TLP and confidence win; labels add up. */
export function overlay(event: TagMeaning, attribute: TagMeaning): TagMeaning {
  const labels = [...event.labels];
  for (const l of attribute.labels) if (!labels.includes(l) && labels.length < 32) labels.push(l);
  return { tlp: attribute.tlp ?? event.tlp, confidence: attribute.confidence ?? event.confidence, labels };
}

/** The tag MISP writes for a TLP level, with the taxonomy's colour. */
export function tagOfTlp(tlp: Tlp): { name: string; colour: string } {
  const colour: Record<Tlp, string> = { CLEAR: '#ffffff', GREEN: '#33FF00', AMBER: '#FFC000', 'AMBER+STRICT': '#FFC000', RED: '#FF2B2B' };
  return { name: `tlp:${tlp.toLowerCase()}`, colour: colour[tlp] };
}
