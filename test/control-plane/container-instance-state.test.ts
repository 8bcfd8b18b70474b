// Container-instance state through the real SDK: UpdateContainerInstancesState (DRAINING gets
// no new tasks, standalone tasks keep running, ACTIVE reopens), DeregisterContainerInstance with
// and without force, DescribeContainerInstances' counts, include TAGS / CONTAINER_INSTANCE_HEALTH,
// ListContainerInstances' status filter, and the task counts surviving a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, InvalidParameterException,
  ListContainerInstancesCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StartTaskCommand,
  StopTaskCommand, UpdateContainerInstancesStateCommand, type ContainerInstance, type ECSClient,
} from '@aws-sdk/client-ecs';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { FakeAgent, ecsClient, eventually } from './fake-agent.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'dockhand-instance-state-'));
let cp: RunningControlPlane;
let ecs: ECSClient;
const agents: FakeAgent[] = [];
let clusters = 0;

let port = 0;
/** Starts (or restarts) the control plane on the same port, so agents' clients keep working. */
const start = async () => {
  cp = await startControlPlane({ logger: pino({ level: 'silent' }), dataDir, heartbeatIntervalMs: 500, port });
  port = cp.port;
  ecs = ecsClient(cp.url);
};
const RESOURCES = [
  { name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
  { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] }, { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
];
/** What an agent restart sends: the saved ARN and its resources again. */
const reregister = (a: FakeAgent, extra: { tags?: Array<{ key: string; value: string }> } = {}) =>
  a.client.send(new RegisterContainerInstanceCommand({ cluster: a.cluster, containerInstanceArn: a.containerInstanceArn, totalResources: RESOURCES, ...extra }));

async function clusterWith(n: number, o: { tags?: boolean } = {}): Promise<{ cluster: string; agents: FakeAgent[] }> {
  const cluster = `state${++clusters}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const mine: FakeAgent[] = [];
  for (let i = 0; i < n; i++) {
    const a = await FakeAgent.register({ url: cp.url, cluster });
    if (o.tags) {
      await reregister(a, { tags: [{ key: 'owner', value: 'ops' }] });
    }
    await a.connect();
    mine.push(a);
  }
  agents.push(...mine);
  return { cluster, agents: mine };
}

const describeOne = async (cluster: string, arn: string, include?: Array<'TAGS' | 'CONTAINER_INSTANCE_HEALTH'>): Promise<ContainerInstance> =>
  (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn], ...(include ? { include } : {}) }))).containerInstances![0]!;
const setState = (cluster: string, arns: string[], status: 'ACTIVE' | 'DRAINING') =>
  ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: arns, status }));
const runOne = async (cluster: string) => (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'tiny' }))).tasks![0]!;

beforeAll(async () => {
  await start();
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'tiny', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 100, memory: 128 }] }));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
});
afterAll(async () => {
  ecs.destroy();
  await cp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('UpdateContainerInstancesState', () => {
  it('DRAINING: no new tasks there, standalone tasks keep running, the agent stays connected; ACTIVE reopens it', async () => {
    const { cluster, agents: [a, b] } = await clusterWith(2);
    const standalone = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: 'tiny', containerInstances: [a!.containerInstanceArn] }));
    const taskArn = standalone.tasks![0]!.taskArn!;
    await a!.nextPayload();
    await a!.report(taskArn, 'RUNNING', [{ containerName: 'c', status: 'RUNNING' }]);

    const drained = await setState(cluster, [a!.containerInstanceArn], 'DRAINING');
    expect(drained.failures).toEqual([]);
    expect(drained.containerInstances![0]).toMatchObject({ status: 'DRAINING', runningTasksCount: 1, agentConnected: true });
    for (let i = 0; i < 5; i++) expect((await runOne(cluster)).containerInstanceArn).toBe(b!.containerInstanceArn);
    const onDraining = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: 'tiny', containerInstances: [a!.containerInstanceArn] }));
    expect(onDraining.failures).toEqual([{ arn: a!.containerInstanceArn, reason: 'DRAINING' }]);
    // ECS leaves standalone tasks alone: still RUNNING, nothing was sent to stop it.
    expect((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    // Its agent is still served: a StopTask reaches it.
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
    expect((await a!.nextPayload()).message.tasks[0]).toMatchObject({ arn: taskArn, desiredStatus: 'STOPPED' });
    // A restarted agent re-registers and reconnects, and the instance is still DRAINING.
    await reregister(a!);
    await a!.disconnect();
    await a!.connect();
    expect(await describeOne(cluster, a!.containerInstanceArn)).toMatchObject({ status: 'DRAINING', agentConnected: true });

    const draining = await ecs.send(new ListContainerInstancesCommand({ cluster, status: 'DRAINING' }));
    expect(draining.containerInstanceArns).toEqual([a!.containerInstanceArn]);
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns).toHaveLength(2);

    await setState(cluster, [b!.containerInstanceArn], 'DRAINING');
    const nowhere = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'tiny' })).catch((e: unknown) => e);
    expect(nowhere).toBeInstanceOf(InvalidParameterException);
    expect((nowhere as Error).message).toBe('No Container Instances were found in your cluster.');

    const reopened = await setState(cluster, [a!.containerInstanceArn], 'ACTIVE');
    expect(reopened.containerInstances![0]!.status).toBe('ACTIVE');
    expect((await runOne(cluster)).containerInstanceArn).toBe(a!.containerInstanceArn);
  });

  it('validates the status and the list, and reports unknown or deregistered instances as failures', async () => {
    const { cluster, agents: [a, b] } = await clusterWith(2);
    for (const status of ['REGISTERING', 'INACTIVE', 'draining']) {
      const err = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [a!.containerInstanceArn], status: status as never })).catch((e: unknown) => e);
      expect(err, status).toBeInstanceOf(InvalidParameterException);
      expect((err as Error).message).toMatch(/only be updated to ACTIVE or DRAINING/);
    }
    const tooMany = await setState(cluster, Array(11).fill(a!.containerInstanceArn), 'DRAINING').catch((e: unknown) => e);
    expect((tooMany as Error).message).toMatch(/at most 10/);
    expect(await setState(cluster, [], 'DRAINING').catch((e: unknown) => e)).toBeInstanceOf(InvalidParameterException);

    await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: b!.containerInstanceArn }));
    const out = await setState(cluster, ['0000dead', b!.containerInstanceArn, a!.containerInstanceArn], 'DRAINING');
    expect(out.containerInstances!.map((c) => [c.containerInstanceArn, c.status, c.version])).toEqual([[a!.containerInstanceArn, 'DRAINING', 2]]);
    expect(out.failures).toEqual([
      { arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${cluster}/0000dead`, reason: 'MISSING' },
      { arn: b!.containerInstanceArn, reason: 'INACTIVE', detail: 'The container instance is deregistered; its state cannot be changed.' },
    ]);
    // Setting the status it already has changes nothing (no new version).
    expect((await setState(cluster, [a!.containerInstanceArn], 'DRAINING')).containerInstances![0]!.version).toBe(2);
  });
});

