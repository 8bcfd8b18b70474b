// TagResource / UntagResource / ListTagsForResource on services and task sets (records the
// services module keeps as documents), and that DescribeServices/DescribeTaskSets see the result.
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { failure, useControlPlane } from './control-plane-fixture.ts';

const env = useControlPlane({}, async ({ ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-tags' }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'st', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }] }));
});

const list = async (resourceArn: string) => (await env.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

describe('tags on services and task sets', () => {
  it('services', async () => {
    const svc = await env.ecs.send(new CreateServiceCommand({ cluster: 'svc-tags', serviceName: 'api', taskDefinition: 'st', desiredCount: 0, tags: [{ key: 'a', value: '1' }] }));
    const arn = svc.service!.serviceArn!;
    expect(await list(arn)).toEqual([{ key: 'a', value: '1' }]);
    await env.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '3' }] }));
    await env.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['b'] }));
    expect(await list(arn)).toEqual([{ key: 'a', value: '3' }]);
    const d = await env.ecs.send(new DescribeServicesCommand({ cluster: 'svc-tags', services: ['api'], include: ['TAGS'] }));
    expect(d.services![0]!.tags).toEqual([{ key: 'a', value: '3' }]);
    expect(d.services![0]!.status).toBe('ACTIVE'); // the rest of the record is untouched
    expect(await failure(env.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:x', value: 'y' }] })))).toBeInstanceOf(InvalidParameterException);
  });

  it('task sets', async () => {
    const svc = await env.ecs.send(new CreateServiceCommand({ cluster: 'svc-tags', serviceName: 'ext', desiredCount: 0, deploymentController: { type: 'EXTERNAL' } }));
    const set = await env.ecs.send(new CreateTaskSetCommand({ cluster: 'svc-tags', service: 'ext', taskDefinition: 'st', tags: [{ key: 'k', value: 'v' }] }));
    const arn = set.taskSet!.taskSetArn!;
    expect(await list(arn)).toEqual([{ key: 'k', value: 'v' }]);
    await env.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'color', value: 'blue' }] }));
    await env.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['k'] }));
    expect(await list(arn)).toEqual([{ key: 'color', value: 'blue' }]);
    const d = await env.ecs.send(new DescribeTaskSetsCommand({ cluster: 'svc-tags', service: svc.service!.serviceArn!, taskSets: [arn], include: ['TAGS'] }));
    expect(d.taskSets![0]!.tags).toEqual([{ key: 'color', value: 'blue' }]);
  });

  it('unknown services and task sets, and services of unknown clusters', async () => {
    const P = 'arn:aws:ecs:us-east-1:000000000000';
    expect(await failure(list(`${P}:service/svc-tags/ghost`))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(list(`${P}:task-set/svc-tags/ext/ecs-svc/123`))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(list(`${P}:service/no-cluster/api`))).toBeInstanceOf(ClusterNotFoundException);
  });
});
