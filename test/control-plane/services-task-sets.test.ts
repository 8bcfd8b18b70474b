// The EXTERNAL deployment controller: a service whose tasks come from task sets the caller
// creates, scales, promotes and deletes (CreateTaskSet, UpdateTaskSet, UpdateServicePrimaryTaskSet,
// DeleteTaskSet, DescribeTaskSets), run by the scheduler on lightweight ACS agents.
import {
  CreateServiceCommand, CreateTaskSetCommand, DeleteServiceCommand, DeleteTaskSetCommand, DescribeTaskSetsCommand, InvalidParameterException,
  ServiceNotFoundException, TaskSetNotFoundException, UpdateServiceCommand, UpdateServicePrimaryTaskSetCommand, UpdateTaskSetCommand,
} from '@aws-sdk/client-ecs';
import { describe as suite, expect, it } from 'vitest';
import { failure } from './control-plane-fixture.ts';
import { Fleet, clusterWith, describe, eventually, tdOf, useServiceControlPlane, waitInactive } from './service-agents.ts';

const env = useServiceControlPlane();
const versions = (fleet: Fleet) => [...fleet.live.values()].filter((t) => t.running).map((t) => t.version).sort();

async function taskSet(cluster: string, service: string, id: string) {
  const out = await env.ecs.send(new DescribeTaskSetsCommand({ cluster, service, taskSets: [id], include: ['TAGS'] }));
  return out.taskSets![0]!;
}

