// Placement end to end: `dockhand local` (control plane + the real agent) on real Docker. A task
// definition whose memberOf constraint names a custom attribute is refused until PutAttributes
// sets the attribute, then runs a real container; a DRAINING instance takes no new task while the
// one already running keeps running; ACTIVE again, it takes tasks again. And the instance's
// health (include CONTAINER_INSTANCE_HEALTH) is what the real agent reports over TCS.
import {
  DescribeContainerInstancesCommand, InvalidParameterException, ListContainerInstancesCommand, PutAttributesCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersOfTask, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
let instanceArn: string;
beforeAll(async () => {
  // The agent publishes its container-runtime status over TCS every second (healthStatus test).
  h = await startLocalHarness({ DOCKHAND_TCS_PUBLISH_INTERVAL: '1s' });
  instanceArn = (await h.client.send(new ListContainerInstancesCommand({ cluster: 'default' }))).containerInstanceArns![0]!;
});
afterAll(async () => { await h?.stop(); });

const FAMILY = 'e2e-placement-worker';
const runWorker = () => h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: FAMILY, startedBy: 'dockhand-e2e' }));

describe('placement with dockhand local and the real agent', () => {
  it('memberOf on a custom attribute: refused until PutAttributes sets it, then a real container runs', async () => {
    await h.client.send(new RegisterTaskDefinitionCommand({
      family: FAMILY,
      // sleep as PID 1 ignores SIGTERM: a short stopTimeout keeps StopTask quick.
      containerDefinitions: [{ name: 'c', image: TEST_IMAGE, command: ['sleep', '300'], memory: 32, stopTimeout: 1 }],
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:e2e-role == worker' }],
    }));
    const refused = await runWorker();
    expect(refused.tasks).toEqual([]);
    expect(refused.failures).toEqual([{ arn: instanceArn, reason: 'MemberOf placement constraint unsatisfied.', detail: 'expression: attribute:e2e-role == worker' }]);

    await h.client.send(new PutAttributesCommand({ cluster: 'default', attributes: [{ name: 'e2e-role', value: 'worker', targetId: instanceArn }] }));
    const described = await h.client.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [instanceArn] }));
    expect(described.containerInstances![0]!.attributes).toContainEqual({ name: 'e2e-role', value: 'worker' });

    const placed = await runWorker();
    expect(placed.failures).toEqual([]);
    const taskArn = placed.tasks![0]!.taskArn!;
    expect(placed.tasks![0]!.containerInstanceArn).toBe(instanceArn);
    await h.waitForTask(taskArn, (t) => t.lastStatus === 'RUNNING');
    const containers = await containersOfTask(taskArn);
    expect(containers).toHaveLength(1);
    expect(containers[0]!.State).toBe('running');
  });

  it('DRAINING refuses new tasks and leaves the running one alone; ACTIVE again takes tasks', async () => {
    const running = (await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: FAMILY }))).tasks![0]!.taskArn!;
    await h.waitForTask(running, (t) => t.lastStatus === 'RUNNING');

    const drained = await h.client.send(new UpdateContainerInstancesStateCommand({ cluster: 'default', containerInstances: [instanceArn], status: 'DRAINING' }));
    expect(drained.containerInstances![0]).toMatchObject({ status: 'DRAINING', agentConnected: true });
    const err = await runWorker().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toBe('No Container Instances were found in your cluster.');

    // The standalone task is not stopped by draining: still RUNNING a while later, container up.
    await sleep(1500);
    expect(await h.describeTask(running)).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    expect((await containersOfTask(running))[0]!.State).toBe('running');
    // The draining agent still gets what is meant for it: a StopTask stops the real container.
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: running }));
    await h.waitForTask(running, (t) => t.lastStatus === 'STOPPED');

    await h.client.send(new UpdateContainerInstancesStateCommand({ cluster: 'default', containerInstances: [instanceArn], status: 'ACTIVE' }));
    const again = await runWorker();
    expect(again.failures).toEqual([]);
    await h.waitForTask(again.tasks![0]!.taskArn!, (t) => t.lastStatus === 'RUNNING');
  });

  it("DescribeContainerInstances' healthStatus is the container runtime status the agent reports", async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const d = await h.client.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [instanceArn], include: ['CONTAINER_INSTANCE_HEALTH'] }));
      const health = d.containerInstances![0]!.healthStatus;
      if (health?.overallStatus === 'OK') {
        expect(health.details).toEqual([expect.objectContaining({ type: 'CONTAINER_RUNTIME', status: 'OK' })]);
        expect(health.details![0]!.lastUpdated).toBeInstanceOf(Date);
        expect(d.containerInstances![0]!.tags).toBeUndefined(); // not asked for
        return;
      }
      if (Date.now() > deadline) throw new Error(`no OK health reported: ${JSON.stringify(health)}`);
      await sleep(200);
    }
  });
});
