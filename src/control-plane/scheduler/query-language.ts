// PURE: ECS's cluster query language (memberOf constraints, ListContainerInstances' filter) parsed
// into an AST. Grammar, loosest binding first:
//   expr    := and ( ('or' | '||') and )*
//   and     := unary ( ('and' | '&&') unary )*
//   unary   := ('not' | '!') unary | '(' expr ')' | subject operator [argument]
//   argument:= value | '[' value (',' value)* ']'        value: a bare word or a '…' / "…" string
// Subjects: attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt,
// runningTasksCount, task:group. A syntax error is a QuerySyntaxError carrying the 0-based offset
// where the parser gave up, so the API can say exactly where the expression went wrong.

export type FieldName = 'agentConnected' | 'agentVersion' | 'ec2InstanceId' | 'registeredAt' | 'runningTasksCount';
export type Subject = { kind: 'attribute'; name: string } | { kind: 'field'; name: FieldName } | { kind: 'taskGroup' };
export type Operator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'exists' | '!exists' | 'in' | '!in' | '=~' | '!~';

export type QueryNode =
  | { type: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { type: 'not'; operand: QueryNode }
  | { type: 'compare'; subject: Subject; op: Operator; args: string[]; regex?: RegExp; precision?: 'day' | 'second' };

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';
  readonly expression: string;
  /** 0-based offset into the expression. */
  readonly position: number;
  readonly problem: string;
  constructor(expression: string, position: number, problem: string) {
    super(`Invalid expression '${expression}' at position ${position + 1}: ${problem}`);
    this.expression = expression;
    this.position = position;
    this.problem = problem;
  }
}

const WORD_OPERATORS: Record<string, Operator> = {
  equals: '==', not_equals: '!=', greater_than: '>', greater_than_equal: '>=', less_than: '<', less_than_equal: '<=',
  exists: 'exists', not_exists: '!exists', in: 'in', not_in: '!in', matches: '=~', not_matches: '!~',
};
const SYMBOL_OPERATORS = new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~']);
const ORDERING: Operator[] = ['==', '!=', '>', '>=', '<', '<='];
const SET_LIKE: Operator[] = ['==', '!=', 'in', '!in', '=~', '!~'];
/** The operators the ECS documentation lists for each field subject. */
const FIELD_OPERATORS: Record<FieldName, Operator[]> = {
  agentConnected: SET_LIKE, ec2InstanceId: SET_LIKE, agentVersion: ORDERING, registeredAt: ORDERING, runningTasksCount: ORDERING,
};
/** Attribute names as PutAttributes accepts them. */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_./\\-]{1,128}$/;
const STOP = new Set([...'()[],\'"=!<>&|~']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})?)?$/;

type Token =
  | { kind: 'word' | 'string'; text: string; pos: number }
  | { kind: 'symbol'; text: string; pos: number }
  | { kind: 'end'; text: ''; pos: number };

class Lexer {
  #i = 0;
  #peeked: Token | undefined;
  readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  fail(pos: number, problem: string): never {
    throw new QuerySyntaxError(this.src, pos, problem);
  }

  #skipSpace(): void {
    while (this.#i < this.src.length && /\s/.test(this.src[this.#i]!)) this.#i++;
  }

