/**
 * A parser for the STIX 2.1 patterning language (STIX 2.1 part 9 and its ANTLR grammar): observation
 * expressions in brackets joined by AND, OR and FOLLOWEDBY with WITHIN, REPEATS and START/STOP qualifiers;
 * comparison expressions joined by AND and OR, with =, !=, <, >, <=, >=, IN, LIKE, MATCHES, ISSUBSET,
 * ISSUPERSET, NOT and EXISTS; object paths with quoted keys and list indexes; string, number, boolean,
 * timestamp, binary and hex literals. Keywords are upper case, as in the grammar. Pure.
 *
 * Operator precedence (lowest first): FOLLOWEDBY, OR, AND between observations; OR, AND between comparisons.
 */

export type PathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number | '*' };

export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'timestamp'; value: string }
  | { kind: 'binary'; value: string }
  | { kind: 'hex'; value: string };

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpression =
  | { kind: 'and' | 'or'; left: ComparisonExpression; right: ComparisonExpression }
  | { kind: 'test'; path: ObjectPath; negated: boolean; operator: ComparisonOperator; value: Literal | Literal[] }
  | { kind: 'exists'; path: ObjectPath };

export type Qualifier = { kind: 'within'; seconds: number } | { kind: 'repeats'; times: number } | { kind: 'startstop'; start: string; stop: string };

export type ObservationExpression =
  | { kind: 'observation'; comparison: ComparisonExpression; qualifiers: Qualifier[] }
  | { kind: 'group'; expression: ObservationExpression; qualifiers: Qualifier[] }
  | { kind: 'and' | 'or' | 'followedby'; left: ObservationExpression; right: ObservationExpression };

/** A pattern that does not parse: where (a character offset) and what. */
export class StixPatternError extends Error {
  override readonly name = 'StixPatternError';
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(`at character ${at + 1}: ${message}`);
  }
}

