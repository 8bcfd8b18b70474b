// RunTask's placementStrategy and placementConstraints through the real SDK, against a control
// plane with several fake ACS agents registered with different resources and attributes.
import {
  CreateClusterCommand, InvalidParameterException, ListContainerInstancesCommand, PutAttributesCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, type Attribute, type PlacementConstraint, type PlacementStrategy,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { FakeAgent, type FakeAgentOptions } from './fake-agent.ts';
import { closedAfterEachTest, useControlPlane } from './control-plane-fixture.ts';

const agents = closedAfterEachTest<FakeAgent>();
let clusters = 0;

/** A fresh cluster with one connected fake agent per entry. */
async function clusterWith(...specs: Array<Partial<FakeAgentOptions> & { connect?: boolean }>): Promise<{ cluster: string; arns: string[] }> {
  const cluster = `place${++clusters}`;
  await env.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const arns: string[] = [];
  for (const spec of specs) {
    const a = await FakeAgent.register({ url: env.cp.url, cluster, ...spec });
    agents.push(a);
    if (spec.connect ?? true) await a.connect();
    arns.push(a.containerInstanceArn);
  }
  return { cluster, arns };
}

async function run(cluster: string, count: number, o: { strategy?: PlacementStrategy[]; constraints?: PlacementConstraint[]; taskDefinition?: string; group?: string } = {}) {
  const out = await env.ecs.send(new RunTaskCommand({
    cluster, taskDefinition: o.taskDefinition ?? 'small', count,
    ...(o.strategy ? { placementStrategy: o.strategy } : {}), ...(o.constraints ? { placementConstraints: o.constraints } : {}), ...(o.group ? { group: o.group } : {}),
  }));
  return { placed: (out.tasks ?? []).map((t) => t.containerInstanceArn!), failures: out.failures ?? [] };
}

const countBy = (arns: string[]) => arns.reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());
const zone = (az: string): Attribute[] => [{ name: 'ecs.availability-zone', value: az }];

const env = useControlPlane({ heartbeatIntervalMs: 500 }, async ({ ecs }) => {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'small', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 10, memory: 256 }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web80', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'gpu-only', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }],
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:gpu exists' }],
  }));
});

describe('RunTask placement strategies', () => {
  it('binpack memory fills the fullest instance that still fits before the next', async () => {
    const { cluster, arns: [small, big] } = await clusterWith({ memory: 1024 }, { memory: 4096 });
    const first = await run(cluster, 4, { strategy: [{ type: 'binpack', field: 'memory' }] });
    expect(first).toEqual({ placed: [small, small, small, small], failures: [] });
    const next = await run(cluster, 2, { strategy: [{ type: 'binpack', field: 'memory' }] });
    expect(next.placed).toEqual([big, big]);
  });

  it('binpack cpu packs by CPU left', async () => {
    const { cluster, arns: [lowCpu, highCpu] } = await clusterWith({ cpu: 30, memory: 8192 }, { cpu: 4096, memory: 2048 });
    const r = await run(cluster, 4, { strategy: [{ type: 'binpack', field: 'cpu' }] });
    expect(r.placed).toEqual([lowCpu, lowCpu, lowCpu, highCpu]);
  });

  it('spread instanceId puts the same number of the group on each instance', async () => {
    const { cluster, arns } = await clusterWith({}, {}, {});
    const r = await run(cluster, 6, { strategy: [{ type: 'spread', field: 'instanceId' }] });
    expect(r.failures).toEqual([]);
    expect([...countBy(r.placed).entries()].sort()).toEqual(arns.map((a) => [a, 2]).sort());
    // Another group starts from zero on every instance; the first group keeps spreading evenly.
    const other = await run(cluster, 3, { strategy: [{ type: 'spread', field: 'host' }], group: 'batch' });
    expect(new Set(other.placed)).toEqual(new Set(arns));
  });

  it('spread on attribute:ecs.availability-zone balances zones, chained with binpack inside a zone', async () => {
    const { cluster, arns: [a1, a2, b1] } = await clusterWith(
      { attributes: zone('az-a'), memory: 4096 }, { attributes: zone('az-a'), memory: 1024 }, { attributes: zone('az-b'), memory: 8192 },
    );
    const r = await run(cluster, 4, { strategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }] });
    const byZone = r.placed.map((arn) => (arn === b1 ? 'az-b' : 'az-a'));
    expect(byZone.filter((z) => z === 'az-a')).toHaveLength(2);
    expect(byZone.filter((z) => z === 'az-b')).toHaveLength(2);
    // Inside az-a, binpack chose the instance with less memory left.
    expect(r.placed.filter((arn) => arn !== b1)).toEqual([a2, a2]);
    expect(r.placed).not.toContain(a1);
  });

  it('random places every copy on some instance of the cluster', async () => {
    const { cluster, arns } = await clusterWith({}, {});
    const r = await run(cluster, 10, { strategy: [{ type: 'random' }] });
    expect(r.failures).toEqual([]);
    expect(r.placed).toHaveLength(10);
    for (const arn of r.placed) expect(arns).toContain(arn);
  });
});

