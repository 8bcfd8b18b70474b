// UpdateCluster, UpdateClusterSettings, and DescribeClusters' include parts and counts, through
// the real SDK with a fake agent reporting task states over the real wire.
import {
  ClusterContainsServicesException,
  ClusterNotFoundException,
  CreateServiceCommand,
  DeleteServiceCommand,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  type Cluster,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { FakeAgent } from './fake-agent.ts';
import { failure, useControlPlane } from './control-plane-fixture.ts';

const agents: FakeAgent[] = [];
const env = useControlPlane({}, async ({ ecs }) => {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'cnt', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 16 }] }));
  return async () => {
    for (const a of agents) await a.close();
  };
});

const describeOne = async (cluster: string, include?: Array<'ATTACHMENTS' | 'CONFIGURATIONS' | 'SETTINGS' | 'STATISTICS' | 'TAGS'>): Promise<Cluster> =>
  (await env.ecs.send(new DescribeClustersCommand({ clusters: [cluster], ...(include ? { include } : {}) }))).clusters![0]!;

const execConfig = {
  executeCommandConfiguration: {
    kmsKeyId: 'key-1', logging: 'OVERRIDE' as const,
    logConfiguration: { cloudWatchLogGroupName: 'grp', cloudWatchEncryptionEnabled: true, s3BucketName: 'b', s3EncryptionEnabled: false, s3KeyPrefix: 'p/' },
  },
};

describe('UpdateCluster / UpdateClusterSettings', () => {
  it('updates settings, configuration and serviceConnectDefaults and answers the whole cluster', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'upd', tags: [{ key: 't', value: '1' }] }));
    const u = await env.ecs.send(new UpdateClusterCommand({
      cluster: 'upd', settings: [{ name: 'containerInsights', value: 'enabled' }], configuration: execConfig, serviceConnectDefaults: { namespace: 'svc.local' },
    }));
    expect(u.cluster).toMatchObject({
      clusterName: 'upd', status: 'ACTIVE', settings: [{ name: 'containerInsights', value: 'enabled' }], configuration: execConfig,
      serviceConnectDefaults: { namespace: 'svc.local' }, tags: [{ key: 't', value: '1' }],
    });
    const s = await env.ecs.send(new UpdateClusterSettingsCommand({ cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/upd', settings: [{ name: 'containerInsights', value: 'disabled' }] }));
    expect(s.cluster!.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
    expect(s.cluster!.configuration).toEqual(execConfig); // untouched
    // An empty namespace removes the Service Connect default.
    const cleared = await env.ecs.send(new UpdateClusterCommand({ cluster: 'upd', serviceConnectDefaults: { namespace: '' } }));
    expect(cleared.cluster!.serviceConnectDefaults).toBeUndefined();
  });

  it('validates the request', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const err = await failure(env.ecs.send(new UpdateClusterCommand({ cluster: 'upd', ...input } as never)));
      expect(err, JSON.stringify(input)).toBeInstanceOf(InvalidParameterException);
      return err.message;
    };
    expect(await bad({ settings: [{ name: 'insights', value: 'enabled' }] })).toMatch(/only cluster setting is containerInsights/);
    expect(await bad({ settings: [{ name: 'containerInsights', value: 'maybe' }] })).toMatch(/use enabled or disabled/);
    expect(await bad({ configuration: { executeCommandConfiguration: { logging: 'LOUD' } } })).toMatch(/NONE, DEFAULT or OVERRIDE/);
    expect(await bad({ configuration: { executeCommandConfiguration: { logging: 'OVERRIDE' } } })).toMatch(/required when logging is OVERRIDE/);
    expect(await bad({ configuration: { executeCommandConfiguration: { logging: 'NONE', logConfiguration: { s3BucketName: 'b' } } } })).toMatch(/only be given when logging is OVERRIDE/);
    expect(await bad({ serviceConnectDefaults: {} })).toMatch(/namespace can not be blank/);
    expect((await failure(env.ecs.send(new UpdateClusterCommand({ cluster: 'ghost' }))))).toBeInstanceOf(ClusterNotFoundException);
    expect((await failure(env.ecs.send(new UpdateClusterCommand({} as never)))).message).toBe('cluster can not be blank.');
    expect((await failure(env.ecs.send(new UpdateClusterSettingsCommand({ cluster: 'upd', settings: [] })))).message).toBe('settings can not be empty.');
    expect(await failure(env.ecs.send(new UpdateClusterSettingsCommand({ cluster: 'ghost', settings: [{ name: 'containerInsights', value: 'enabled' }] }))))
      .toBeInstanceOf(ClusterNotFoundException);
    expect(await failure(env.ecs.send(new CreateClusterCommand({ clusterName: 'badcfg', configuration: { executeCommandConfiguration: { logging: 'OVERRIDE' } } }))))
      .toBeInstanceOf(InvalidParameterException);
  });
});

