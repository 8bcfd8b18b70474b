// Capacity providers through the real SDK: Create/Describe/Update/Delete with the FARGATE
// built-ins, cluster association (CreateCluster, PutClusterCapacityProviders) with its strategy
// rules, and RunTask refusing to launch through a provider (Dockhand has no Fargate, no ASGs).
import {
  ClientException,
  ClusterNotFoundException,
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DeleteCapacityProviderCommand,
  DeleteClusterCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  InvalidParameterException,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UnsupportedFeatureException,
  UpdateCapacityProviderCommand,
  type CapacityProviderStrategyItem,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { failure, useControlPlane } from './control-plane-fixture.ts';

const P = 'arn:aws:ecs:us-east-1:000000000000';
const asg = (name: string) => `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:9f8e:autoScalingGroupName/${name}`;
const env = useControlPlane({}, async ({ ecs }) => {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'cpt', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 16 }] }));
});

const create = (name: string, extra: Record<string, unknown> = {}) =>
  env.ecs.send(new CreateCapacityProviderCommand({ name, autoScalingGroupProvider: { autoScalingGroupArn: asg(name), ...extra } }));

describe('CreateCapacityProvider / DescribeCapacityProviders', () => {
  it('stores the provider with ECS defaults filled in, and describes it with the built-ins', async () => {
    const made = await env.ecs.send(new CreateCapacityProviderCommand({
      name: 'cp-a', tags: [{ key: 'k', value: 'v' }],
      autoScalingGroupProvider: { autoScalingGroupArn: asg('cp-a'), managedScaling: { status: 'ENABLED', targetCapacity: 80 }, managedTerminationProtection: 'ENABLED' },
    }));
    expect(made.capacityProvider).toEqual({
      capacityProviderArn: `${P}:capacity-provider/cp-a`, name: 'cp-a', status: 'ACTIVE', tags: [{ key: 'k', value: 'v' }],
      autoScalingGroupProvider: {
        autoScalingGroupArn: asg('cp-a'),
        managedScaling: { status: 'ENABLED', targetCapacity: 80, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
        managedTerminationProtection: 'ENABLED',
      },
    });
    const all = await env.ecs.send(new DescribeCapacityProvidersCommand({}));
    expect(all.capacityProviders!.map((p) => p.name)).toEqual(['FARGATE', 'FARGATE_SPOT', 'cp-a']);
    expect(all.capacityProviders![0]).toEqual({ capacityProviderArn: `${P}:capacity-provider/FARGATE`, name: 'FARGATE', status: 'ACTIVE', tags: [] });
    expect(all.capacityProviders![2]!.tags).toBeUndefined(); // tags only with include TAGS
    const named = await env.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: [`${P}:capacity-provider/cp-a`, 'ghost'], include: ['TAGS'] }));
    expect(named.capacityProviders!.map((p) => [p.name, p.tags])).toEqual([['cp-a', [{ key: 'k', value: 'v' }]]]);
    expect(named.failures).toEqual([{ arn: `${P}:capacity-provider/ghost`, reason: 'MISSING' }]);
  });

  it('pages 1..10 at a time', async () => {
    for (const n of ['p1', 'p2', 'p3']) await create(`cp-${n}`);
    const first = await env.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 4 }));
    expect(first.capacityProviders!.map((p) => p.name)).toEqual(['FARGATE', 'FARGATE_SPOT', 'cp-a', 'cp-p1']);
    const rest = await env.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 4, nextToken: first.nextToken }));
    expect(rest.capacityProviders!.map((p) => p.name)).toEqual(['cp-p2', 'cp-p3']);
    expect(rest.nextToken).toBeUndefined();
    expect(await failure(env.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 11 })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new DescribeCapacityProvidersCommand({ nextToken: 'bm90LWEtdG9rZW4' })))).toBeInstanceOf(InvalidParameterException);
  });

  it('validates the request', async () => {
    const bad = async (input: Record<string, unknown>) => failure(env.ecs.send(new CreateCapacityProviderCommand(input as never)));
    const provider = { autoScalingGroupArn: asg('x') };
    expect(await bad({ autoScalingGroupProvider: provider })).toBeInstanceOf(InvalidParameterException);
    expect(await bad({ name: 'has space', autoScalingGroupProvider: provider })).toBeInstanceOf(InvalidParameterException);
    for (const name of ['awsThing', 'ECS-x', 'fargate2']) {
      expect((await bad({ name, autoScalingGroupProvider: provider })).message, name).toMatch(/cannot begin with/);
    }
    expect((await bad({ name: 'x' })).message).toBe('autoScalingGroupProvider can not be blank.');
    expect((await bad({ name: 'x', autoScalingGroupProvider: {} })).message).toMatch(/autoScalingGroupArn can not be blank/);
    expect((await bad({ name: 'x', autoScalingGroupProvider: { autoScalingGroupArn: 'my-asg' } })).message).toMatch(/not an Auto Scaling group ARN/);
    for (const managedScaling of [{ targetCapacity: 0 }, { targetCapacity: 101 }, { minimumScalingStepSize: 5, maximumScalingStepSize: 2 }, { status: 'ON' }, { instanceWarmupPeriod: -1 }]) {
      expect(await bad({ name: 'x', autoScalingGroupProvider: { ...provider, managedScaling } }), JSON.stringify(managedScaling)).toBeInstanceOf(InvalidParameterException);
    }
    expect((await bad({ name: 'x', autoScalingGroupProvider: { ...provider, managedTerminationProtection: 'ENABLED' } })).message)
      .toMatch(/managed scaling setting must also be enabled/);
    expect(await failure(create('cp-a'))).toBeInstanceOf(ClientException); // exists
    const sameGroup = await failure(env.ecs.send(new CreateCapacityProviderCommand({ name: 'other', autoScalingGroupProvider: { autoScalingGroupArn: asg('cp-a') } })));
    expect(sameGroup).toBeInstanceOf(ClientException);
    expect(sameGroup.message).toMatch(/already being used by capacity provider 'cp-a'/);
  });
});

