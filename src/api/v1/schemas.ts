/** The API's shapes, once: they validate input, type the handlers and write the OpenAPI document. */
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { KEY_ROLES, ORGANISATION_KINDS, USER_ROLES } from '../../accounts/roles.js';
import { SECTOR_CODES } from '../../accounts/sectors.js';

const literals = <T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> =>
  Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;

export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Language = literals(['en', 'nl'] as const);
export const OrganisationKind = literals(ORGANISATION_KINDS);
export const UserRole = literals(USER_ROLES);
export const KeyRole = literals(KEY_ROLES);
export const SectorCode = literals(SECTOR_CODES);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code, BAKEN_E_...' }),
      message: Type.String(),
      problems: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
      request_id: Type.String(),
    }),
  },
);

export const Organisation = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: OrganisationKind,
  sector: Nullable(Type.String()),
  language: Language,
  notes: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const OrganisationCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: literals(['member', 'operator'] as const),
    sector: Type.Optional(Nullable(SectorCode)),
    language: Type.Optional(Language),
    notes: Type.Optional(Nullable(Type.String({ maxLength: 10000 }))),
  },
  { additionalProperties: false },
);
export type OrganisationCreate = Static<typeof OrganisationCreate>;

export const OrganisationPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    sector: Type.Optional(Nullable(SectorCode)),
    language: Type.Optional(Language),
    notes: Type.Optional(Nullable(Type.String({ maxLength: 10000 }))),
  },
  { additionalProperties: false },
);

export const OrganisationQuery = Type.Object({
  kind: Type.Optional(OrganisationKind),
  sector: Type.Optional(SectorCode),
  q: Type.Optional(Type.String({ maxLength: 200 })),
});

export const User = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Nullable(Type.String()),
  role: UserRole,
  organisation_id: Type.Integer(),
  disabled: Type.Boolean(),
  language: Nullable(Language),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: Nullable(Timestamp),
});

export const UserCreate = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    role: UserRole,
    organisation_id: Type.Integer({ minimum: 1 }),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'Omit to have one generated and returned once.' })),
    language: Type.Optional(Nullable(Language)),
  },
  { additionalProperties: false },
);

export const UserPatch = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    role: Type.Optional(UserRole),
    disabled: Type.Optional(Type.Boolean()),
    language: Type.Optional(Nullable(Language)),
  },
  { additionalProperties: false },
);

export const UserQuery = Type.Object({ organisation_id: Type.Optional(Type.Integer({ minimum: 1 })), role: Type.Optional(UserRole) });

export const PasswordSet = Type.Object(
  { password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'Omit to have one generated and returned once.' })) },
  { additionalProperties: false },
);

export const ApiKey = Type.Object({
  id: Type.Integer(),
  organisation_id: Type.Integer(),
  label: Nullable(Type.String()),
  role: KeyRole,
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart.' }),
  state: literals(['active', 'expired', 'revoked'] as const),
  created_at: Timestamp,
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
  last_used_at: Nullable(Timestamp),
});

export const ApiKeyCreate = Type.Object(
  {
    organisation_id: Type.Integer({ minimum: 1 }),
    role: KeyRole,
    label: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    expires: Type.Optional(Nullable(Type.String({ description: 'YYYY-MM-DD (end of that day, UTC) or an ISO timestamp' }))),
  },
  { additionalProperties: false },
);

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor: Type.Object({
    type: Type.String(),
    user_id: Nullable(Type.Integer()),
    api_key_id: Nullable(Type.Integer()),
    label: Nullable(Type.String()),
    organisation_id: Nullable(Type.Integer()),
  }),
  action: Type.String(),
  target: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
});