  peek(): Token {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  next(): Token {
    const t = this.peek();
    this.#peeked = undefined;
    return t;
  }

  #read(): Token {
    this.#skipSpace();
    const s = this.src;
    const pos = this.#i;
    if (pos >= s.length) return { kind: 'end', text: '', pos };
    const c = s[pos]!;
    if (c === "'" || c === '"') return { kind: 'string', text: this.#quoted(c), pos };
    const two = s.slice(pos, pos + 2);
    if (SYMBOL_OPERATORS.has(two) || two === '&&' || two === '||') return (this.#i += 2), { kind: 'symbol', text: two, pos };
    if ('()[],!<>'.includes(c)) return (this.#i += 1), { kind: 'symbol', text: c, pos };
    if (STOP.has(c)) this.fail(pos, `unexpected '${c}'`);
    while (this.#i < s.length && !/\s/.test(s[this.#i]!) && !STOP.has(s[this.#i]!)) this.#i++;
    return { kind: 'word', text: s.slice(pos, this.#i), pos };
  }

  #quoted(quote: string): string {
    const start = this.#i;
    const end = this.src.indexOf(quote, start + 1);
    if (end < 0) this.fail(start, 'unterminated quoted string');
    this.#i = end + 1;
    return this.src.slice(start + 1, end);
  }

  /** A regular expression argument, taken raw: up to whitespace or a ')' that closes an outer
   *  group, so `not(attribute:t =~ (a|b).*)` keeps the pattern's own parentheses. */
  regexArgument(): { text: string; pos: number } {
    if (this.#peeked) this.fail(this.#peeked.pos, 'internal: regex read after peek');
    this.#skipSpace();
    const pos = this.#i;
    const c = this.src[pos];
    if (c === "'" || c === '"') return { text: this.#quoted(c), pos };
    let depth = 0;
    let inClass = false;
    while (this.#i < this.src.length) {
      const ch = this.src[this.#i]!;
      if (ch === '\\') { this.#i += 2; continue; }
      if (inClass) inClass = ch !== ']';
      else if (ch === '[') inClass = true;
      else if (ch === '(') depth++;
      else if (ch === ')') { if (depth === 0) break; depth--; }
      else if (/\s/.test(ch) && depth === 0) break;
      this.#i++;
    }
    if (this.#i === pos) this.fail(pos, 'expected a regular expression');
    return { text: this.src.slice(pos, this.#i), pos };
  }
}

export function parseQuery(expression: string): QueryNode {
  const lx = new Lexer(expression);
  if (lx.peek().kind === 'end') lx.fail(0, 'the expression is empty');
  const node = parseOr(lx);
  const rest = lx.peek();
  if (rest.kind !== 'end') lx.fail(rest.pos, `unexpected '${rest.text}' (expected 'and', 'or' or the end)`);
  return node;
}

const isKeyword = (t: Token, ...words: string[]) => (t.kind === 'word' || t.kind === 'symbol') && words.includes(t.text.toLowerCase());

function parseOr(lx: Lexer): QueryNode {
  let left = parseAnd(lx);
  while (isKeyword(lx.peek(), 'or', '||')) {
    lx.next();
    left = { type: 'or', left, right: parseAnd(lx) };
  }
  return left;
}

function parseAnd(lx: Lexer): QueryNode {
  let left = parseUnary(lx);
  while (isKeyword(lx.peek(), 'and', '&&')) {
    lx.next();
    left = { type: 'and', left, right: parseUnary(lx) };
  }
  return left;
}

function parseUnary(lx: Lexer): QueryNode {
  const t = lx.peek();
  if (isKeyword(t, 'not', '!')) {
    lx.next();
    return { type: 'not', operand: parseUnary(lx) };
  }
  if (t.kind === 'symbol' && t.text === '(') {
    lx.next();
    const inner = parseOr(lx);
    const close = lx.next();
    if (close.kind !== 'symbol' || close.text !== ')') lx.fail(close.pos, close.kind === 'end' ? "missing ')'" : `expected ')', found '${close.text}'`);
    return inner;
  }
  return parseComparison(lx);
}

function parseSubject(lx: Lexer): Subject {
  const t = lx.next();
  if (t.kind !== 'word') lx.fail(t.pos, t.kind === 'end' ? 'expected a subject, found the end' : `expected a subject, found '${t.text}'`);
  if (t.text.startsWith('attribute:')) {
    const name = t.text.slice('attribute:'.length);
    if (!ATTRIBUTE_NAME.test(name)) lx.fail(t.pos, `'${name}' is not a valid attribute name`);
    return { kind: 'attribute', name };
  }
  if (t.text === 'task:group') return { kind: 'taskGroup' };
  if (Object.hasOwn(FIELD_OPERATORS, t.text)) return { kind: 'field', name: t.text as FieldName };
  return lx.fail(t.pos, `unknown subject '${t.text}' (expected attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount or task:group)`);
}

function parseOperator(lx: Lexer): Operator {
  const t = lx.next();
  if (t.kind === 'symbol' && SYMBOL_OPERATORS.has(t.text)) return t.text as Operator;
  if (t.kind === 'symbol' && (t.text === '>' || t.text === '<')) return t.text;
  if (t.kind === 'symbol' && t.text === '!') {
    const w = lx.next();
    if (w.kind === 'word' && (w.text === 'exists' || w.text === 'in')) return `!${w.text}`;
    lx.fail(w.pos, "expected 'exists' or 'in' after '!'");
  }
  if (t.kind === 'word' && Object.hasOwn(WORD_OPERATORS, t.text.toLowerCase())) return WORD_OPERATORS[t.text.toLowerCase()]!;
  return lx.fail(t.pos, t.kind === 'end' ? 'expected an operator, found the end' : `expected an operator, found '${t.text}'`);
}

function parseValue(lx: Lexer): string {
  const t = lx.next();
  if (t.kind === 'word' || t.kind === 'string') return t.text;
  return lx.fail(t.pos, t.kind === 'end' ? 'expected a value, found the end' : `expected a value, found '${t.text}'`);
}

function parseList(lx: Lexer): string[] {
  const open = lx.next();
  if (open.kind !== 'symbol' || open.text !== '[') lx.fail(open.pos, "expected an argument list '[a, b, …]'");
  const values = [parseValue(lx)];
  for (;;) {
    const t = lx.next();
    if (t.kind === 'symbol' && t.text === ']') return values;
    if (t.kind !== 'symbol' || t.text !== ',') lx.fail(t.pos, t.kind === 'end' ? "missing ']'" : `expected ',' or ']', found '${t.text}'`);
    values.push(parseValue(lx));
  }
}

function parseComparison(lx: Lexer): QueryNode {
  const subject = parseSubject(lx);
  const opPos = lx.peek().pos;
  const op = parseOperator(lx);
  const allowed = subject.kind === 'field' ? FIELD_OPERATORS[subject.name]
    : subject.kind === 'taskGroup' ? [...SET_LIKE, 'exists', '!exists'] : undefined;
  if (allowed && !allowed.includes(op)) lx.fail(opPos, `operator '${op}' cannot be used with ${subjectText(subject)}`);
  if (op === 'exists' || op === '!exists') return { type: 'compare', subject, op, args: [] };
  if (op === 'in' || op === '!in') return { type: 'compare', subject, op, args: parseList(lx) };
  if (op === '=~' || op === '!~') {
    const { text, pos } = lx.regexArgument();
    try {
      // Java's Pattern.matches, which ECS documents, matches the whole value.
      return { type: 'compare', subject, op, args: [text], regex: new RegExp(`^(?:${text})$`) };
    } catch (err) {
      return lx.fail(pos, `invalid regular expression: ${(err as Error).message}`);
    }
  }
  const valuePos = lx.peek().pos;
  const value = parseValue(lx);
  return { type: 'compare', subject, op, args: [value], ...checkFieldValue(lx, subject, value, valuePos) };
}

function checkFieldValue(lx: Lexer, s: Subject, value: string, pos: number): { precision?: 'day' | 'second' } {
  if (s.kind !== 'field') return {};
  switch (s.name) {
    case 'registeredAt':
      if (parseQueryDate(value) === undefined) lx.fail(pos, `'${value}' is not a date (use 2018-06-18, 2018-06-18T22:28:28, …Z or …+00:00)`);
      return { precision: value.includes('T') ? 'second' : 'day' };
    case 'runningTasksCount':
      if (!/^\d+$/.test(value)) lx.fail(pos, `'${value}' is not a whole number`);
      return {};
    case 'agentVersion':
      if (!/^\d+(\.\d+)*$/.test(value)) lx.fail(pos, `'${value}' is not a version like 1.14.5`);
      return {};
    case 'agentConnected':
      if (value !== 'true' && value !== 'false') lx.fail(pos, `'${value}' is not true or false`);
      return {};
    case 'ec2InstanceId':
      return {};
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** Epoch milliseconds of a registeredAt argument; a date or time without a zone is UTC. */
export function parseQueryDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const iso = m[4] === undefined ? `${text}T00:00:00Z` : m[7] === undefined ? `${text}Z` : text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export function subjectText(s: Subject): string {
  return s.kind === 'attribute' ? `attribute:${s.name}` : s.kind === 'taskGroup' ? 'task:group' : s.name;
}