describe('UpdateCapacityProvider / DeleteCapacityProvider', () => {
  it('merges the update over the stored settings', async () => {
    await create('cp-u', { managedScaling: { status: 'ENABLED', targetCapacity: 50 } });
    const u = await env.ecs.send(new UpdateCapacityProviderCommand({ name: 'cp-u', autoScalingGroupProvider: { managedScaling: { instanceWarmupPeriod: 60 } } }));
    expect(u.capacityProvider).toMatchObject({
      name: 'cp-u', updateStatus: 'UPDATE_COMPLETE',
      autoScalingGroupProvider: { autoScalingGroupArn: asg('cp-u'), managedScaling: { status: 'ENABLED', targetCapacity: 50, instanceWarmupPeriod: 60 }, managedTerminationProtection: 'DISABLED' },
    });
    expect(await failure(env.ecs.send(new UpdateCapacityProviderCommand({ name: 'ghost', autoScalingGroupProvider: {} })))).toBeInstanceOf(ClientException);
    expect(await failure(env.ecs.send(new UpdateCapacityProviderCommand({ name: 'FARGATE', autoScalingGroupProvider: {} })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new UpdateCapacityProviderCommand({ name: 'cp-u', autoScalingGroupProvider: { managedScaling: { targetCapacity: 500 } } }))))
      .toBeInstanceOf(InvalidParameterException);
  });

  it('refuses to delete while a cluster uses the provider; deletes to INACTIVE after', async () => {
    await create('cp-d');
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'holder', capacityProviders: ['cp-d'] }));
    const inUse = await failure(env.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'cp-d' })));
    expect(inUse).toBeInstanceOf(ClientException);
    expect(inUse.message).toMatch(/associated with cluster\(s\) holder/);
    await env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'holder', capacityProviders: [], defaultCapacityProviderStrategy: [] }));
    const del = await env.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: `${P}:capacity-provider/cp-d` }));
    expect(del.capacityProvider).toMatchObject({ name: 'cp-d', status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' });
    const d = await env.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['cp-d'] }));
    expect(d.capacityProviders![0]!.status).toBe('INACTIVE');
    expect((await env.ecs.send(new DescribeCapacityProvidersCommand({}))).capacityProviders!.map((p) => p.name)).not.toContain('cp-d');
    expect(await failure(env.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'cp-d' })))).toBeInstanceOf(ClientException);
    expect(await failure(env.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'FARGATE_SPOT' })))).toBeInstanceOf(InvalidParameterException);
    // The name is free again.
    expect((await create('cp-d')).capacityProvider!.status).toBe('ACTIVE');
  });
});