export const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100, description: 'An action, or a prefix ending in "." such as "auth."' })),
  actor_user_id: Type.Optional(Type.Integer({ minimum: 1 })),
  target_type: Type.Optional(Type.String({ maxLength: 100 })),
  target_id: Type.Optional(Type.String({ maxLength: 300 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'Entries older than this id: the next page.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

/** Standard error responses, for the OpenAPI document. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));

export const Resolution = Type.Object({
  ip: Type.String(),
  network: Nullable(Type.String()),
  asn: Nullable(Type.Integer()),
  as_name: Nullable(Type.String()),
  country: Nullable(Type.String({ description: 'ISO 3166 alpha-2' })),
  operator: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), language: Language })),
  abuse_contacts: Type.Array(Type.String()),
  contact_source: Nullable(literals(['manual', 'rpsl', 'rdap'] as const)),
  registry_date: Nullable(Type.String({ description: 'Date of the registry data the answer comes from' })),
});

export const LookupError = Type.Object({ ip: Type.String(), error: Type.String() });

export const LookupBulk = Type.Object({ ips: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 10000 }) }, { additionalProperties: false });

export const Operator = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  language: Language,
  notes: Nullable(Type.String()),
  asns: Type.Array(Type.Integer()),
  prefixes: Type.Array(Type.String()),
  abuse_contacts: Type.Array(Type.String({ description: 'Manual abuse contacts; they win over imported ones' })),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const operatorFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  language: Type.Optional(Language),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 10000 }))),
  asns: Type.Optional(Type.Array(Type.Union([Type.Integer(), Type.String({ maxLength: 12 })]), { maxItems: 10000, description: 'AS1136 or 1136' })),
  prefixes: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 100000 })),
  abuse_contacts: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 })),
};
export const OperatorCreate = Type.Object(operatorFields, { additionalProperties: false });
export const OperatorPatch = Type.Partial(Type.Object(operatorFields), { additionalProperties: false });

// ---- hotline

export const CaseIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: 'The case id, e.g. BKN-2026-00001' }) });

const CaseStateSchema = literals(['received', 'triage', 'validated', 'rejected', 'duplicate', 'notifying', 'closed'] as const);

export const Case = Type.Object({
  case_id: Type.String(),
  state: CaseStateSchema,
  title: Type.String(),
  description: Type.String(),
  classification: Type.String(),
  cves: Type.Array(Type.String()),
  product: Nullable(Type.String()),
  versions: Nullable(Type.String()),
  primary_case_id: Nullable(Type.String()),
  hosts: Type.Object({ total: Type.Integer(), in_scope: Type.Integer(), out_of_scope: Type.Integer(), no_contact: Type.Integer() }),
  rejected_lines: Type.Integer(),
  handlers: Type.Array(Type.Object({ user_id: Type.Integer(), email: Type.String(), name: Nullable(Type.String()), assigned_at: Timestamp })),
  created_by: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  closed_at: Nullable(Timestamp),
});

const caseFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  classification: Type.Optional(Type.String({ maxLength: 100, description: 'ENISA/RSIT class/type, e.g. vulnerable/vulnerable-system' })),
  cves: Type.Optional(Type.Array(Type.String({ maxLength: 30 }), { maxItems: 50 })),
  product: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  versions: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
};

export const HostsText = Type.Object(
  {
    text: Type.String({ minLength: 1, description: 'The hosts as uploaded: one address (or address:port) a line, CSV with a header, Shadowserver CSV or IntelMQ JSON lines' }),
    format: Type.Optional(literals(['auto', 'ips', 'csv', 'shadowserver', 'intelmq'] as const)),
    mapping: Type.Optional(Type.Object({ ip: Type.String(), port: Type.Optional(Nullable(Type.String())), timestamp: Type.Optional(Nullable(Type.String())), extra: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const CaseCreate = Type.Object({ ...caseFields, hosts: Type.Optional(HostsText) }, { additionalProperties: false });
export const CasePatch = Type.Partial(Type.Object(caseFields), { additionalProperties: false });

export const CaseQuery = Type.Object({
  state: Type.Optional(CaseStateSchema),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  handler_id: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  before: Type.Optional(Type.String({ maxLength: 40, description: 'A case id: the page after it' })),
});

export const CaseStateChange = Type.Object({ state: CaseStateSchema, reason: Type.Optional(Type.String({ maxLength: 10000 })) }, { additionalProperties: false });

export const CaseEvent = Type.Object({ id: Type.Integer(), at: Timestamp, actor: Nullable(Type.String()), kind: Type.String(), details: Type.Record(Type.String(), Type.Unknown()), public: Type.Boolean() });

export const CaseComment = Type.Object({ id: Type.Integer(), author: Nullable(Type.String()), body: Type.String(), created_at: Timestamp });

export const Evidence = Type.Object({ id: Type.Integer(), name: Type.String(), content_type: Type.String(), size: Type.Integer(), sha256: Type.String(), added_by: Nullable(Type.String()), created_at: Timestamp });

export const EvidenceCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), content_type: Type.Optional(Type.String({ maxLength: 130 })), data_base64: Type.String({ minLength: 1, description: 'The file, base64-encoded (at most 10 MB decoded)' }) },
  { additionalProperties: false },
);

export const CaseHost = Type.Object({
  id: Type.Integer(),
  ip: Type.String(),
  port: Nullable(Type.Integer()),
  timestamp: Nullable(Type.String()),
  extra: Type.Record(Type.String(), Type.String()),
  line: Type.Integer(),
  warnings: Type.Array(Type.String()),
  asn: Nullable(Type.Integer()),
  country: Nullable(Type.String()),
  network: Nullable(Type.String()),
  operator_id: Nullable(Type.Integer()),
  recipient: Nullable(Type.String()),
  contact_source: Nullable(Type.String()),
  out_of_scope: Nullable(Type.String()),
});

export const RejectedLineSchema = Type.Object({ line: Type.Integer(), field: Nullable(Type.String()), reason: Type.String(), text: Type.String() });

export const UploadResult = Type.Object({
  case_id: Type.String(),
  upload_id: Type.Integer(),
  format: Type.String(),
  lines: Type.Integer(),
  hosts: Type.Integer(),
  duplicates: Type.Integer(),
  already_in_case: Type.Integer(),
  flagged: Type.Integer(),
  in_scope: Type.Integer(),
  out_of_scope: Type.Integer(),
  no_contact: Type.Integer(),
  recipients: Type.Integer(),
  rejected: Type.Integer(),
  rejected_lines: Type.Array(RejectedLineSchema, { description: 'The first rejected lines; GET .../rejected lists all' }),
});

/** The mapping and preview step: what an upload would give, before anything is saved. */
export const HostPreviewSchema = Type.Object({
  format: Nullable(Type.String()),
  columns: Nullable(Type.Array(Type.String())),
  mapping: Nullable(Type.Object({ ip: Type.String(), port: Nullable(Type.String()), timestamp: Nullable(Type.String()), extra: Type.Array(Type.String()) })),
  hosts: Type.Array(Type.Object({ line: Type.Integer(), ip: Type.String(), port: Nullable(Type.Integer()), timestamp: Nullable(Type.String()), extra: Type.Record(Type.String(), Type.String()), warnings: Type.Array(Type.String()) })),
  rejected: Type.Array(Type.Object({ line: Type.Integer(), field: Nullable(Type.String()), reason: Type.String(), text: Type.String() })),
  lines_read: Type.Integer(),
  rejected_count: Type.Integer(),
  duplicates: Type.Integer(),
  complete: Type.Boolean({ description: 'false when the preview stopped after the first rows or read only the start of the upload' }),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String(), line: Nullable(Type.Integer()) })),
});

