/**
 * The one catalogue of Baken's errors. Each has a stable code (`BAKEN_E_...`) that
 * clients and scripts may rely on, and a kind. Domain code throws {@link BakenError};
 * only the HTTP layer turns a kind into a status (see platform/http/error-handler.ts).
 */

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'too_large'
  | 'unsupported'
  | 'not_acceptable'
  | 'method_not_allowed'
  | 'unavailable';

export const ERRORS = {
  VALIDATION: { kind: 'invalid', message: 'The request is not valid.' },
  BAD_INPUT: { kind: 'invalid', message: 'The input is not valid.' },
  UNAUTHENTICATED: { kind: 'unauthenticated', message: 'Sign in or present an API key.' },
  BAD_CREDENTIALS: { kind: 'unauthenticated', message: 'Wrong email address or password.' },
  KEY_INVALID: { kind: 'unauthenticated', message: 'The API key is unknown, revoked or expired.' },
  FORBIDDEN: { kind: 'forbidden', message: 'You may not do this.' },
  CSRF: { kind: 'forbidden', message: 'The form has expired or did not come from this site; reload the page and try again.' },
  NOT_FOUND: { kind: 'not_found', message: 'Not found.' },
  ROUTE_NOT_FOUND: { kind: 'not_found', message: 'There is nothing at this address.' },
  ORG_NOT_FOUND: { kind: 'not_found', message: 'No such organisation.' },
  USER_NOT_FOUND: { kind: 'not_found', message: 'No such user.' },
  KEY_NOT_FOUND: { kind: 'not_found', message: 'No such API key.' },
  PORTAL_LINK: { kind: 'not_found', message: 'This link is unknown or has expired. Ask the sender of the notification for a new one.' },
  ORG_EXISTS: { kind: 'conflict', message: 'An organisation with this name exists already.' },
  USER_EXISTS: { kind: 'conflict', message: 'A user with this email address exists already.' },
  KEY_REVOKED: { kind: 'conflict', message: 'This API key has been revoked already.' },
  LAST_ADMIN: { kind: 'conflict', message: 'This would leave Baken without an active admin.' },
  RATE_LIMITED: { kind: 'rate_limited', message: 'Too many attempts; wait a while and try again.' },
  TOO_LARGE: { kind: 'too_large', message: 'The request is too large.' },
  UNSUPPORTED_MEDIA: { kind: 'unsupported', message: 'This content type is not supported here.' },
  DATABASE_UNAVAILABLE: { kind: 'unavailable', message: 'The database cannot be reached.' },
  INTERNAL: { kind: 'unavailable', message: 'Something went wrong on our side; it has been logged.' },
  RPSL_UNREADABLE: { kind: 'invalid', message: 'An RPSL dump cannot be read.' },
  RPSL_NOTHING_IMPORTED: { kind: 'invalid', message: 'Nothing could be imported from these RPSL files; the previous snapshot stays.' },
  RDAP_UNAVAILABLE: { kind: 'unavailable', message: 'The RDAP registry could not be reached or answered with an error.' },
  RDAP_TIMEOUT: { kind: 'unavailable', message: 'The RDAP registry did not answer in time.' },
  RDAP_BAD_RESPONSE: { kind: 'unavailable', message: 'The RDAP registry sent an answer that is not an RDAP IP network.' },
  RDAP_RATE_LIMITED: { kind: 'rate_limited', message: 'The RDAP registry asks us to slow down.' },
  CASE_NOT_FOUND: { kind: 'not_found', message: 'No such case.' },
  CASE_TRANSITION: { kind: 'conflict', message: 'The case cannot move to that state from its current one.' },
  CASE_MERGE: { kind: 'conflict', message: 'These cases cannot be merged.' },
  NO_HOSTS: { kind: 'invalid', message: 'The upload holds no valid host; nothing was saved.' },
  HOSTS_REJECTED_STRICT: { kind: 'invalid', message: 'The upload has lines that are not valid hosts and strict mode refuses any; nothing was saved.' },
  EVIDENCE_TOO_LARGE: { kind: 'too_large', message: 'The evidence file is too large.' },
  INDICATOR_INVALID: { kind: 'invalid', message: 'The indicator is not valid.' },
  INDICATOR_NOT_FOUND: { kind: 'not_found', message: 'No such indicator.' },
  NO_INDICATORS: { kind: 'invalid', message: 'The import holds no valid indicator; nothing was saved.' },
  INDICATORS_REJECTED_STRICT: { kind: 'invalid', message: 'The import has lines that are not valid indicators and strict mode refuses any; nothing was saved.' },
  ANALYSIS_NOT_FOUND: { kind: 'not_found', message: 'No such analysis.' },
  ANALYSIS_STATE: { kind: 'conflict', message: 'The analysis cannot do that in its current state.' },
  NOT_A_MEMBER: { kind: 'not_found', message: 'No such member organisation.' },
  CONTACT_NOT_FOUND: { kind: 'not_found', message: 'No such alert contact.' },
  CONTACT_EXISTS: { kind: 'conflict', message: 'This address is an alert contact of the organisation already.' },
  NO_WEBHOOK: { kind: 'conflict', message: 'The organisation has no webhook.' },
  ALERT_NOT_FOUND: { kind: 'not_found', message: 'No such alert.' },
  ALERT_STATE: { kind: 'conflict', message: 'The alert cannot do that in its current state.' },
  SIGHTING_NOT_MEMBER: { kind: 'forbidden', message: 'Sightings are reported by member organisations, each for itself.' },
  OBSERVATION_NOT_FOUND: { kind: 'not_found', message: 'No such observation.' },
  OBSERVATION_STATE: { kind: 'conflict', message: 'The observation cannot do that in its current state.' },
  STIX_REJECTED_STRICT: { kind: 'invalid', message: 'The STIX input has objects that cannot be imported and strict mode refuses any; nothing was saved.' },
  STIX_NOTHING_IMPORTED: { kind: 'invalid', message: 'No object of the STIX input could be imported; nothing was saved.' },
  ALERT_NOT_RECIPIENT: { kind: 'conflict', message: 'Your organisation is not a recipient of this alert, so there is nothing to acknowledge.' },
  MISP_INVALID: { kind: 'invalid', message: 'The MISP input has attributes or events that are not valid; nothing was imported.' },
  MISP_FEED_UNREACHABLE: { kind: 'unavailable', message: 'The MISP feed could not be read.' },
  ALERT_FLAGGED_INDICATORS: { kind: 'conflict', message: 'Indicators of this alert are on a warninglist (known false positives): confirm them, or remove them, before publishing.' },
  TAXII_NOT_ACCEPTABLE: { kind: 'not_acceptable', message: 'This TAXII server answers in application/taxii+json;version=2.1 only; ask for it in the Accept header.' },
  TAXII_UNSUPPORTED_MEDIA: { kind: 'unsupported', message: 'Send TAXII envelopes as application/taxii+json;version=2.1.' },
  TAXII_TOO_LARGE: { kind: 'too_large', message: 'The envelope is larger than the max_content_length of this API root.' },
  TAXII_API_ROOT_NOT_FOUND: { kind: 'not_found', message: 'No such TAXII API root.' },
  TAXII_COLLECTION_NOT_FOUND: { kind: 'not_found', message: 'No such TAXII collection.' },
  TAXII_OBJECT_NOT_FOUND: { kind: 'not_found', message: 'No such object in this collection.' },
  TAXII_STATUS_NOT_FOUND: { kind: 'not_found', message: 'No such status resource.' },
  TAXII_READ_ONLY: { kind: 'method_not_allowed', message: 'Objects in Baken collections come from the hub and cannot be deleted over TAXII; change or retract them in Baken.' },
} as const satisfies Record<string, { kind: ErrorKind; message: string }>;

export type ErrorName = keyof typeof ERRORS;
export type ErrorCode = `BAKEN_E_${ErrorName}`;

/** A problem with one field of the input, so a client can point at it. */
export interface FieldProblem {
  /** Where: a field name, a JSON pointer such as `/email`, or `line 12, field ip`. */
  field: string;
  message: string;
}

/**
 * @example
 * throw new BakenError('ORG_EXISTS', { detail: `"${name}" is taken` });
 */
export class BakenError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly detail: string | undefined;
  readonly problems: FieldProblem[];

  constructor(name: ErrorName, options: { detail?: string; problems?: FieldProblem[]; cause?: unknown } = {}) {
    const entry = ERRORS[name];
    super(options.detail ? `${entry.message} ${options.detail}` : entry.message, { cause: options.cause });
    this.name = 'BakenError';
    this.code = `BAKEN_E_${name}`;
    this.kind = entry.kind;
    this.detail = options.detail;
    this.problems = options.problems ?? [];
  }
}

/** Shorthand for a validation error on one field. */
export function invalid(field: string, message: string): BakenError {
  return new BakenError('VALIDATION', { detail: `${field}: ${message}`, problems: [{ field, message }] });
}
