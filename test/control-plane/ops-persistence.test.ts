// Capacity providers, account settings, cluster configuration/associations and tags live in the
// SQLite store: a restarted control plane on the same data directory answers them the same.
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  ListAccountSettingsCommand,
  ListTagsForResourceCommand,
  PutAccountSettingCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateClusterCommand,
} from '@aws-sdk/client-ecs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../../src/control-plane/index.ts';
import { useTempDirs } from '../temp-dirs.ts';
import { ecsClient } from './fake-agent.ts';

const tempDir = useTempDirs();

describe('the rest of the API across a restart', () => {
  it('keeps capacity providers, account settings, cluster settings and tags', async () => {
    const dataDir = tempDir('dockhand-ops-');
    const asg = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/keep';
    const snapshot = async (url: string) => {
      const ecs = ecsClient(url);
      try {
        return {
          providers: (await ecs.send(new DescribeCapacityProvidersCommand({ include: ['TAGS'] }))).capacityProviders,
          settings: (await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }))).settings,
          cluster: (await ecs.send(new DescribeClustersCommand({ clusters: ['keep'], include: ['CONFIGURATIONS', 'SETTINGS', 'TAGS'] }))).clusters,
          tdTags: (await ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/keep:1' }))).tags,
        };
      } finally {
        ecs.destroy();
      }
    };

    const first = await startControlPlane({ logger: pino({ level: 'silent' }), port: 0, dataDir });
    const ecs = ecsClient(first.url);
    await ecs.send(new CreateCapacityProviderCommand({ name: 'keep-cp', autoScalingGroupProvider: { autoScalingGroupArn: asg }, tags: [{ key: 'a', value: 'b' }] }));
    await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'keep', capacityProviders: ['keep-cp'], defaultCapacityProviderStrategy: [{ capacityProvider: 'keep-cp', weight: 2 }] }));
    await ecs.send(new UpdateClusterCommand({ cluster: 'keep', configuration: { executeCommandConfiguration: { logging: 'NONE' } } }));
    await ecs.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/keep', tags: [{ key: 'k', value: 'v' }] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'keep', containerDefinitions: [{ name: 'c', image: 'i', memory: 8 }] }));
    await ecs.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/keep:1', tags: [{ key: 't', value: 'd' }] }));
    ecs.destroy();
    const before = await snapshot(first.url);
    await first.close();

    const second = await startControlPlane({ logger: pino({ level: 'silent' }), port: 0, dataDir });
    try {
      const after = await snapshot(second.url);
      expect(after).toEqual(before);
      expect(after.cluster![0]).toMatchObject({
        settings: [{ name: 'containerInsights', value: 'enabled' }], tags: [{ key: 'k', value: 'v' }], capacityProviders: ['keep-cp'],
        configuration: { executeCommandConfiguration: { logging: 'NONE' } },
      });
      expect(after.providers!.map((p) => p.name)).toEqual(['FARGATE', 'FARGATE_SPOT', 'keep-cp']);
      expect(after.tdTags).toEqual([{ key: 't', value: 'd' }]);
    } finally {
      await second.close();
    }
  });
});