describe('RunTask placement constraints', () => {
  it('memberOf with a custom attribute put by PutAttributes, and with a query on a built-in field', async () => {
    const { cluster, arns: [plain, tagged] } = await clusterWith({}, {});
    await env.ecs.send(new PutAttributesCommand({ cluster, attributes: [{ name: 'stack', value: 'prod', targetId: tagged }] }));
    const r = await run(cluster, 3, { constraints: [{ type: 'memberOf', expression: 'attribute:stack == prod' }] });
    expect(r).toEqual({ placed: [tagged, tagged, tagged], failures: [] });
    const none = await run(cluster, 1, { constraints: [{ type: 'memberOf', expression: 'attribute:stack in [dev, qa]' }] });
    expect(none.placed).toEqual([]);
    expect(none.failures).toEqual([
      { arn: plain, reason: 'MemberOf placement constraint unsatisfied.', detail: 'expression: attribute:stack in [dev, qa]' },
      { arn: tagged, reason: 'MemberOf placement constraint unsatisfied.', detail: 'expression: attribute:stack in [dev, qa]' },
    ]);
    const filtered = async (filter: string) => (await env.ecs.send(new ListContainerInstancesCommand({ cluster, filter }))).containerInstanceArns;
    expect(await filtered('task:group == family:small')).toEqual([tagged]);
    expect(await filtered('task:group !exists')).toEqual([plain]);
    const busy = await run(cluster, 1, { constraints: [{ type: 'memberOf', expression: 'runningTasksCount == 0 and not(task:group == family:small)' }] });
    expect(busy.placed).toEqual([plain]); // tagged already hosts family:small tasks
  });

  it("applies the task definition's own memberOf constraint", async () => {
    const { cluster, arns: [plain, gpu] } = await clusterWith({}, { attributes: [{ name: 'gpu', value: 'a10' }] });
    const r = await run(cluster, 2, { taskDefinition: 'gpu-only' });
    expect(r.placed).toEqual([gpu, gpu]);
    const both = await run(cluster, 1, { taskDefinition: 'gpu-only', constraints: [{ type: 'memberOf', expression: 'attribute:gpu != a10' }] });
    expect(both.failures.map((f) => [f.arn, f.reason])).toEqual([[plain, 'MemberOf placement constraint unsatisfied.'], [gpu, 'MemberOf placement constraint unsatisfied.']]);
  });

  it('distinctInstance: one task of the group per instance, the rest reported as failures', async () => {
    const { cluster, arns } = await clusterWith({}, {});
    const r = await run(cluster, 3, { constraints: [{ type: 'distinctInstance' }] });
    expect(new Set(r.placed)).toEqual(new Set(arns));
    expect(r.failures.map((f) => f.reason)).toEqual(['DistinctInstance placement constraint unsatisfied.', 'DistinctInstance placement constraint unsatisfied.']);
    // Another group is not held back by this one.
    const other = await run(cluster, 2, { constraints: [{ type: 'distinctInstance' }], group: 'other' });
    expect(new Set(other.placed)).toEqual(new Set(arns));
  });

  it('reports why each instance was refused: AGENT, RESOURCE:MEMORY, RESOURCE:PORTS', async () => {
    const { cluster, arns: [offline, tiny, ported] } = await clusterWith(
      { connect: false }, { memory: 100 }, { ports: ['22', '8080'] },
    );
    const r = await run(cluster, 1, { taskDefinition: 'web80', constraints: [] });
    expect(r.placed).toEqual([tiny]);
    const again = await run(cluster, 1, { taskDefinition: 'web80' });
    expect(again.failures).toEqual([
      { arn: offline, reason: 'AGENT' }, { arn: tiny, reason: 'RESOURCE:PORTS' }, { arn: ported, reason: 'RESOURCE:PORTS' },
    ]);
    await env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'huge', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 5000 }] }));
    const huge = await run(cluster, 1, { taskDefinition: 'huge' });
    expect(huge).toEqual({
      placed: [], failures: [{ arn: offline, reason: 'AGENT' }, { arn: tiny, reason: 'RESOURCE:MEMORY' }, { arn: ported, reason: 'RESOURCE:MEMORY' }],
    });
  });

  it('places GPU tasks only against registered GPUs, counting those already taken: RESOURCE:GPU otherwise', async () => {
    const { cluster, arns: [plain, twoGpus] } = await clusterWith({}, { gpus: ['GPU-a', 'GPU-b'] });
    await env.ecs.send(new RegisterTaskDefinitionCommand({
      family: 'gpu2', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8, resourceRequirements: [{ type: 'GPU', value: '2' }] }],
    }));
    const first = await run(cluster, 1, { taskDefinition: 'gpu2' });
    expect(first).toEqual({ placed: [twoGpus], failures: [] });
    const second = await run(cluster, 1, { taskDefinition: 'gpu2' });
    expect(second).toEqual({ placed: [], failures: [{ arn: plain, reason: 'RESOURCE:GPU' }, { arn: twoGpus, reason: 'RESOURCE:GPU' }] });
  });

  it('refuses bad strategies and expressions with InvalidParameterException naming the problem', async () => {
    const { cluster } = await clusterWith({});
    const refused = async (o: Parameters<typeof run>[2]) => {
      const err = await run(cluster, 1, o).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidParameterException);
      return (err as Error).message;
    };
    expect(await refused({ strategy: [{ type: 'binpack', field: 'disk' }] })).toMatch(/binpack needs field cpu or memory/);
    expect(await refused({ strategy: [{ type: 'spread', field: 'rack' }] })).toMatch(/not instanceId, host or attribute/);
    expect(await refused({ constraints: [{ type: 'memberOf', expression: 'attribute:stack = prod' }] }))
      .toMatch(/Invalid expression 'attribute:stack = prod' at position 17: unexpected '='/);
    expect(await refused({ constraints: [{ type: 'distinctInstance', expression: 'attribute:a exists' }] })).toMatch(/takes no expression/);
  });
});

