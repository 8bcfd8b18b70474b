// PURE: a parsed cluster query (query-language.ts) evaluated against one container instance's
// facts. What ECS documents, read literally where it is explicit:
// - `attribute:stack != prod` selects instances that HAVE the attribute with another value (the
//   docs' "instances with the custom attribute stack unless the value is prod"); the negated
//   operators (!=, !in, !~) all need the attribute to exist. `not(…)` is the way to include
//   instances without it.
// - `task:group` is about the tasks on the instance: `== g` holds when any task there is in
//   group g (affinity); `not(task:group == g)` is the documented anti-affinity.
// - Ordering compares numbers as numbers, versions part by part, dates at the argument's precision.
import { parseQueryDate, type QueryNode, type Subject } from './query-language.ts';

export interface QueryFacts {
  /** Every attribute of the instance (the agent's, ECS's and custom ones), name → value. */
  attributes: ReadonlyArray<{ name?: string; value?: string }>;
  ec2InstanceId: string;
  agentConnected: boolean;
  agentVersion?: string;
  /** Epoch milliseconds. */
  registeredAt: number;
  runningTasksCount: number;
  /** Groups of the tasks on the instance that are meant to run (desired status not STOPPED). */
  taskGroups: Iterable<string>;
}

export function evaluateQuery(node: QueryNode, facts: QueryFacts): boolean {
  switch (node.type) {
    case 'and':
      return evaluateQuery(node.left, facts) && evaluateQuery(node.right, facts);
    case 'or':
      return evaluateQuery(node.left, facts) || evaluateQuery(node.right, facts);
    case 'not':
      return !evaluateQuery(node.operand, facts);
    case 'compare':
      return node.subject.kind === 'taskGroup'
        ? [...facts.taskGroups].some((g) => compare(node, g, 'text'))
          || (node.op === '!exists' && isEmpty(facts.taskGroups))
        : compare(node, valueOf(node.subject, facts), kindOf(node.subject));
    default: {
      const never: never = node;
      return never;
    }
  }
}

function isEmpty(groups: Iterable<string>): boolean {
  for (const _ of groups) return false;
  return true;
}

type ValueKind = 'text' | 'number' | 'version' | 'date';

function kindOf(s: Exclude<Subject, { kind: 'taskGroup' }>): ValueKind {
  if (s.kind === 'attribute') return 'text';
  return s.name === 'runningTasksCount' ? 'number' : s.name === 'agentVersion' ? 'version' : s.name === 'registeredAt' ? 'date' : 'text';
}

function valueOf(s: Exclude<Subject, { kind: 'taskGroup' }>, f: QueryFacts): string | number | undefined {
  if (s.kind === 'attribute') {
    const a = f.attributes.find((x) => x.name === s.name);
    // An attribute without a value exists, with the empty value.
    return a === undefined ? undefined : (a.value ?? '');
  }
  switch (s.name) {
    case 'agentConnected': return String(f.agentConnected);
    case 'agentVersion': return f.agentVersion || undefined;
    case 'ec2InstanceId': return f.ec2InstanceId;
    case 'registeredAt': return f.registeredAt;
    case 'runningTasksCount': return f.runningTasksCount;
    default: {
      const never: never = s;
      return never;
    }
  }
}

function compare(node: Extract<QueryNode, { type: 'compare' }>, value: string | number | undefined, kind: ValueKind): boolean {
  if (node.op === 'exists') return value !== undefined;
  if (node.op === '!exists') return value === undefined;
  if (value === undefined) return false;
  const arg = node.args[0] ?? '';
  switch (node.op) {
    case 'in': return node.args.some((a) => order(value, a, kind, node.precision) === 0);
    case '!in': return node.args.every((a) => order(value, a, kind, node.precision) !== 0);
    case '=~': return node.regex!.test(String(value));
    case '!~': return !node.regex!.test(String(value));
    case '==': return order(value, arg, kind, node.precision) === 0;
    case '!=': return order(value, arg, kind, node.precision) !== 0;
    case '>': return order(value, arg, kind, node.precision) > 0;
    case '>=': return order(value, arg, kind, node.precision) >= 0;
    case '<': return order(value, arg, kind, node.precision) < 0;
    case '<=': return order(value, arg, kind, node.precision) <= 0;
    default: {
      const never: never = node.op;
      return never;
    }
  }
}

/** Sign of value − argument. Text compares as numbers when both sides are numbers. */
function order(value: string | number, arg: string, kind: ValueKind, precision: 'day' | 'second' | undefined): number {
  switch (kind) {
    case 'number':
      return Math.sign(Number(value) - Number(arg));
    case 'version':
      return compareVersions(String(value), arg);
    case 'date': {
      // At the argument's precision: `registeredAt == 2018-06-18` is the whole day.
      const unit = precision === 'day' ? 86_400_000 : 1000;
      return Math.sign(Math.floor(Number(value) / unit) - Math.floor((parseQueryDate(arg) ?? 0) / unit));
    }
    case 'text': {
      const a = String(value);
      const numeric = a.trim() !== '' && arg.trim() !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(arg));
      if (numeric) return Math.sign(Number(a) - Number(arg));
      return a === arg ? 0 : a < arg ? -1 : 1;
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** "1.14.5" vs "1.9": part by part, numerically; missing parts are 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
