/**
 * Why an address, prefix or range was rejected. A closed set so callers (the hotline's per-line errors, the API's
 * error catalogue) can branch on it without parsing the message.
 */
export type IpParseReason =
  | 'empty'
  | 'whitespace'
  | 'invalid-character'
  | 'too-few-parts'
  | 'too-many-parts'
  | 'empty-part'
  | 'leading-zero'
  | 'octet-out-of-range'
  | 'zone-id'
  | 'brackets'
  | 'prefix-length-not-allowed'
  | 'group-too-long'
  | 'too-few-groups'
  | 'too-many-groups'
  | 'multiple-double-colons'
  | 'leading-colon'
  | 'trailing-colon'
  | 'empty-group'
  | 'misplaced-ipv4'
  | 'invalid-embedded-ipv4'
  | 'missing-prefix-length'
  | 'invalid-prefix-length'
  | 'prefix-length-out-of-range'
  | 'host-bits-set'
  | 'range-reversed'
  | 'mixed-families'
  | 'invalid-range';

/**
 * An IP address, CIDR prefix or range could not be parsed. The message names the input and says what is wrong
 * with it; `reason` is the same fact as a stable code.
 *
 * @example
 * try { parseIp('192.168.01.1') } catch (e) {
 *   if (e instanceof IpParseError) console.log(e.reason, e.message)
 *   // leading-zero "192.168.01.1" is not a valid IPv4 address: a part has a leading zero (ambiguous: octal or decimal?)
 * }
 */
export class IpParseError extends Error {
  override readonly name = 'IpParseError';
  constructor(
    readonly input: string,
    readonly reason: IpParseReason,
    message: string,
  ) {
    super(message);
  }
}

/** Quotes user input for an error message, cut short so a megabyte of garbage does not become the message. */
export function quoteInput(input: string): string {
  const shown = input.length > 60 ? `${input.slice(0, 57)}...` : input;
  return JSON.stringify(shown);
}