describe('ListContainerInstances filter', () => {
  it('selects instances with the cluster query language, pages, and refuses a bad filter', async () => {
    const { cluster, arns: [a, b, c] } = await clusterWith({ attributes: zone('az-a') }, { attributes: zone('az-b') }, { attributes: zone('az-a'), connect: false });
    const list = async (filter: string, extra: { maxResults?: number; nextToken?: string } = {}) =>
      env.ecs.send(new ListContainerInstancesCommand({ cluster, filter, ...extra }));
    expect((await list('attribute:ecs.availability-zone == az-a')).containerInstanceArns).toEqual([a, c]);
    expect((await list('attribute:ecs.availability-zone == az-a and agentConnected == true')).containerInstanceArns).toEqual([a]);
    expect((await list('agentConnected == false or attribute:ecs.availability-zone =~ .*-b')).containerInstanceArns).toEqual([b, c]);
    expect((await list(`ec2InstanceId != nothing`)).containerInstanceArns).toEqual([a, b, c]);
    const page1 = await list('attribute:ecs.os-type exists', { maxResults: 2 });
    expect(page1.containerInstanceArns).toEqual([a, b]);
    const page2 = await list('attribute:ecs.os-type exists', { maxResults: 2, nextToken: page1.nextToken! });
    expect(page2).toMatchObject({ containerInstanceArns: [c] });
    expect(page2.nextToken).toBeUndefined();
    const err = await list('attribute:ecs.availability-zone in [az-a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toMatch(/filter: Invalid expression .* at position 41: missing '\]'/);
  });
});
