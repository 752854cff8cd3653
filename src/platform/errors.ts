/**
 * The one catalogue of Baken's errors. Each has a stable code (`BAKEN_E_...`) that
 * clients and scripts may rely on, a kind, and its message in English (the API, logs) and Dutch (pages shown in
 * Dutch, see BakenError.messageIn). Domain code throws {@link BakenError};
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
  VALIDATION: { kind: 'invalid', message: 'The request is not valid.', nl: 'Het verzoek is niet geldig.' },
  BAD_INPUT: { kind: 'invalid', message: 'The input is not valid.', nl: 'De invoer is niet geldig.' },
  UNAUTHENTICATED: { kind: 'unauthenticated', message: 'Sign in or present an API key.', nl: 'Log in of gebruik een API-sleutel.' },
  BAD_CREDENTIALS: { kind: 'unauthenticated', message: 'Wrong email address or password.', nl: 'Onjuist e-mailadres of wachtwoord.' },
  KEY_INVALID: { kind: 'unauthenticated', message: 'The API key is unknown, revoked or expired.', nl: 'De API-sleutel is onbekend, ingetrokken of verlopen.' },
  FORBIDDEN: { kind: 'forbidden', message: 'You may not do this.', nl: 'U mag dit niet doen.' },
  CSRF: { kind: 'forbidden', message: 'The form has expired or did not come from this site; reload the page and try again.', nl: 'Het formulier is verlopen of kwam niet van deze site; laad de pagina opnieuw en probeer het nog eens.' },
  NOT_FOUND: { kind: 'not_found', message: 'Not found.', nl: 'Niet gevonden.' },
  ROUTE_NOT_FOUND: { kind: 'not_found', message: 'There is nothing at this address.', nl: 'Op dit adres staat niets.' },
  ORG_NOT_FOUND: { kind: 'not_found', message: 'No such organisation.', nl: 'Deze organisatie bestaat niet.' },
  USER_NOT_FOUND: { kind: 'not_found', message: 'No such user.', nl: 'Deze gebruiker bestaat niet.' },
  KEY_NOT_FOUND: { kind: 'not_found', message: 'No such API key.', nl: 'Deze API-sleutel bestaat niet.' },
  PORTAL_LINK: { kind: 'not_found', message: 'This link is unknown or has expired. Ask the sender of the notification for a new one.', nl: 'Deze link is onbekend of verlopen. Vraag de afzender van de melding om een nieuwe.' },
  ORG_EXISTS: { kind: 'conflict', message: 'An organisation with this name exists already.', nl: 'Er bestaat al een organisatie met deze naam.' },
  USER_EXISTS: { kind: 'conflict', message: 'A user with this email address exists already.', nl: 'Er bestaat al een gebruiker met dit e-mailadres.' },
  KEY_REVOKED: { kind: 'conflict', message: 'This API key has been revoked already.', nl: 'Deze API-sleutel is al ingetrokken.' },
  LAST_ADMIN: { kind: 'conflict', message: 'This would leave Baken without an active admin.', nl: 'Dan zou Baken geen actieve beheerder meer hebben.' },
  RATE_LIMITED: { kind: 'rate_limited', message: 'Too many attempts; wait a while and try again.', nl: 'Te veel pogingen; wacht even en probeer het opnieuw.' },
  TOO_LARGE: { kind: 'too_large', message: 'The request is too large.', nl: 'Het verzoek is te groot.' },
  UNSUPPORTED_MEDIA: { kind: 'unsupported', message: 'This content type is not supported here.', nl: 'Dit type inhoud wordt hier niet ondersteund.' },
  DATABASE_UNAVAILABLE: { kind: 'unavailable', message: 'The database cannot be reached.', nl: 'De database is niet bereikbaar.' },
  INTERNAL: { kind: 'unavailable', message: 'Something went wrong on our side; it has been logged.', nl: 'Er ging bij ons iets mis; het is vastgelegd.' },
  RPSL_UNREADABLE: { kind: 'invalid', message: 'An RPSL dump cannot be read.', nl: 'Een RPSL-bestand kan niet worden gelezen.' },
  RPSL_NOTHING_IMPORTED: { kind: 'invalid', message: 'Nothing could be imported from these RPSL files; the previous snapshot stays.', nl: 'Uit deze RPSL-bestanden kon niets worden ingelezen; de vorige momentopname blijft staan.' },
  RDAP_UNAVAILABLE: { kind: 'unavailable', message: 'The RDAP registry could not be reached or answered with an error.', nl: 'Het RDAP-register was niet bereikbaar of antwoordde met een fout.' },
  RDAP_TIMEOUT: { kind: 'unavailable', message: 'The RDAP registry did not answer in time.', nl: 'Het RDAP-register antwoordde niet op tijd.' },
  RDAP_BAD_RESPONSE: { kind: 'unavailable', message: 'The RDAP registry sent an answer that is not an RDAP IP network.', nl: 'Het RDAP-register gaf een antwoord dat geen RDAP-IP-netwerk is.' },
  RDAP_RATE_LIMITED: { kind: 'rate_limited', message: 'The RDAP registry asks us to slow down.', nl: 'Het RDAP-register vraagt ons langzamer te gaan.' },
  CASE_NOT_FOUND: { kind: 'not_found', message: 'No such case.', nl: 'Deze zaak bestaat niet.' },
  CASE_TRANSITION: { kind: 'conflict', message: 'The case cannot move to that state from its current one.', nl: 'De zaak kan vanuit haar huidige status niet naar die status.' },
  CASE_MERGE: { kind: 'conflict', message: 'These cases cannot be merged.', nl: 'Deze zaken kunnen niet worden samengevoegd.' },
  NO_HOSTS: { kind: 'invalid', message: 'The upload holds no valid host; nothing was saved.', nl: 'De upload bevat geen geldige host; er is niets opgeslagen.' },
  HOSTS_REJECTED_STRICT: { kind: 'invalid', message: 'The upload has lines that are not valid hosts and strict mode refuses any; nothing was saved.', nl: 'De upload heeft regels die geen geldige hosts zijn en de strikte modus weigert die; er is niets opgeslagen.' },
  EVIDENCE_TOO_LARGE: { kind: 'too_large', message: 'The evidence file is too large.', nl: 'Het bewijsbestand is te groot.' },
  INDICATOR_INVALID: { kind: 'invalid', message: 'The indicator is not valid.', nl: 'De indicator is niet geldig.' },
  INDICATOR_NOT_FOUND: { kind: 'not_found', message: 'No such indicator.', nl: 'Deze indicator bestaat niet.' },
  NO_INDICATORS: { kind: 'invalid', message: 'The import holds no valid indicator; nothing was saved.', nl: 'De import bevat geen geldige indicator; er is niets opgeslagen.' },
  INDICATORS_REJECTED_STRICT: { kind: 'invalid', message: 'The import has lines that are not valid indicators and strict mode refuses any; nothing was saved.', nl: 'De import heeft regels die geen geldige indicatoren zijn en de strikte modus weigert die; er is niets opgeslagen.' },
  ANALYSIS_NOT_FOUND: { kind: 'not_found', message: 'No such analysis.', nl: 'Deze analyse bestaat niet.' },
  ANALYSIS_STATE: { kind: 'conflict', message: 'The analysis cannot do that in its current state.', nl: 'De analyse kan dat in haar huidige status niet.' },
  NOT_A_MEMBER: { kind: 'not_found', message: 'No such member organisation.', nl: 'Deze aangesloten organisatie bestaat niet.' },
  CONTACT_NOT_FOUND: { kind: 'not_found', message: 'No such alert contact.', nl: 'Dit meldingscontact bestaat niet.' },
  CONTACT_EXISTS: { kind: 'conflict', message: 'This address is an alert contact of the organisation already.', nl: 'Dit adres is al een meldingscontact van de organisatie.' },
  NO_WEBHOOK: { kind: 'conflict', message: 'The organisation has no webhook.', nl: 'De organisatie heeft geen webhook.' },
  ALERT_NOT_FOUND: { kind: 'not_found', message: 'No such alert.', nl: 'Deze melding bestaat niet.' },
  ALERT_STATE: { kind: 'conflict', message: 'The alert cannot do that in its current state.', nl: 'De melding kan dat in haar huidige status niet.' },
  SIGHTING_NOT_MEMBER: { kind: 'forbidden', message: 'Sightings are reported by member organisations, each for itself.', nl: 'Waarnemingen worden gemeld door aangesloten organisaties, elk voor zichzelf.' },
  OBSERVATION_NOT_FOUND: { kind: 'not_found', message: 'No such observation.', nl: 'Deze observatie bestaat niet.' },
  OBSERVATION_STATE: { kind: 'conflict', message: 'The observation cannot do that in its current state.', nl: 'De observatie kan dat in haar huidige status niet.' },
  STIX_REJECTED_STRICT: { kind: 'invalid', message: 'The STIX input has objects that cannot be imported and strict mode refuses any; nothing was saved.', nl: 'De STIX-invoer heeft objecten die niet kunnen worden ingelezen en de strikte modus weigert die; er is niets opgeslagen.' },
  STIX_NOTHING_IMPORTED: { kind: 'invalid', message: 'No object of the STIX input could be imported; nothing was saved.', nl: 'Geen enkel object van de STIX-invoer kon worden ingelezen; er is niets opgeslagen.' },
  ALERT_NOT_RECIPIENT: { kind: 'conflict', message: 'Your organisation is not a recipient of this alert, so there is nothing to acknowledge.', nl: 'Uw organisatie is geen ontvanger van deze melding, dus er valt niets te bevestigen.' },
  MISP_INVALID: { kind: 'invalid', message: 'The MISP input has attributes or events that are not valid; nothing was imported.', nl: 'De MISP-invoer heeft attributen of events die niet geldig zijn; er is niets ingelezen.' },
  MISP_FEED_UNREACHABLE: { kind: 'unavailable', message: 'The MISP feed could not be read.', nl: 'De MISP-feed kon niet worden gelezen.' },
  ALERT_FLAGGED_INDICATORS: { kind: 'conflict', message: 'Indicators of this alert are on a warninglist (known false positives): confirm them, or remove them, before publishing.', nl: 'Indicatoren van deze melding staan op een warninglist (bekende valse positieven): bevestig of verwijder ze voordat u publiceert.' },
  TAXII_NOT_ACCEPTABLE: { kind: 'not_acceptable', message: 'This TAXII server answers in application/taxii+json;version=2.1 only; ask for it in the Accept header.', nl: 'Deze TAXII-server antwoordt alleen in application/taxii+json;version=2.1; vraag daarom in de Accept-header.' },
  TAXII_UNSUPPORTED_MEDIA: { kind: 'unsupported', message: 'Send TAXII envelopes as application/taxii+json;version=2.1.', nl: 'Stuur TAXII-envelopes als application/taxii+json;version=2.1.' },
  TAXII_TOO_LARGE: { kind: 'too_large', message: 'The envelope is larger than the max_content_length of this API root.', nl: 'De envelope is groter dan de max_content_length van deze API-root.' },
  TAXII_API_ROOT_NOT_FOUND: { kind: 'not_found', message: 'No such TAXII API root.', nl: 'Deze TAXII-API-root bestaat niet.' },
  TAXII_COLLECTION_NOT_FOUND: { kind: 'not_found', message: 'No such TAXII collection.', nl: 'Deze TAXII-collectie bestaat niet.' },
  TAXII_OBJECT_NOT_FOUND: { kind: 'not_found', message: 'No such object in this collection.', nl: 'Dit object staat niet in deze collectie.' },
  TAXII_STATUS_NOT_FOUND: { kind: 'not_found', message: 'No such status resource.', nl: 'Deze statusresource bestaat niet.' },
  TAXII_READ_ONLY: { kind: 'method_not_allowed', message: 'Objects in Baken collections come from the hub and cannot be deleted over TAXII; change or retract them in Baken.', nl: 'Objecten in Baken-collecties komen van de hub en kunnen niet via TAXII worden verwijderd; wijzig of trek ze in Baken in.' },
} as const satisfies Record<string, { kind: ErrorKind; message: string; nl: string }>;

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

  /** The message in the reader's language; the detail, written by the code that threw, stays as it was given. */
  messageIn(language: 'en' | 'nl'): string {
    const entry = ERRORS[this.code.slice('BAKEN_E_'.length) as ErrorName];
    const head = language === 'nl' ? entry.nl : entry.message;
    return this.detail ? `${head} ${this.detail}` : head;
  }
}

/** Shorthand for a validation error on one field. */
export function invalid(field: string, message: string): BakenError {
  return new BakenError('VALIDATION', { detail: `${field}: ${message}`, problems: [{ field, message }] });
}