describe('cluster association', () => {
  const strategy = (...items: CapacityProviderStrategyItem[]) => items;

  it('CreateCluster and PutClusterCapacityProviders set providers and the default strategy', async () => {
    await create('cp-c1');
    const made = await env.ecs.send(new CreateClusterCommand({
      clusterName: 'withcp', capacityProviders: ['cp-c1'], defaultCapacityProviderStrategy: strategy({ capacityProvider: 'cp-c1', weight: 1, base: 2 }),
    }));
    expect(made.cluster).toMatchObject({ capacityProviders: ['cp-c1'], defaultCapacityProviderStrategy: [{ capacityProvider: 'cp-c1', weight: 1, base: 2 }] });
    const put = await env.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'withcp', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: strategy({ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }),
    }));
    expect(put.cluster).toMatchObject({ clusterName: 'withcp', capacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    const d = await env.ecs.send(new DescribeClustersCommand({ clusters: ['withcp'], include: ['ATTACHMENTS'] }));
    expect(d.clusters![0]).toMatchObject({
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'], attachments: [], attachmentsStatus: 'UPDATE_COMPLETE',
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }],
    });
    // cp-c1 was released by the Put, so it can be deleted now.
    await env.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'cp-c1' }));
  });

  it('validates providers and strategies', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'strat' }));
    await create('cp-s1');
    await create('cp-s2');
    const put = (capacityProviders: string[], defaultCapacityProviderStrategy: CapacityProviderStrategyItem[]) =>
      failure(env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'strat', capacityProviders, defaultCapacityProviderStrategy })));
    const cases: Array<[string[], CapacityProviderStrategyItem[], RegExp]> = [
      [['ghost'], [], /not in an ACTIVE state/],
      [['cp-s1', 'cp-s1'], [], /more than once/],
      [['cp-s1'], strategy({ capacityProvider: 'cp-s2', weight: 1 }), /not associated with the cluster/],
      [['cp-s1', 'cp-s2'], strategy({ capacityProvider: 'cp-s1', weight: 1, base: 1 }, { capacityProvider: 'cp-s2', weight: 1, base: 1 }), /only one capacity provider/],
      [['cp-s1'], strategy({ capacityProvider: 'cp-s1', weight: 1001 }), /weight/],
      [['cp-s1'], strategy({ capacityProvider: 'cp-s1', weight: 1, base: -1 }), /base/],
      [['cp-s1'], strategy({ capacityProvider: 'cp-s1', weight: 0 }), /weight greater than 0/],
      [['cp-s1', 'FARGATE'], strategy({ capacityProvider: 'cp-s1', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }), /cannot mix/],
    ];
    for (const [providers, strat, message] of cases) {
      const err = await put(providers, strat);
      expect(err, JSON.stringify([providers, strat])).toBeInstanceOf(InvalidParameterException);
      expect(err.message).toMatch(message);
    }
    await env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'strat', capacityProviders: ['cp-s1'], defaultCapacityProviderStrategy: [] }));
    // An Auto Scaling group provider belongs to one cluster at a time.
    const taken = await failure(env.ecs.send(new CreateClusterCommand({ clusterName: 'thief', capacityProviders: ['cp-s1'] })));
    expect(taken.message).toMatch(/already associated with cluster 'strat'/);
    expect(await failure(env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'strat', capacityProviders: undefined as never, defaultCapacityProviderStrategy: [] }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'strat', capacityProviders: [], defaultCapacityProviderStrategy: undefined as never }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'nope', capacityProviders: [], defaultCapacityProviderStrategy: [] }))))
      .toBeInstanceOf(ClusterNotFoundException);
    // Deleting the cluster frees its providers.
    await env.ecs.send(new DeleteClusterCommand({ cluster: 'strat' }));
    expect((await env.ecs.send(new CreateClusterCommand({ clusterName: 'thief', capacityProviders: ['cp-s1'] }))).cluster!.capacityProviders).toEqual(['cp-s1']);
  });

  it('RunTask through a capacity provider is refused with what to do instead', async () => {
    await env.ecs.send(new CreateClusterCommand({
      clusterName: 'fargatey', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    }));
    const explicit = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'fargatey', taskDefinition: 'cpt', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] })));
    expect(explicit).toBeInstanceOf(UnsupportedFeatureException);
    expect(explicit.message).toMatch(/Dockhand has no Fargate capacity.*launchType EC2 or EXTERNAL/);
    const byDefault = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'fargatey', taskDefinition: 'cpt' })));
    expect(byDefault).toBeInstanceOf(UnsupportedFeatureException);
    expect(byDefault.message).toMatch(/default capacity provider strategy of cluster fargatey/);
    const asgRun = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'thief', taskDefinition: 'cpt', capacityProviderStrategy: [{ capacityProvider: 'cp-s1', weight: 1 }] })));
    expect(asgRun).toBeInstanceOf(UnsupportedFeatureException);
    expect(asgRun.message).toMatch(/no Auto Scaling groups/);
    const both = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'fargatey', taskDefinition: 'cpt', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] })));
    expect(both).toBeInstanceOf(InvalidParameterException);
    const unassociated = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'fargatey', taskDefinition: 'cpt', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] })));
    expect(unassociated.message).toMatch(/not associated with the cluster/);
    // An explicit launchType bypasses the default strategy (then placement decides: no instances here).
    const ec2 = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'fargatey', taskDefinition: 'cpt', launchType: 'EC2' })));
    expect(ec2.message).toBe('No Container Instances were found in your cluster.');
  });
});