type Token =
  | { t: 'punct'; v: '[' | ']' | '(' | ')' | ':' | '.' | ',' | '*'; at: number }
  | { t: 'op'; v: '=' | '!=' | '<' | '>' | '<=' | '>='; at: number }
  | { t: 'word'; v: string; at: number }
  | { t: 'lit'; v: Literal; at: number }
  | { t: 'end'; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'IN', 'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES']);
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
// Sticky: matched where the tokenizer stands, without copying the rest of the pattern.
const NUMBER = /[+-]?(?:\d*\.\d+|0|[1-9]\d*)/y;
const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const quoted = (start: number): string => {
    // s[start] is the opening quote; only \' and \\ are escapes (the grammar's StringLiteral).
    let j = start + 1;
    let v = '';
    for (;;) {
      if (j >= s.length) throw new StixPatternError(start, 'a string is not closed with a single quote');
      const c = s[j]!;
      if (c === "'") return ((i = j + 1), v);
      if (c === '\\') {
        const n = s[j + 1];
        if (n !== "'" && n !== '\\') throw new StixPatternError(j, `"\\${n ?? ''}" is not an escape; only \\' and \\\\ are`);
        v += n;
        j += 2;
        continue;
      }
      v += c;
      j++;
    }
  };
  while (i < s.length) {
    const c = s[i]!;
    const at = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/.test(c)) {
      i++;
      continue;
    }
    if ('[]():.,*'.includes(c)) {
      // A dot followed by a digit starts a float (`.5`), as in the grammar.
      if (c === '.' && /\d/.test(s[i + 1] ?? '') && out.length > 0 && out[out.length - 1]!.t === 'word' && KEYWORDS.has((out[out.length - 1] as { v: string }).v)) {
        // fall through to numbers
      } else {
        out.push({ t: 'punct', v: c as '[', at });
        i++;
        continue;
      }
    }
    if (c === '=' || c === '<' || c === '>' || c === '!') {
      const two = s.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two, at });
        i += 2;
      } else if (c === '!') throw new StixPatternError(at, '"!" must be followed by "="');
      else {
        out.push({ t: 'op', v: c as '=', at });
        i++;
      }
      continue;
    }
    if (c === "'") {
      out.push({ t: 'lit', v: { kind: 'string', value: quoted(i) }, at });
      continue;
    }
    if ((c === 't' || c === 'b' || c === 'h') && s[i + 1] === "'") {
      const v = quoted(i + 1);
      if (c === 't') {
        if (!TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) throw new StixPatternError(at, `t'${v}' is not a timestamp (RFC 3339, UTC, ending in Z)`);
        out.push({ t: 'lit', v: { kind: 'timestamp', value: v }, at });
      } else if (c === 'b') {
        if (!BASE64.test(v)) throw new StixPatternError(at, `b'${v.slice(0, 40)}' is not base64`);
        out.push({ t: 'lit', v: { kind: 'binary', value: v }, at });
      } else {
        if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) throw new StixPatternError(at, `h'${v.slice(0, 40)}' is not pairs of hex digits`);
        out.push({ t: 'lit', v: { kind: 'hex', value: v }, at });
      }
      continue;
    }
    NUMBER.lastIndex = i;
    const num = /[\d.+-]/.test(c) ? NUMBER.exec(s) : null;
    if (num) {
      const text = num[0];
      i += text.length;
      out.push({ t: 'lit', v: text.includes('.') ? { kind: 'float', value: Number(text) } : { kind: 'int', value: Number(text) }, at });
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(s);
    if (word) {
      const w = word[0];
      i += w.length;
      if (w === 'true' || w === 'false') out.push({ t: 'lit', v: { kind: 'bool', value: w === 'true' }, at });
      else out.push({ t: 'word', v: w, at });
      continue;
    }
    throw new StixPatternError(at, `unexpected character "${c}"`);
  }
  out.push({ t: 'end', at: s.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === 'word' && t.v === v;
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }
  private expectPunct(v: string, what: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== v) throw new StixPatternError(t.at, `expected "${v}" ${what}, found ${describe(t)}`);
  }

  pattern(): ObservationExpression {
    const e = this.followedBy();
    const t = this.peek();
    if (t.t !== 'end') throw new StixPatternError(t.at, `expected AND, OR, FOLLOWEDBY or the end, found ${describe(t)}`);
    return e;
  }

  private followedBy(): ObservationExpression {
    let left = this.obsOr();
    while (this.isWord('FOLLOWEDBY')) {
      this.next();
      left = { kind: 'followedby', left, right: this.obsOr() };
    }
    return left;
  }
  private obsOr(): ObservationExpression {
    let left = this.obsAnd();
    while (this.isWord('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.obsAnd() };
    }
    return left;
  }
  private obsAnd(): ObservationExpression {
    let left = this.observation();
    while (this.isWord('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.observation() };
    }
    return left;
  }
  private observation(): ObservationExpression {
    const t = this.next();
    let e: ObservationExpression;
    if (t.t === 'punct' && t.v === '[') {
      const comparison = this.cmpOr();
      this.expectPunct(']', 'to close the observation expression');
      e = { kind: 'observation', comparison, qualifiers: [] };
    } else if (t.t === 'punct' && t.v === '(') {
      const inner = this.followedBy();
      this.expectPunct(')', 'to close the parenthesis');
      e = { kind: 'group', expression: inner, qualifiers: [] };
    } else throw new StixPatternError(t.at, `expected "[" to start an observation expression, found ${describe(t)}`);
    for (;;) {
      if (this.isWord('WITHIN')) {
        this.next();
        const n = this.next();
        if (n.t !== 'lit' || (n.v.kind !== 'int' && n.v.kind !== 'float') || n.v.value <= 0) throw new StixPatternError(n.at, 'WITHIN takes a positive number of seconds');
        const s = this.next();
        if (s.t !== 'word' || s.v !== 'SECONDS') throw new StixPatternError(s.at, 'expected SECONDS after WITHIN n');
        e.qualifiers.push({ kind: 'within', seconds: n.v.value });
      } else if (this.isWord('REPEATS')) {
        this.next();
        const n = this.next();
        if (n.t !== 'lit' || n.v.kind !== 'int' || n.v.value <= 0) throw new StixPatternError(n.at, 'REPEATS takes a positive whole number');
        const s = this.next();
        if (s.t !== 'word' || s.v !== 'TIMES') throw new StixPatternError(s.at, 'expected TIMES after REPEATS n');
        e.qualifiers.push({ kind: 'repeats', times: n.v.value });
      } else if (this.isWord('START')) {
        this.next();
        const a = this.next();
        if (a.t !== 'lit' || a.v.kind !== 'timestamp') throw new StixPatternError(a.at, "START takes a timestamp t'…Z'");
        const s = this.next();
        if (s.t !== 'word' || s.v !== 'STOP') throw new StixPatternError(s.at, 'expected STOP after START t');
        const b = this.next();
        if (b.t !== 'lit' || b.v.kind !== 'timestamp') throw new StixPatternError(b.at, "STOP takes a timestamp t'…Z'");
        if (Date.parse(b.v.value) <= Date.parse(a.v.value)) throw new StixPatternError(b.at, 'STOP must be later than START');
        e.qualifiers.push({ kind: 'startstop', start: a.v.value, stop: b.v.value });
      } else return e;
    }
  }

  private cmpOr(): ComparisonExpression {
    let left = this.cmpAnd();
    while (this.isWord('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.cmpAnd() };
    }
    return left;
  }
  private cmpAnd(): ComparisonExpression {
    let left = this.propTest();
    while (this.isWord('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.propTest() };
    }
    return left;
  }
  private propTest(): ComparisonExpression {
    if (this.isPunct('(')) {
      this.next();
      const e = this.cmpOr();
      this.expectPunct(')', 'to close the parenthesis');
      return e;
    }
    if (this.isWord('EXISTS')) {
      this.next();
      return { kind: 'exists', path: this.objectPath() };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isWord('NOT')) {
      this.next();
      negated = true;
    }
    const t = this.next();
    if (t.t === 'op') {
      const v = this.next();
      if (v.t !== 'lit') throw new StixPatternError(v.at, `expected a literal after "${t.v}", found ${describe(v)}`);
      if (t.v !== '=' && t.v !== '!=' && v.v.kind === 'bool') throw new StixPatternError(v.at, `"${t.v}" cannot compare a boolean`);
      return { kind: 'test', path, negated, operator: t.v, value: v.v };
    }
    if (t.t === 'word' && t.v === 'IN') {
      this.expectPunct('(', 'to start the set after IN');
      const values: Literal[] = [];
      if (!this.isPunct(')')) {
        for (;;) {
          const v = this.next();
          if (v.t !== 'lit') throw new StixPatternError(v.at, `expected a literal in the set, found ${describe(v)}`);
          values.push(v.v);
          if (!this.isPunct(',')) break;
          this.next();
        }
      }
      this.expectPunct(')', 'to close the set');
      return { kind: 'test', path, negated, operator: 'IN', value: values };
    }
    if (t.t === 'word' && (t.v === 'LIKE' || t.v === 'MATCHES' || t.v === 'ISSUBSET' || t.v === 'ISSUPERSET')) {
      const v = this.next();
      if (v.t !== 'lit' || v.v.kind !== 'string') throw new StixPatternError(v.at, `${t.v} takes a string literal`);
      if (t.v === 'MATCHES') {
        try {
          new RegExp(v.v.value, 'u');
        } catch {
          throw new StixPatternError(v.at, 'MATCHES takes a regular expression, and this one does not compile');
        }
      }
      return { kind: 'test', path, negated, operator: t.v, value: v.v };
    }
    throw new StixPatternError(t.at, `expected a comparison operator (=, !=, <, >, <=, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET), found ${describe(t)}`);
  }

  private objectPath(): ObjectPath {
    const t = this.next();
    if (t.t !== 'word' || KEYWORDS.has(t.v)) throw new StixPatternError(t.at, `expected an object type such as ipv4-addr, found ${describe(t)}`);
    const objectType = t.v;
    this.expectPunct(':', `after the object type "${objectType}"`);
    const steps: PathStep[] = [];
    const first = this.next();
    if (first.t === 'word' && !first.v.includes('-')) steps.push({ kind: 'key', key: first.v });
    else if (first.t === 'lit' && first.v.kind === 'string') steps.push({ kind: 'key', key: first.v.value });
    else throw new StixPatternError(first.at, `expected a property name after "${objectType}:", found ${describe(first)}`);
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const k = this.next();
        if (k.t === 'word' && !k.v.includes('-')) steps.push({ kind: 'key', key: k.v });
        else if (k.t === 'lit' && k.v.kind === 'string') steps.push({ kind: 'key', key: k.v.value });
        else throw new StixPatternError(k.at, `expected a property name after ".", found ${describe(k)}${k.t === 'word' ? " (quote names with a hyphen: 'SHA-256')" : ''}`);
      } else if (this.isPunct('[')) {
        this.next();
        const k = this.next();
        if (k.t === 'punct' && k.v === '*') steps.push({ kind: 'index', index: '*' });
        else if (k.t === 'lit' && k.v.kind === 'int') steps.push({ kind: 'index', index: k.v.value });
        else throw new StixPatternError(k.at, `expected a list index or * in brackets, found ${describe(k)}`);
        this.expectPunct(']', 'to close the list index');
      } else return { objectType, steps };
    }
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'end':
      return 'the end of the pattern';
    case 'lit':
      return `the ${t.v.kind} ${t.v.kind === 'string' ? `'${t.v.value.slice(0, 40)}'` : String(t.v.value)}`;
    default:
      return `"${t.v}"`;
  }
}

const TYPE_NAME = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;

/** Checks the grammar cannot: object type names, and one SCO type per observation among comparisons joined by AND. */
function checkObservation(e: ObservationExpression): void {
  if (e.kind === 'observation') {
    checkComparison(e.comparison);
    return;
  }
  if (e.kind === 'group') return checkObservation(e.expression);
  checkObservation(e.left);
  checkObservation(e.right);
}

function checkComparison(c: ComparisonExpression): Set<string> {
  if (c.kind === 'test' || c.kind === 'exists') {
    const type = c.path.objectType;
    if (!TYPE_NAME.test(type) || type.includes('--')) throw new StixPatternError(0, `"${type}" is not an object type name (3 to 250 lower-case letters, digits and hyphens)`);
    return new Set([type]);
  }
  const l = checkComparison(c.left);
  const r = checkComparison(c.right);
  if (c.kind === 'and') {
    const all = new Set([...l, ...r]);
    if (all.size > 1) throw new StixPatternError(0, `comparisons joined by AND in one observation must be about one object type, not ${[...all].join(' and ')}`);
    return all;
  }
  return new Set([...l, ...r]);
}

/**
 * Parses a STIX pattern.
 * @throws {StixPatternError} with the character offset and what is wrong.
 * @example
 * parseStixPattern("[file:hashes.'SHA-256' = 'ab…']")
 * // { kind: 'observation', comparison: { kind: 'test', path: { objectType: 'file', steps: [{ kind: 'key', key: 'hashes' }, { kind: 'key', key: 'SHA-256' }] }, … } }
 */
export function parseStixPattern(pattern: string): ObservationExpression {
  if (pattern.trim() === '') throw new StixPatternError(0, 'the pattern is empty');
  const tokens = tokenize(pattern);
  const ast = new Parser(tokens).pattern();
  checkObservation(ast);
  return ast;
}

/** The path as STIX writes it: `file:hashes.'SHA-256'`. */
export function formatObjectPath(p: ObjectPath): string {
  const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;
  return `${p.objectType}:${p.steps
    .map((s, i) => {
      if (s.kind === 'index') return `[${s.index}]`;
      const k = ident.test(s.key) ? s.key : `'${s.key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      return i === 0 ? k : `.${k}`;
    })
    .join('')}`;
}
