// TagResource / UntagResource / ListTagsForResource on every taggable resource, tag validation
// (at TagResource and at creation), and the tags new tasks are born with — through the real SDK.
import {
  ClusterNotFoundException,
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  ResourceNotFoundException,
  RunTaskCommand,
  StartTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { FakeAgent } from './fake-agent.ts';
import { connectedAgent, failure, useControlPlane } from './control-plane-fixture.ts';

const P = 'arn:aws:ecs:us-east-1:000000000000';
const ASG = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1a2b:autoScalingGroupName/tags-asg';
let agent: FakeAgent;
const env = useControlPlane({}, async ({ cp, ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: 'tags' }));
  agent = await connectedAgent({ url: cp.url, cluster: 'tags' });
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'tagged', tags: [{ key: 'team', value: 'core' }, { key: 'tier', value: 'web' }],
    containerDefinitions: [{ name: 'c', image: 'busybox', memory: 16 }],
  }));
  return () => agent.close();
});

const list = async (resourceArn: string) => (await env.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

async function roundTrip(resourceArn: string, initial: Tag[] = []): Promise<void> {
  expect(await list(resourceArn)).toEqual(initial);
  await env.ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'env', value: 'dev' }, { key: 'owner', value: 'me' }] }));
  await env.ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'env', value: 'prod' }] })); // overwrites, keeps the rest
  expect(await list(resourceArn)).toEqual([...initial, { key: 'env', value: 'prod' }, { key: 'owner', value: 'me' }]);
  await env.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['owner', 'never-set'] }));
  expect(await list(resourceArn)).toEqual([...initial, { key: 'env', value: 'prod' }]);
  await env.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['env'] }));
  expect(await list(resourceArn)).toEqual(initial);
}

describe('tagging each resource kind', () => {
  it('clusters', async () => {
    await roundTrip(`${P}:cluster/tags`);
  });

  it('task definitions (keeping the tags given at registration)', async () => {
    await roundTrip(`${P}:task-definition/tagged:1`, [{ key: 'team', value: 'core' }, { key: 'tier', value: 'web' }]);
  });

  it('container instances', async () => {
    await roundTrip(agent.containerInstanceArn);
  });

  it('tasks', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged', tags: [{ key: 'job', value: '1' }] }));
    await roundTrip(run.tasks![0]!.taskArn!, [{ key: 'job', value: '1' }]);
  });

  it('capacity providers', async () => {
    const cp1 = await env.ecs.send(new CreateCapacityProviderCommand({ name: 'tagcp', autoScalingGroupProvider: { autoScalingGroupArn: ASG }, tags: [{ key: 'a', value: 'b' }] }));
    await roundTrip(cp1.capacityProvider!.capacityProviderArn!, [{ key: 'a', value: 'b' }]);
    const err = await failure(env.ecs.send(new TagResourceCommand({ resourceArn: `${P}:capacity-provider/FARGATE`, tags: [{ key: 'k', value: 'v' }] })));
    expect(err).toBeInstanceOf(InvalidParameterException);
  });
});