suite('a service with the EXTERNAL deployment controller', () => {
  it('runs its task sets at their scale, promotes one to PRIMARY, and drains a deleted one', async () => {
    const fleet = new Fleet();
    await clusterWith(env.ecs, 'ext', ['blue', 'blue']);
    await env.agentIn(fleet, 'ext');
    const created = await env.ecs.send(new CreateServiceCommand({ cluster: 'ext', serviceName: 'bg', desiredCount: 4, deploymentController: { type: 'EXTERNAL' } }));
    expect(created.service).toMatchObject({ deploymentController: { type: 'EXTERNAL' }, taskSets: [], deployments: [], desiredCount: 4 });
    expect(created.service!.taskDefinition).toBeUndefined();

    const blue = (await env.ecs.send(new CreateTaskSetCommand({
      cluster: 'ext', service: 'bg', taskDefinition: 'blue:1', externalId: 'release-1', tags: [{ key: 'color', value: 'blue' }],
    }))).taskSet!;
    expect(blue).toMatchObject({
      status: 'ACTIVE', computedDesiredCount: 4, scale: { value: 100, unit: 'PERCENT' }, externalId: 'release-1', taskDefinition: tdOf('blue', 1),
      serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/ext/bg', tags: [{ key: 'color', value: 'blue' }],
    });
    expect(blue.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(blue.taskSetArn).toBe(`arn:aws:ecs:us-east-1:000000000000:task-set/ext/bg/${blue.id}`);
    await eventually(async () => expect(await taskSet('ext', 'bg', blue.id!)).toMatchObject({ runningCount: 4, stabilityStatus: 'STEADY_STATE' }), 5000);

    const primary = await env.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: 'ext', service: 'bg', primaryTaskSet: blue.taskSetArn! }));
    expect(primary.taskSet!.status).toBe('PRIMARY');
    expect(await describe(env.ecs, 'ext', 'bg')).toMatchObject({ taskDefinition: tdOf('blue', 1), runningCount: 4, launchType: 'EC2' });

    // Green next to blue at 50%: 2 more tasks of revision 2.
    const green = (await env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext', service: 'bg', taskDefinition: 'blue:2', scale: { value: 50, unit: 'PERCENT' } }))).taskSet!;
    expect(green.computedDesiredCount).toBe(2);
    await eventually(() => expect(versions(fleet)).toEqual(['1', '1', '1', '1', '2', '2']), 5000);
    await env.ecs.send(new UpdateTaskSetCommand({ cluster: 'ext', service: 'bg', taskSet: green.id!, scale: { value: 100, unit: 'PERCENT' } }));
    await eventually(() => expect(versions(fleet)).toEqual(['1', '1', '1', '1', '2', '2', '2', '2']), 5000);
    await env.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: 'ext', service: 'bg', primaryTaskSet: green.id! }));
    const both = await env.ecs.send(new DescribeTaskSetsCommand({ cluster: 'ext', service: 'bg' }));
    expect(both.taskSets!.map((s) => [s.id, s.status])).toEqual([[blue.id, 'ACTIVE'], [green.id, 'PRIMARY']]);
    expect((await describe(env.ecs, 'ext', 'bg')).taskDefinition).toBe(tdOf('blue', 2));

    // Blue is still scaled: deleting it needs force.
    const refused = await env.ecs.send(new DeleteTaskSetCommand({ cluster: 'ext', service: 'bg', taskSet: blue.id! })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect((refused as Error).message).toMatch(/cannot be deleted while it is scaled above 0/);
    const draining = await env.ecs.send(new DeleteTaskSetCommand({ cluster: 'ext', service: 'bg', taskSet: blue.id!, force: true }));
    expect(draining.taskSet!.status).toBe('DRAINING');
    await eventually(() => expect(versions(fleet)).toEqual(['2', '2', '2', '2']), 5000);
    await eventually(async () => {
      const left = await env.ecs.send(new DescribeTaskSetsCommand({ cluster: 'ext', service: 'bg', taskSets: [blue.id!, green.id!] }));
      expect(left.taskSets!.map((s) => s.id)).toEqual([green.id]);
      expect(left.failures).toEqual([{ arn: blue.taskSetArn, reason: 'MISSING' }]);
    }, 5000);

    // The service's desiredCount scales every set.
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'ext', service: 'bg', desiredCount: 1 }));
    await eventually(() => expect(versions(fleet)).toEqual(['2']), 5000);
    expect(await rejectionOf(env.ecs.send(new UpdateServiceCommand({ cluster: 'ext', service: 'bg', taskDefinition: 'blue:1' })))).toMatch(/create a new task set instead/);

    await env.ecs.send(new DeleteServiceCommand({ cluster: 'ext', service: 'bg', force: true }));
    await waitInactive(env.ecs, 'ext', 'bg');
    expect(fleet.live.size).toBe(0);
  });

  it('refuses task set calls for unknown sets, unknown services and services of the ECS controller', async () => {
    await clusterWith(env.ecs, 'ext2', ['t']);
    await env.ecs.send(new CreateServiceCommand({ cluster: 'ext2', serviceName: 'rolling', taskDefinition: 't', desiredCount: 0 }));
    await env.ecs.send(new CreateServiceCommand({ cluster: 'ext2', serviceName: 'x', desiredCount: 0, deploymentController: { type: 'EXTERNAL' } }));
    expect(await rejectionOf(env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext2', service: 'rolling', taskDefinition: 't' }))))
      .toMatch(/task sets are managed only on services with the EXTERNAL deployment controller/);
    expect(await env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext2', service: 'ghost', taskDefinition: 't' })).catch((e: unknown) => e)).toBeInstanceOf(ServiceNotFoundException);
    expect(await env.ecs.send(new UpdateTaskSetCommand({ cluster: 'ext2', service: 'x', taskSet: 'ecs-svc/1', scale: { value: 1, unit: 'PERCENT' } })).catch((e: unknown) => e))
      .toBeInstanceOf(TaskSetNotFoundException);
    expect(await rejectionOf(env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext2', service: 'x', taskDefinition: 't', scale: { value: 150, unit: 'PERCENT' } }))))
      .toMatch(/scale.value must be a number from 0 to 100/);
    expect(await rejectionOf(env.ecs.send(new CreateServiceCommand({ cluster: 'ext2', serviceName: 'y', taskDefinition: 't', deploymentController: { type: 'EXTERNAL' } }))))
      .toMatch(/taskDefinition cannot be set on a service with the EXTERNAL deployment controller/);
    const same1 = await env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext2', service: 'x', taskDefinition: 't', clientToken: 'abc' }));
    const same2 = await env.ecs.send(new CreateTaskSetCommand({ cluster: 'ext2', service: 'x', taskDefinition: 't', clientToken: 'abc' }));
    expect(same2.taskSet!.id).toBe(same1.taskSet!.id);
  });
});

const rejectionOf = async (p: Promise<unknown>): Promise<string> => (await failure(p)).message;
