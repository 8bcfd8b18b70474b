// PURE: RunTask's / CreateService's placementStrategy and placementConstraints (and a task
// definition's placementConstraints) read and checked into typed rules, with the limits the
// ECS API reference states: at most 5 strategy rules, at most 10 constraints per task counting
// the task definition's, expressions up to 2000 characters. Bad input is an
// InvalidParameterException that says which rule and why.
import { invalidParameter } from '../errors.ts';
import { parseQuery, QuerySyntaxError, type QueryNode } from './query-language.ts';

export type SpreadField = { kind: 'instance' } | { kind: 'attribute'; name: string };
export type Strategy =
  | { type: 'random' }
  | { type: 'binpack'; field: 'cpu' | 'memory' }
  | { type: 'spread'; field: SpreadField };
export type Constraint =
  | { type: 'distinctInstance' }
  | { type: 'memberOf'; expression: string; query: QueryNode };

export const MAX_STRATEGIES = 5;
export const MAX_CONSTRAINTS = 10;
export const MAX_EXPRESSION_LENGTH = 2000;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function readStrategies(raw: unknown): Strategy[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParameter('placementStrategy must be a list.');
  if (raw.length > MAX_STRATEGIES) throw invalidParameter(`placementStrategy can have at most ${MAX_STRATEGIES} rules; got ${raw.length}.`);
  return raw.map((item, i) => readStrategy(item, i));
}

function readStrategy(item: unknown, i: number): Strategy {
  const where = `placementStrategy[${i}]`;
  if (!isObject(item)) throw invalidParameter(`${where} must be an object with a type.`);
  const { type, field } = item;
  if (field !== undefined && field !== null && typeof field !== 'string') throw invalidParameter(`${where}.field must be a string.`);
  switch (type) {
    case 'random':
      return { type: 'random' };
    case 'binpack': {
      const f = typeof field === 'string' ? field.toLowerCase() : '';
      if (f !== 'cpu' && f !== 'memory') throw invalidParameter(`${where}: binpack needs field cpu or memory, not '${field ?? ''}'.`);
      return { type: 'binpack', field: f };
    }
    case 'spread': {
      if (typeof field !== 'string' || field === '') throw invalidParameter(`${where}: spread needs a field (instanceId, host or attribute:<name>).`);
      if (field.toLowerCase() === 'instanceid' || field.toLowerCase() === 'host') return { type: 'spread', field: { kind: 'instance' } };
      const name = field.startsWith('attribute:') ? field.slice('attribute:'.length) : '';
      if (!/^[A-Za-z0-9_./\\-]{1,128}$/.test(name)) {
        throw invalidParameter(`${where}: spread field '${field}' is not instanceId, host or attribute:<name>.`);
      }
      return { type: 'spread', field: { kind: 'attribute', name } };
    }
    default:
      throw invalidParameter(`${where}: type must be random, spread or binpack, not '${String(type)}'.`);
  }
}

/** The caller's constraints plus the task definition's (memberOf only there), checked together. */
export function readConstraints(raw: unknown, fromTaskDefinition: unknown = []): Constraint[] {
  const own = listOf(raw, 'placementConstraints');
  const inherited = listOf(fromTaskDefinition, 'taskDefinition.placementConstraints');
  if (own.length + inherited.length > MAX_CONSTRAINTS) {
    throw invalidParameter(`A task can have at most ${MAX_CONSTRAINTS} placement constraints, including its task definition's; got ${own.length + inherited.length}.`);
  }
  return [
    ...own.map((c, i) => readConstraint(c, `placementConstraints[${i}]`)),
    ...inherited.map((c, i) => readConstraint(c, `taskDefinition.placementConstraints[${i}]`)),
  ];
}

function listOf(raw: unknown, what: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParameter(`${what} must be a list.`);
  return raw;
}

function readConstraint(item: unknown, where: string): Constraint {
  if (!isObject(item)) throw invalidParameter(`${where} must be an object with a type.`);
  const { type, expression } = item;
  if (expression !== undefined && expression !== null && typeof expression !== 'string') throw invalidParameter(`${where}.expression must be a string.`);
  switch (type) {
    case 'distinctInstance':
      if (typeof expression === 'string' && expression !== '') throw invalidParameter(`${where}: distinctInstance takes no expression.`);
      return { type: 'distinctInstance' };
    case 'memberOf': {
      if (typeof expression !== 'string' || expression.trim() === '') throw invalidParameter(`${where}: memberOf needs an expression.`);
      return { type: 'memberOf', expression, query: parseExpression(expression, where) };
    }
    default:
      throw invalidParameter(`${where}: type must be distinctInstance or memberOf, not '${String(type)}'.`);
  }
}

/** A cluster query expression, or an InvalidParameterException naming where it went wrong. */
export function parseExpression(expression: string, where: string): QueryNode {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw invalidParameter(`${where}: the expression is longer than ${MAX_EXPRESSION_LENGTH} characters.`);
  try {
    return parseQuery(expression);
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw invalidParameter(`${where}: ${err.message}`);
    throw err;
  }
}