export const HostsUploadQuery = Type.Object({
  format: Type.Optional(literals(['auto', 'ips', 'csv', 'shadowserver', 'intelmq'] as const)),
  strict: Type.Optional(Type.Boolean()),
  ip_column: Type.Optional(Type.String({ maxLength: 100 })),
  port_column: Type.Optional(Type.String({ maxLength: 100 })),
  timestamp_column: Type.Optional(Type.String({ maxLength: 100 })),
  extra_columns: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated' })),
  source: Type.Optional(Type.String({ maxLength: 200 })),
});

export const Recipient = Type.Object({
  recipient: Type.String(),
  operator: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), language: Language })),
  contact_source: Nullable(Type.String()),
  hosts: Type.Integer(),
});

export const Unassigned = Type.Object({
  asn: Nullable(Type.Integer()),
  operator: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  network: Nullable(Type.String()),
  country: Nullable(Type.String()),
  hosts: Type.Integer(),
});

export const ContactAssign = Type.Object(
  {
    operator_id: Type.Optional(Type.Integer({ minimum: 1 })),
    asn: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ maxLength: 20 })])),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    save_to_directory: Type.Optional(Type.Boolean()),
    operator_name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const ReportCreate = Type.Object(
  {
    ...caseFields,
    how_found: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    reporter: Type.Object(
      { name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))), email: Type.String({ minLength: 3, maxLength: 254 }), may_credit: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    language: Type.Optional(Language),
    hosts: Type.Optional(HostsText),
  },
  { additionalProperties: false },
);

export const ReportCreated = Type.Object({
  case_id: Type.String(),
  state: Type.String(),
  status_url: Type.String({ description: 'The reporter\'s status page; shown once, keep it' }),
  status_token: Type.String({ description: 'For x-report-token on GET /reports/status and POST /reports/{id}/hosts; shown once' }),
  upload: Nullable(UploadResult),
});

export const ReportStatus = Type.Object({
  case_id: Type.String(),
  state: Type.String(),
  title: Type.String(),
  classification: Type.String(),
  submitted_at: Timestamp,
  hosts: Type.Integer(),
  rejected_lines: Type.Integer(),
  events: Type.Array(Type.Object({ at: Timestamp, kind: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) })),
});
