/** The API's shapes for indicators and analyses (kept apart from schemas.ts, which holds the core's). */
import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';
import { INDICATOR_EVENT_KINDS, INDICATOR_TYPES, SEVERITIES, TLP_LEVELS } from '../../hub/indicators/indicator-types.js';
import { Nullable, Timestamp } from './schemas.js';

const literals = <T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> => Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;

export const IndicatorTypeSchema = literals(INDICATOR_TYPES);
export const TlpSchema = literals(TLP_LEVELS);
export const SeveritySchema = literals(SEVERITIES);
const Label = Type.String({ minLength: 1, maxLength: 64 });

export const IndicatorSchema = Type.Object({
  id: Type.Integer(),
  type: IndicatorTypeSchema,
  value: Type.String(),
  tlp: TlpSchema,
  confidence: Type.Integer({ minimum: 0, maximum: 100 }),
  labels: Type.Array(Type.String()),
  source: Nullable(Type.String()),
  valid_from: Nullable(Timestamp),
  valid_until: Nullable(Timestamp),
  first_seen: Timestamp,
  last_seen: Timestamp,
  enrichment: Nullable(Type.Object({ asn: Nullable(Type.Integer()), as_name: Nullable(Type.String()), country: Nullable(Type.String()), operator_id: Nullable(Type.Integer()) })),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const IndicatorEventSchema = Type.Object({
  at: Timestamp,
  kind: literals(INDICATOR_EVENT_KINDS),
  actor: Nullable(Type.String()),
  ref: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const IndicatorWithHistory = Type.Intersect([
  IndicatorSchema,
  Type.Object({ history: Type.Array(IndicatorEventSchema), analyses: Type.Array(Type.Object({ id: Type.Integer(), version: Type.Integer(), title: Type.String(), status: Type.String() })), warninglists: Type.Array(Type.String(), { description: 'MISP warninglists the indicator is on (known false positives)' }) }),
]);

const tlpInput = Type.String({ description: 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP: prefix and lower case accepted)', maxLength: 20 });

export const IndicatorCreate = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 4096, description: 'Defanged forms are accepted: hxxp://evil[.]example' }),
    type: Type.Optional(IndicatorTypeSchema),
    tlp: Type.Optional(tlpInput),
    confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    labels: Type.Optional(Type.Array(Label, { maxItems: 32 })),
    source: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    valid_from: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    valid_until: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    lenient: Type.Optional(Type.Boolean({ description: 'Mask host bits of a CIDR instead of refusing it' })),
  },
  { additionalProperties: false },
);

export const IndicatorPatchSchema = Type.Object(
  {
    tlp: Type.Optional(tlpInput),
    confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    labels: Type.Optional(Type.Array(Label, { maxItems: 32 })),
    source: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    valid_from: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    valid_until: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  },
  { additionalProperties: false },
);

export const IndicatorQuerySchema = Type.Object({
  type: Type.Optional(IndicatorTypeSchema),
  tlp: Type.Optional(tlpInput),
  label: Type.Optional(Type.String({ maxLength: 64 })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the value or the source' })),
  value: Type.Optional(Type.String({ maxLength: 4096, description: 'Exactly this indicator, in any spelling (defanged, upper case)' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'The next page: the `next` of the previous one' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const IndicatorPage = Type.Object({ indicators: Type.Array(IndicatorSchema), next: Nullable(Type.Integer()) });

export const ImportQuery = Type.Object({
  strict: Type.Optional(Type.Boolean()),
  lenient: Type.Optional(Type.Boolean()),
  tlp: Type.Optional(tlpInput),
  confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  source: Type.Optional(Type.String({ maxLength: 200 })),
  labels: Type.Optional(Type.String({ maxLength: 1000, description: 'Labels for every line, separated by ;' })),
  type: Type.Optional(IndicatorTypeSchema),
});

export const ImportResultSchema = Type.Object({
  format: Type.String(),
  lines: Type.Integer(),
  indicators: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  duplicates: Type.Integer(),
  rejected_count: Type.Integer(),
  rejected: Type.Array(Type.Object({ line: Type.Integer(), text: Type.String(), reason: Type.String() })),
  duration_ms: Type.Integer(),
});

const analysisFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  body: Type.String({ maxLength: 200_000, description: 'Markdown; raw HTML is shown as text' }),
  tlp: tlpInput,
  severity: SeveritySchema,
  indicator_ids: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 }),
};
export const AnalysisCreate = Type.Object({ ...analysisFields, indicator_ids: Type.Optional(analysisFields.indicator_ids) }, { additionalProperties: false });
export const AnalysisPatchSchema = Type.Partial(Type.Object(analysisFields), { additionalProperties: false });

export const AnalysisVersionSchema = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  status: literals(['draft', 'published'] as const),
  title: Type.String(),
  body: Type.String(),
  body_html: Type.String(),
  tlp: TlpSchema,
  severity: SeveritySchema,
  created_by: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  published_by: Nullable(Type.String()),
  published_at: Nullable(Timestamp),
});

export const AnalysisSchema = Type.Intersect([
  AnalysisVersionSchema,
  Type.Object({ latest_version: Type.Integer(), published_version: Nullable(Type.Integer()), indicators: Type.Array(IndicatorSchema) }),
]);

export const AnalysisSummarySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  tlp: TlpSchema,
  severity: SeveritySchema,
  status: literals(['draft', 'published'] as const),
  latest_version: Type.Integer(),
  published_version: Nullable(Type.Integer()),
  updated_at: Timestamp,
});

export const VersionParams = Type.Object({ id: Type.Integer({ minimum: 1 }), version: Type.Integer({ minimum: 1 }) });
