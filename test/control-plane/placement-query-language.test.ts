// The cluster query language on its own: parsing (AST and syntax errors with their position)
// and evaluation against an instance's facts, with the examples of the ECS developer guide.
import { describe, expect, it } from 'vitest';
import { evaluateQuery, compareVersions, type QueryFacts } from '../../src/control-plane/scheduler/query-eval.ts';
import { parseQuery, QuerySyntaxError } from '../../src/control-plane/scheduler/query-language.ts';

const facts = (o: Partial<QueryFacts> & { attrs?: Record<string, string | undefined> } = {}): QueryFacts => ({
  attributes: Object.entries(o.attrs ?? {}).map(([name, value]) => (value === undefined ? { name } : { name, value })),
  ec2InstanceId: o.ec2InstanceId ?? 'i-abcd1234',
  agentConnected: o.agentConnected ?? true,
  ...(o.agentVersion !== undefined ? { agentVersion: o.agentVersion } : { agentVersion: '1.83.0' }),
  registeredAt: o.registeredAt ?? Date.parse('2018-06-18T22:28:28Z'),
  runningTasksCount: o.runningTasksCount ?? 0,
  taskGroups: o.taskGroups ?? [],
});
const matches = (expr: string, f: QueryFacts) => evaluateQuery(parseQuery(expr), f);

function syntaxError(expr: string): QuerySyntaxError {
  try {
    parseQuery(expr);
  } catch (err) {
    if (err instanceof QuerySyntaxError) return err;
    throw err;
  }
  throw new Error(`'${expr}' parsed`);
}

describe('cluster query language: parsing', () => {
  it('builds the AST with not > and > or precedence and parentheses', () => {
    expect(parseQuery('attribute:a == 1 or attribute:b == 2 and not attribute:c exists')).toEqual({
      type: 'or',
      left: { type: 'compare', subject: { kind: 'attribute', name: 'a' }, op: '==', args: ['1'] },
      right: {
        type: 'and',
        left: { type: 'compare', subject: { kind: 'attribute', name: 'b' }, op: '==', args: ['2'] },
        right: { type: 'not', operand: { type: 'compare', subject: { kind: 'attribute', name: 'c' }, op: 'exists', args: [] } },
      },
    });
    const grouped = parseQuery('(attribute:a == 1 || attribute:b == 2) && !(task:group == db)');
    expect(grouped).toMatchObject({ type: 'and', left: { type: 'or' }, right: { type: 'not', operand: { subject: { kind: 'taskGroup' } } } });
  });

  it('reads symbolic and word operators, lists, quoted values and the documented subjects', () => {
    const ops = [
      ['attribute:x equals a', '=='], ['attribute:x not_equals a', '!='], ['runningTasksCount greater_than 1', '>'],
      ['runningTasksCount greater_than_equal 1', '>='], ['runningTasksCount less_than 1', '<'], ['runningTasksCount less_than_equal 1', '<='],
      ['attribute:x not_exists', '!exists'], ['attribute:x !exists', '!exists'], ['attribute:x in [a]', 'in'], ['attribute:x !in [a]', '!in'],
      ['attribute:x not_in [a]', '!in'], ['attribute:x matches a.*', '=~'], ['attribute:x not_matches a.*', '!~'], ['attribute:x !~ a', '!~'],
    ] as const;
    for (const [expr, op] of ops) expect(parseQuery(expr), expr).toMatchObject({ op });
    expect(parseQuery("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']")).toMatchObject({ subject: { kind: 'field', name: 'ec2InstanceId' }, args: ['i-abcd1234', 'i-wxyx7890'] });
    expect(parseQuery('attribute:stack=="prod west"')).toMatchObject({ op: '==', args: ['prod west'] });
    expect(parseQuery('registeredAt < 2018-02-13')).toMatchObject({ precision: 'day' });
    expect(parseQuery('registeredAt >= 2018-06-18T22:28:28+00:00')).toMatchObject({ precision: 'second' });
    // A regex keeps its own parentheses; the closing one of not( … ) is not part of it.
    expect(parseQuery('not(attribute:t =~ (t2|m5)\\..*)')).toMatchObject({ type: 'not', operand: { op: '=~', args: ['(t2|m5)\\..*'] } });
  });

  it('says where the expression went wrong (1-based position) and why', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 0, /empty/],
      ['attribute:stack', 15, /expected an operator, found the end/],
      ['attribute:stack === prod', 18, /unexpected '='/],
      ['color == red', 0, /unknown subject 'color'/],
      ['attribute:a == 1 and', 20, /expected a subject, found the end/],
      ['(attribute:a == 1', 17, /missing '\)'/],
      ['attribute:a == 1 attribute:b == 2', 17, /unexpected 'attribute:b'/],
      ['attribute:a in [x, y', 20, /missing '\]'/],
      ['attribute:a in x', 15, /expected an argument list/],
      ['attribute:a =~ (x', 15, /invalid regular expression/],
      ['runningTasksCount == many', 21, /not a whole number/],
      ['registeredAt > yesterday', 15, /not a date/],
      ['agentConnected > true', 15, /operator '>' cannot be used with agentConnected/],
      ['attribute:bad!name == x', 14, /expected 'exists' or 'in' after '!'/],
      ["attribute:a == 'open", 15, /unterminated quoted string/],
      ['attribute:a == x & attribute:b == y', 17, /unexpected '&'/],
    ];
    for (const [expr, position, problem] of cases) {
      const err = syntaxError(expr);
      expect(err.position, expr).toBe(position);
      expect(err.problem, expr).toMatch(problem);
      expect(err.message, expr).toContain(`at position ${position + 1}`);
    }
  });
});