describe('DeregisterContainerInstance', () => {
  it('refuses an instance with tasks unless forced; forced, its tasks are left as they are', async () => {
    const { cluster, agents: [a, b] } = await clusterWith(2);
    const started = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: 'tiny', containerInstances: [a!.containerInstanceArn] }));
    const taskArn = started.tasks![0]!.taskArn!;
    const refused = await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: a!.containerInstanceArn })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect((refused as Error).message).toMatch(/Found running tasks on the instance/);
    expect((await describeOne(cluster, a!.containerInstanceArn)).status).toBe('ACTIVE');

    const forced = await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: a!.containerInstanceArn, force: true }));
    expect(forced.containerInstance).toMatchObject({ status: 'INACTIVE', agentConnected: false, pendingTasksCount: 1 });
    expect((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]).toMatchObject({ desiredStatus: 'RUNNING', containerInstanceArn: a!.containerInstanceArn });
    expect((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns).toEqual([b!.containerInstanceArn]);
    for (let i = 0; i < 3; i++) expect((await runOne(cluster)).containerInstanceArn).toBe(b!.containerInstanceArn);
  });
});

describe('DescribeContainerInstances', () => {
  it('counts running and pending tasks, remaining resources, agentConnected; tags and health only when included', async () => {
    const { cluster, agents: [a] } = await clusterWith(1, { tags: true });
    const arn = a!.containerInstanceArn;
    const t1 = await runOne(cluster);
    await runOne(cluster);
    await a!.report(t1.taskArn!, 'RUNNING', [{ containerName: 'c', status: 'RUNNING' }]);
    const plain = await describeOne(cluster, arn);
    expect(plain).toMatchObject({ status: 'ACTIVE', agentConnected: true, runningTasksCount: 1, pendingTasksCount: 1 });
    expect(plain.remainingResources!.slice(0, 2)).toEqual([
      { name: 'CPU', type: 'INTEGER', integerValue: 2048 - 200 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 - 256 },
    ]);
    expect(plain.tags).toBeUndefined();
    expect(plain.healthStatus).toBeUndefined();
    const full = await describeOne(cluster, arn, ['TAGS', 'CONTAINER_INSTANCE_HEALTH']);
    expect(full.tags).toEqual([{ key: 'owner', value: 'ops' }]);
    // No TCS session in this test: nothing reported yet.
    expect(full.healthStatus).toEqual({ overallStatus: 'INSUFFICIENT_DATA', details: [] });
    const bad = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn], include: ['STATS' as never] })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidParameterException);

    await a!.report(t1.taskArn!, 'STOPPED', [{ containerName: 'c', status: 'STOPPED', exitCode: 0 }]);
    await eventually(async () => expect(await describeOne(cluster, arn)).toMatchObject({ runningTasksCount: 0, pendingTasksCount: 1 }));
    await a!.disconnect();
    await eventually(async () => expect((await describeOne(cluster, arn)).agentConnected).toBe(false));
  });

  it('has the same counts after a restart (the placement index is rebuilt from the store)', async () => {
    const { cluster, agents: [a] } = await clusterWith(1);
    const arn = a!.containerInstanceArn;
    const t = await runOne(cluster);
    await runOne(cluster);
    await a!.report(t.taskArn!, 'RUNNING', [{ containerName: 'c', status: 'RUNNING' }]);
    await setState(cluster, [arn], 'DRAINING');
    const before = await describeOne(cluster, arn);
    await a!.disconnect();
    ecs.destroy();
    await cp.close();
    await start();
    const after = await describeOne(cluster, arn);
    expect(after).toMatchObject({ status: 'DRAINING', runningTasksCount: 1, pendingTasksCount: 1, remainingResources: before.remainingResources });
    // And placement after the restart still knows what is taken: 2 × 100 CPU of 2048 used.
    await setState(cluster, [arn], 'ACTIVE');
    await a!.connect();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'rest', containerDefinitions: [{ name: 'c', image: 'busybox', cpu: 1849, memory: 8 }] }));
    const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'rest' }));
    expect(r.failures).toEqual([{ arn, reason: 'RESOURCE:CPU' }]);
  });
});
