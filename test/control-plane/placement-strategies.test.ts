// Placement strategies and constraints as pure functions: binpack, spread (instance and
// attribute), random, chained in order; memberOf and distinctInstance; and the checks on what
// callers send (readStrategies / readConstraints).
import { describe, expect, it } from 'vitest';
import { EcsError } from '../../src/control-plane/errors.ts';
import { placeTasks, type PlacementCandidate } from '../../src/control-plane/scheduler/placement.ts';
import { readConstraints, readStrategies, type Strategy } from '../../src/control-plane/scheduler/placement-spec.ts';

const needs = (cpu: number, memory: number, ports: number[] = []) => ({ cpu, memory, ports, portsUdp: [] });

function instance(arn: string, o: { cpu?: number; memory?: number; usedCpu?: number; usedMemory?: number; attrs?: Record<string, string>; groups?: Record<string, number>; connected?: boolean } = {}): PlacementCandidate {
  const attributes = Object.entries(o.attrs ?? {}).map(([name, value]) => ({ name, value }));
  return {
    arn,
    connected: o.connected ?? true,
    reserved: [needs(o.usedCpu ?? 0, o.usedMemory ?? 0)],
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: o.cpu ?? 1024 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: o.memory ?? 1024 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ],
    attributes: attributes.map((a) => a.name),
    facts: { attributes, ec2InstanceId: `i-${arn}`, agentConnected: o.connected ?? true, registeredAt: 0, runningTasksCount: 0 },
    groups: new Map(Object.entries(o.groups ?? {})),
  };
}