describe('cluster query language: evaluation', () => {
  const t2 = facts({ attrs: { 'ecs.instance-type': 't2.small', 'ecs.availability-zone': 'us-east-1a', stack: 'prod', gpu: undefined } });
  const g2 = facts({ attrs: { 'ecs.instance-type': 'g2.2xlarge', 'ecs.availability-zone': 'us-east-1d' } });

  it('evaluates the developer guide examples', () => {
    expect(matches('attribute:ecs.instance-type == t2.small', t2)).toBe(true);
    expect(matches('attribute:ecs.instance-type == t2.small', g2)).toBe(false);
    expect(matches('attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', t2)).toBe(true);
    expect(matches('attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', g2)).toBe(false);
    expect(matches('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d', g2)).toBe(false);
    expect(matches('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1a', g2)).toBe(true);
    expect(matches('task:group == service:production', facts({ taskGroups: ['service:production'] }))).toBe(true);
    expect(matches('task:group == service:production', facts({ taskGroups: ['family:web'] }))).toBe(false);
    expect(matches('not(task:group == database)', facts({ taskGroups: ['database'] }))).toBe(false);
    expect(matches('not(task:group == database)', facts())).toBe(true);
    expect(matches('runningTasksCount == 1', facts({ runningTasksCount: 1 }))).toBe(true);
    expect(matches('agentVersion < 1.14.5', facts({ agentVersion: '1.9.0' }))).toBe(true);
    expect(matches('agentVersion < 1.14.5', facts({ agentVersion: '1.83.0' }))).toBe(false);
    expect(matches('registeredAt < 2018-02-13', facts({ registeredAt: Date.parse('2018-02-12T23:59:59Z') }))).toBe(true);
    expect(matches("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", facts())).toBe(true);
  });

  it('needs the attribute to exist for the negated operators; not(…) includes instances without it', () => {
    const none = facts();
    expect(matches('attribute:stack != prod', none)).toBe(false);
    expect(matches('attribute:stack != dev', t2)).toBe(true);
    expect(matches('attribute:stack !in [dev]', none)).toBe(false);
    expect(matches('attribute:stack !~ d.*', none)).toBe(false);
    expect(matches('not(attribute:stack == prod)', none)).toBe(true);
    expect(matches('attribute:gpu exists', t2)).toBe(true); // no value still exists
    expect(matches('attribute:gpu !exists', g2)).toBe(true);
    expect(matches('attribute:gpu == ""', t2)).toBe(true);
  });

  it('matches whole values with Java-style regexes, and orders numbers, versions and dates', () => {
    expect(matches('attribute:ecs.instance-type =~ t2', t2)).toBe(false); // whole value, as Pattern.matches
    expect(matches('attribute:ecs.instance-type =~ t2\\..*', t2)).toBe(true);
    expect(matches('attribute:cores > 9', facts({ attrs: { cores: '10' } }))).toBe(true); // numbers, not '10' < '9'
    expect(matches('attribute:zone > b', facts({ attrs: { zone: 'c' } }))).toBe(true);
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('1.14', '1.14.0')).toBe(0);
    expect(matches('registeredAt == 2018-06-18', facts())).toBe(true); // the whole day
    expect(matches('registeredAt == 2018-06-18T22:28:28Z', facts({ registeredAt: Date.parse('2018-06-18T22:28:28.750Z') }))).toBe(true);
    expect(matches('registeredAt > 2018-06-18T22:28:28', facts())).toBe(false);
    expect(matches('agentConnected == false', facts({ agentConnected: false }))).toBe(true);
    expect(matches('agentConnected in [true]', facts({ agentConnected: false }))).toBe(false);
    expect(matches('task:group !exists', facts())).toBe(true);
    expect(matches('task:group exists', facts({ taskGroups: ['x'] }))).toBe(true);
    expect(matches('task:group =~ service:.*', facts({ taskGroups: ['family:a', 'service:b'] }))).toBe(true);
  });
});