describe('DescribeClusters include', () => {
  it('answers the optional parts only when asked', async () => {
    const plain = await describeOne('upd');
    expect(plain.tags).toEqual([]);
    expect(plain.statistics).toEqual([]);
    expect(plain.settings).toBeUndefined();
    expect(plain.configuration).toBeUndefined();
    expect(plain.attachments).toBeUndefined();
    const full = await describeOne('upd', ['TAGS', 'SETTINGS', 'CONFIGURATIONS', 'ATTACHMENTS', 'STATISTICS']);
    expect(full.tags).toEqual([{ key: 't', value: '1' }]);
    expect(full.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
    expect(full.configuration).toEqual(execConfig);
    expect(full.attachments).toEqual([]);
    expect(full.statistics!.map((s) => s.name)).toEqual([
      'runningEC2TasksCount', 'runningFargateTasksCount', 'pendingEC2TasksCount', 'pendingFargateTasksCount', 'runningExternalTasksCount',
      'pendingExternalTasksCount', 'activeEC2ServiceCount', 'activeFargateServiceCount', 'drainingEC2ServiceCount', 'drainingFargateServiceCount',
      'activeExternalServiceCount', 'drainingExternalServiceCount',
    ]);
    const err = await failure(env.ecs.send(new DescribeClustersCommand({ clusters: ['upd'], include: ['EVERYTHING' as never] })));
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('counts registered instances, running and pending tasks, per launch type in statistics', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'counts' }));
    const ext = await FakeAgent.register({ url: env.cp.url, cluster: 'counts' }); // ECS Anywhere → EXTERNAL tasks
    const ec2 = await FakeAgent.register({ url: env.cp.url, cluster: 'counts', external: false });
    agents.push(ext, ec2);
    await ext.connect();
    await ec2.connect();
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'counts', taskDefinition: 'cnt', count: 4, placementStrategy: [{ type: 'spread', field: 'instanceId' }] }));
    expect(run.tasks).toHaveLength(4);
    const onExt = run.tasks!.filter((t) => t.containerInstanceArn === ext.containerInstanceArn);
    const onEc2 = run.tasks!.filter((t) => t.containerInstanceArn === ec2.containerInstanceArn);
    expect(onExt.length).toBeGreaterThan(0);
    expect(onEc2.length).toBeGreaterThan(0);
    await ext.report(onExt[0]!.taskArn!, 'RUNNING', [{ containerName: 'c', status: 'RUNNING', runtimeId: 'r1' }]);
    await ec2.report(onEc2[0]!.taskArn!, 'RUNNING', [{ containerName: 'c', status: 'RUNNING', runtimeId: 'r2' }]);
    const c = await describeOne('counts', ['STATISTICS']);
    expect(c).toMatchObject({ registeredContainerInstancesCount: 2, runningTasksCount: 2, pendingTasksCount: 2, activeServicesCount: 0 });
    const stat = Object.fromEntries(c.statistics!.map((s) => [s.name, s.value]));
    expect(stat).toMatchObject({
      runningEC2TasksCount: '1', runningExternalTasksCount: '1', pendingEC2TasksCount: String(onEc2.length - 1),
      pendingExternalTasksCount: String(onExt.length - 1), runningFargateTasksCount: '0', activeEC2ServiceCount: '0',
    });
  });

  it('counts ACTIVE services, and refuses to delete a cluster that has them', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'svcs' }));
    await env.ecs.send(new CreateServiceCommand({ cluster: 'svcs', serviceName: 'a', taskDefinition: 'cnt', desiredCount: 0, launchType: 'EXTERNAL' }));
    await env.ecs.send(new CreateServiceCommand({ cluster: 'svcs', serviceName: 'b', taskDefinition: 'cnt', desiredCount: 0 }));
    const c = await describeOne('svcs', ['STATISTICS']);
    expect(c.activeServicesCount).toBe(2);
    const stat = Object.fromEntries(c.statistics!.map((s) => [s.name, s.value]));
    expect([stat.activeExternalServiceCount, stat.activeEC2ServiceCount]).toEqual(['1', '1']);
    const err = await failure(env.ecs.send(new DeleteClusterCommand({ cluster: 'svcs' })));
    expect(err).toBeInstanceOf(ClusterContainsServicesException);
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'svcs', service: 'a' }));
    expect((await describeOne('svcs')).activeServicesCount).toBe(1);
  });

  it('an INACTIVE cluster counts nothing and keeps its record', async () => {
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'gone', tags: [{ key: 'a', value: 'b' }] }));
    const del = await env.ecs.send(new DeleteClusterCommand({ cluster: 'gone' }));
    expect(del.cluster).toMatchObject({ status: 'INACTIVE', tags: [{ key: 'a', value: 'b' }], registeredContainerInstancesCount: 0 });
    expect((await describeOne('gone', ['STATISTICS'])).statistics).toEqual([]);
  });
});