describe('errors', () => {
  it('ResourceNotFoundException for unknown resources of each kind', async () => {
    const unknown = [
      `${P}:task-definition/tagged:9`, `${P}:task/tags/0123456789abcdef0123456789abcdef`,
      `${P}:container-instance/tags/0123456789abcdef0123456789abcdef`, `${P}:service/tags/ghost`,
      `${P}:task-set/tags/ghost/ecs-svc/1`, `${P}:capacity-provider/ghost`, 'arn:aws:ecs:eu-west-1:000000000000:cluster/tags',
    ];
    for (const resourceArn of unknown) {
      const err = await failure(env.ecs.send(new ListTagsForResourceCommand({ resourceArn })));
      expect(err, resourceArn).toBeInstanceOf(ResourceNotFoundException);
      expect((await failure(env.ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'k', value: 'v' }] })))).name).toBe('ResourceNotFoundException');
    }
  });

  it('ClusterNotFoundException when the ARN names a cluster that does not exist', async () => {
    expect(await failure(env.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${P}:cluster/nope` })))).toBeInstanceOf(ClusterNotFoundException);
    expect(await failure(env.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${P}:task/nope/0123456789abcdef0123456789abcdef` })))).toBeInstanceOf(ClusterNotFoundException);
  });

  it('InvalidParameterException for a malformed or untaggable ARN, and missing fields', async () => {
    for (const resourceArn of ['tags', 'arn:aws:s3:::bucket/x', `${P}:container/tags/abc/def`]) {
      expect(await failure(env.ecs.send(new ListTagsForResourceCommand({ resourceArn }))), resourceArn).toBeInstanceOf(InvalidParameterException);
    }
    expect((await failure(env.ecs.send(new TagResourceCommand({ resourceArn: `${P}:cluster/tags`, tags: undefined as never })))).message).toBe('tags can not be blank.');
    expect((await failure(env.ecs.send(new UntagResourceCommand({ resourceArn: `${P}:cluster/tags`, tagKeys: undefined as never })))).message).toBe('tagKeys can not be blank.');
  });

  it('validates tags: count, key and value length, characters, aws: prefix, duplicates', async () => {
    const resourceArn = `${P}:cluster/tags`;
    const bad = async (tags: Tag[]) => {
      const err = await failure(env.ecs.send(new TagResourceCommand({ resourceArn, tags })));
      expect(err).toBeInstanceOf(InvalidParameterException);
      return err.message;
    };
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));
    expect(await bad(many(51, 'k'))).toMatch(/at most 50 tags/);
    expect(await bad([{ key: 'k'.repeat(129), value: 'v' }])).toMatch(/longer than 128/);
    expect(await bad([{ key: 'k', value: 'v'.repeat(257) }])).toMatch(/longer than 256/);
    expect(await bad([{ key: '', value: 'v' }])).toMatch(/1 to 128/);
    expect(await bad([{ key: 'a*b', value: 'v' }])).toMatch(/characters/);
    expect(await bad([{ key: 'aws:owner', value: 'v' }])).toMatch(/reserved/);
    expect(await bad([{ key: 'AWS:owner', value: 'v' }])).toMatch(/reserved/);
    expect(await bad([{ key: 'x', value: 'aws:thing' }])).toMatch(/reserved/);
    expect(await bad([{ key: 'd', value: '1' }, { key: 'd', value: '2' }])).toMatch(/more than once/);
    // The limit counts what the resource would end with.
    await env.ecs.send(new TagResourceCommand({ resourceArn, tags: many(45, 'fill') }));
    expect(await bad(many(6, 'more'))).toMatch(/would leave it with 51/);
    await env.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: many(45, 'fill').map((t) => t.key) }));
    // Values may be long up to 256 and keys up to 128; unicode letters and the allowed marks pass.
    await env.ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'ключ_ok .:/=+-@', value: 'v'.repeat(256) }, { key: 'k'.repeat(128), value: '' }] }));
    const err = await failure(env.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['aws:ecs:clusterName'] })));
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('validates tags given at creation too', async () => {
    const awsTag = [{ key: 'aws:x', value: 'y' }];
    expect(await failure(env.ecs.send(new CreateClusterCommand({ clusterName: 'badtags', tags: awsTag })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'badtags', tags: awsTag, containerDefinitions: [{ name: 'c', image: 'i', memory: 8 }] }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new CreateCapacityProviderCommand({ name: 'badtags', autoScalingGroupProvider: { autoScalingGroupArn: ASG }, tags: awsTag }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged', tags: awsTag })))).toBeInstanceOf(InvalidParameterException);
  });
});

describe('tags of new tasks', () => {
  const tagsOf = async (taskArn: string) =>
    (await env.ecs.send(new DescribeTasksCommand({ cluster: 'tags', tasks: [taskArn], include: ['TAGS'] }))).tasks![0]!.tags;

  it('RunTask propagateTags TASK_DEFINITION copies the definition tags; the request wins on a shared key', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged:1', propagateTags: 'TASK_DEFINITION', tags: [{ key: 'tier', value: 'batch' }] }));
    expect(await tagsOf(run.tasks![0]!.taskArn!)).toEqual([{ key: 'team', value: 'core' }, { key: 'tier', value: 'batch' }]);
  });

  it('enableECSManagedTags adds aws:ecs:clusterName (RunTask and StartTask)', async () => {
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged', enableECSManagedTags: true }));
    expect(run.tasks![0]!.tags).toEqual([{ key: 'aws:ecs:clusterName', value: 'tags' }]);
    const start = await env.ecs.send(new StartTaskCommand({
      cluster: 'tags', taskDefinition: 'tagged', containerInstances: [agent.containerInstanceArn], enableECSManagedTags: true, propagateTags: 'TASK_DEFINITION',
    }));
    expect(await tagsOf(start.tasks![0]!.taskArn!)).toEqual([{ key: 'team', value: 'core' }, { key: 'tier', value: 'web' }, { key: 'aws:ecs:clusterName', value: 'tags' }]);
    // Managed tags cannot be removed by callers.
    const err = await failure(env.ecs.send(new UntagResourceCommand({ resourceArn: start.tasks![0]!.taskArn!, tagKeys: ['aws:ecs:clusterName'] })));
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('refuses propagateTags SERVICE for a standalone task, and unknown values', async () => {
    const err = await failure(env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged', propagateTags: 'SERVICE' })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toMatch(/only valid for tasks started by a service/);
    expect(await failure(env.ecs.send(new RunTaskCommand({ cluster: 'tags', taskDefinition: 'tagged', propagateTags: 'EVERYTHING' as never }))))
      .toBeInstanceOf(InvalidParameterException);
  });
});