const strategies = (...raw: Array<{ type: string; field?: string }>): Strategy[] => readStrategies(raw);
/** A `random` that walks a fixed list, so a tie-break is the test's choice. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('placement strategies', () => {
  it('binpack memory fills the instance with the least memory left that still fits, then the next', () => {
    const candidates = [instance('a', { memory: 1000 }), instance('b', { memory: 600 }), instance('c', { memory: 2000, usedMemory: 1700 })];
    const r = placeTasks({ candidates, needs: needs(1, 200), count: 5, random: () => 0, strategies: strategies({ type: 'binpack', field: 'memory' }) });
    // c has 300 left → 1 task; b 600 → 3 tasks; then a.
    expect(r.placements).toEqual(['c', 'b', 'b', 'b', 'a']);
  });

  it('binpack cpu looks at CPU only', () => {
    const candidates = [instance('a', { cpu: 512, memory: 100 }), instance('b', { cpu: 2048, memory: 5000 })];
    const r = placeTasks({ candidates, needs: needs(256, 10), count: 3, random: () => 0, strategies: strategies({ type: 'binpack', field: 'cpu' }) });
    expect(r.placements).toEqual(['a', 'a', 'b']);
  });

  it('spread instanceId evens out the group, counting tasks already there and earlier copies', () => {
    const candidates = [instance('a', { groups: { 'family:web': 2 } }), instance('b'), instance('c', { groups: { 'family:other': 5 } })];
    const r = placeTasks({ candidates, needs: needs(1, 1), count: 4, random: () => 0, group: 'family:web', strategies: strategies({ type: 'spread', field: 'instanceId' }) });
    // b and c start at 0 for this group (c's other group does not count); a has 2.
    expect(r.placements).toEqual(['b', 'c', 'b', 'c']);
  });

  it('spread on an attribute balances zones, then a second rule picks inside the zone', () => {
    const zone = (arn: string, az: string, o: Parameters<typeof instance>[1] = {}) => instance(arn, { ...o, attrs: { 'ecs.availability-zone': az } });
    const candidates = [zone('a1', 'az-a', { memory: 800 }), zone('a2', 'az-a', { memory: 400 }), zone('b1', 'az-b', { memory: 4000 })];
    const r = placeTasks({
      candidates, needs: needs(1, 100), count: 4, random: () => 0, group: 'g',
      strategies: strategies({ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }),
    });
    // az-a, az-b alternate; inside az-a binpack prefers a2 (least memory left).
    expect(r.placements).toEqual(['a2', 'b1', 'a2', 'b1']);
  });

  it('random picks among all fitting instances, and breaks ties left by the other rules', () => {
    const candidates = [instance('a'), instance('b'), instance('c')];
    const r = placeTasks({ candidates, needs: needs(1, 1), count: 3, random: sequence(0.9, 0.0, 0.5), strategies: strategies({ type: 'random' }) });
    expect(r.placements).toEqual(['c', 'a', 'b']);
    const tie = placeTasks({ candidates, needs: needs(1, 1), count: 1, random: () => 0.99, group: 'g', strategies: strategies({ type: 'spread', field: 'host' }) });
    expect(tie.placements).toEqual(['c']);
  });
});

describe('placement constraints', () => {
  it('memberOf keeps to the instances the expression selects, and says so for the others', () => {
    const candidates = [instance('a', { attrs: { stack: 'prod' } }), instance('b', { attrs: { stack: 'dev' } }), instance('c')];
    const constraints = readConstraints([{ type: 'memberOf', expression: 'attribute:stack == prod' }]);
    const r = placeTasks({ candidates, needs: needs(1, 1), count: 2, random: () => 0.5, constraints });
    expect(r.placements).toEqual(['a', 'a']);
    const none = placeTasks({ candidates, needs: needs(1, 1), count: 1, random: () => 0, constraints: readConstraints([{ type: 'memberOf', expression: 'attribute:stack == qa' }]) });
    expect(none.placements).toEqual([]);
    expect(none.failures.map((f) => f.reason)).toEqual(Array(3).fill('MemberOf placement constraint unsatisfied.'));
  });

  it('memberOf with task:group sees the copies placed earlier in the same call', () => {
    const candidates = [instance('a'), instance('b', { groups: { db: 1 } })];
    const constraints = readConstraints([{ type: 'memberOf', expression: 'not(task:group == web)' }]);
    const r = placeTasks({ candidates, needs: needs(1, 1), count: 3, random: () => 0, group: 'web', constraints });
    expect(r.placements).toEqual(['a', 'b']); // then no instance is free of group web
    expect(r.failures.map((f) => f.reason)).toEqual(['MemberOf placement constraint unsatisfied.', 'MemberOf placement constraint unsatisfied.']);
  });

  it('distinctInstance puts each task of the group on its own instance', () => {
    const candidates = [instance('a', { groups: { web: 1 } }), instance('b'), instance('c')];
    const constraints = readConstraints([{ type: 'distinctInstance' }]);
    const r = placeTasks({ candidates, needs: needs(1, 1), count: 3, random: () => 0, group: 'web', constraints });
    expect(r.placements).toEqual(['b', 'c']);
    expect(r.failures).toEqual([
      { arn: 'a', reason: 'DistinctInstance placement constraint unsatisfied.' },
      { arn: 'b', reason: 'DistinctInstance placement constraint unsatisfied.' },
      { arn: 'c', reason: 'DistinctInstance placement constraint unsatisfied.' },
    ]);
  });

  it('reports the first failed requirement per instance: constraints, then AGENT, then resources', () => {
    const candidates = [
      instance('offline', { connected: false, attrs: { ok: '1' } }),
      instance('full', { cpu: 100, attrs: { ok: '1' } }),
      instance('outside'),
    ];
    const r = placeTasks({ candidates, needs: needs(200, 1), count: 1, random: () => 0, constraints: readConstraints([{ type: 'memberOf', expression: 'attribute:ok exists' }]) });
    expect(r.failures).toEqual([
      { arn: 'offline', reason: 'AGENT' },
      { arn: 'full', reason: 'RESOURCE:CPU' },
      { arn: 'outside', reason: 'MemberOf placement constraint unsatisfied.', detail: 'expression: attribute:ok exists' },
    ]);
  });
});

describe('reading placementStrategy and placementConstraints', () => {
  const refused = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(EcsError);
      expect((err as EcsError).type).toBe('InvalidParameterException');
      return (err as EcsError).message;
    }
    throw new Error('accepted');
  };

  it('accepts the documented forms', () => {
    expect(strategies({ type: 'binpack', field: 'MEMORY' }, { type: 'spread', field: 'host' }, { type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'random', field: 'ignored' }))
      .toEqual([
        { type: 'binpack', field: 'memory' }, { type: 'spread', field: { kind: 'instance' } },
        { type: 'spread', field: { kind: 'attribute', name: 'ecs.availability-zone' } }, { type: 'random' },
      ]);
    expect(readConstraints([{ type: 'distinctInstance' }], [{ type: 'memberOf', expression: 'attribute:a exists' }])).toHaveLength(2);
  });

  it('refuses bad rules with a message naming the rule', () => {
    expect(refused(() => readStrategies([{ type: 'binpack', field: 'disk' }]))).toMatch(/placementStrategy\[0\]: binpack needs field cpu or memory/);
    expect(refused(() => readStrategies([{ type: 'spread' }]))).toMatch(/spread needs a field/);
    expect(refused(() => readStrategies([{ type: 'spread', field: 'zone' }]))).toMatch(/not instanceId, host or attribute/);
    expect(refused(() => readStrategies([{ type: 'fastest' }]))).toMatch(/type must be random, spread or binpack/);
    expect(refused(() => readStrategies(Array(6).fill({ type: 'random' })))).toMatch(/at most 5/);
    expect(refused(() => readConstraints([{ type: 'distinctInstance', expression: 'attribute:a exists' }]))).toMatch(/takes no expression/);
    expect(refused(() => readConstraints([{ type: 'memberOf' }]))).toMatch(/memberOf needs an expression/);
    expect(refused(() => readConstraints([{ type: 'memberOf', expression: 'attribute:a ==' }]))).toMatch(/placementConstraints\[0\]: Invalid expression 'attribute:a ==' at position 15/);
    expect(refused(() => readConstraints(Array(6).fill({ type: 'distinctInstance' }), Array(5).fill({ type: 'memberOf', expression: 'attribute:a exists' }))))
      .toMatch(/at most 10 placement constraints, including its task definition's; got 11/);
    expect(refused(() => readConstraints([{ type: 'memberOf', expression: `attribute:a == ${'x'.repeat(2000)}` }]))).toMatch(/longer than 2000/);
  });
});
