// A task's life as the agent reports it: PENDING → RUNNING → STOPPED through SubmitTaskStateChange,
// StopTask pushing a STOPPED payload, stale reports ignored, payloads re-sent after reconnects, and
// the SDK's own waiters agreeing with what DescribeTasks shows.
import {
  ClusterContainsContainerInstancesException,
  ClusterContainsTasksException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type Task,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { FakeAgent } from './fake-agent.ts';
import { connectedAgent, useControlPlane } from './control-plane-fixture.ts';

let agent: FakeAgent;
const CLUSTER = 'life';
const BINDING = { bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' as const };

const env = useControlPlane({ heartbeatIntervalMs: 100 }, async ({ cp, ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'svc',
    containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
  }));
  agent = await connectedAgent({ url: cp.url, cluster: CLUSTER });
  return () => agent.close();
});

async function run(): Promise<Task> {
  const out = await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'svc' }));
  expect(out.failures).toEqual([]);
  const task = out.tasks![0]!;
  const payload = await agent.nextPayload();
  expect(payload.message.tasks.map((t) => [t.arn, t.desiredStatus])).toEqual([[task.taskArn, 'RUNNING']]);
  return task;
}

const describeTask = async (arn: string) => (await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;

describe('task state changes from the agent', () => {
  it('RUNNING then STOPPED (essential container exited) is visible in DescribeTasks', async () => {
    const task = await run();
    const t0 = Date.now();
    expect(await agent.report(task.taskArn!, 'RUNNING', [{ containerName: 'app', runtimeId: 'abc123', status: 'RUNNING', networkBindings: [BINDING] }])).toBe('ACK');
    const running = await describeTask(task.taskArn!);
    expect(running).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 2 });
    expect(running.startedAt!.getTime()).toBeGreaterThanOrEqual(t0 - 1000);
    expect(running.containers![0]).toMatchObject({ runtimeId: 'abc123', lastStatus: 'RUNNING', networkBindings: [BINDING] });
    const cluster = (await env.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters![0]!;
    expect(cluster.runningTasksCount).toBe(1);

    const execStopped = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    await agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', runtimeId: 'abc123', status: 'STOPPED', exitCode: 3 }], { executionStoppedAt: execStopped });
    const stopped = await describeTask(task.taskArn!);
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited',
    });
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    expect(stopped.executionStoppedAt!.getTime()).toBe(execStopped.getTime());
    expect(stopped.containers![0]).toMatchObject({ exitCode: 3, lastStatus: 'STOPPED', runtimeId: 'abc123', networkBindings: [BINDING] });

    // A late/retried RUNNING never moves a stopped task back.
    expect(await agent.report(task.taskArn!, 'RUNNING', [{ containerName: 'app', status: 'RUNNING' }])).toBe('ACK');
    const after = await describeTask(task.taskArn!);
    expect(after.lastStatus).toBe('STOPPED');
    expect(after.version).toBe(stopped.version);
    expect(after.containers![0]!.lastStatus).toBe('STOPPED');
  });

  it('a task that never ran stops with TaskFailedToStart and the agent reason', async () => {
    const task = await run();
    await agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', reason: 'CannotPullContainerError: no such image' }], { reason: 'CannotPullContainerError: no such image' });
    const t = await describeTask(task.taskArn!);
    expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: no such image' });
    expect(t.containers![0]!.reason).toBe('CannotPullContainerError: no such image');
  });

  it('SubmitContainerStateChange updates a container without moving the task', async () => {
    const task = await run();
    const out = await env.ecs.send(new SubmitContainerStateChangeCommand({ cluster: CLUSTER, task: task.taskArn, containerName: 'app', runtimeId: 'r1', status: 'RUNNING', networkBindings: [BINDING] }));
    expect(out.acknowledgment).toBe('ACK');
    const t = await describeTask(task.taskArn!);
    expect(t.lastStatus).toBe('PENDING');
    expect(t.containers![0]).toMatchObject({ runtimeId: 'r1', lastStatus: 'RUNNING', networkBindings: [BINDING] });
    await agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });

  it('rejects a report for an unknown task', async () => {
    const err = await agent.report('arn:aws:ecs:us-east-1:000000000000:task/life/0000', 'RUNNING', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
  });
});

describe('StopTask', () => {
  it('pushes a STOPPED payload, keeps the reason, and the SDK waiters agree', async () => {
    const task = await run();
    await agent.report(task.taskArn!, 'RUNNING', [{ containerName: 'app', runtimeId: 'x1', status: 'RUNNING' }]);
    const waited = await waitUntilTasksRunning({ client: env.ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [task.taskArn!] });
    expect(waited.state).toBe('SUCCESS');

    const stop = await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn!.split('/').pop()!, reason: 'deploying v2' }));
    expect(stop.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stoppedReason: 'deploying v2', stopCode: 'UserInitiated' });
    expect(stop.task!.stoppingAt).toBeInstanceOf(Date);
    const payload = await agent.nextPayload();
    expect(payload.message.tasks.map((t) => [t.arn, t.desiredStatus])).toEqual([[task.taskArn, 'STOPPED']]);
    expect(payload.message.seqNum).toBeGreaterThan(1);

    // The agent stops the container (SIGTERM → exit 143) while the waiter polls.
    setTimeout(() => void agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 143 }]), 300);
    const stoppedWait = await waitUntilTasksStopped({ client: env.ecs, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [task.taskArn!] });
    expect(stoppedWait.state).toBe('SUCCESS');
    const t = await describeTask(task.taskArn!);
    expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'deploying v2' });
    expect(t.containers![0]!.exitCode).toBe(143);
    const listed = await env.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'STOPPED' }));
    expect(listed.taskArns).toContain(task.taskArn);
  });

  it('defaults the reason and answers InvalidParameterException for an unknown task', async () => {
    const task = await run();
    const stop = await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
    expect(stop.task!.stoppedReason).toBe('Task stopped by user');
    await agent.nextPayload();
    await agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED' }]);
    const err = await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: 'ffff' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toBe('The referenced task was not found.');
  });
});

describe('ACS delivery', () => {
  it('re-sends an unacknowledged payload when the agent reconnects', async () => {
    agent.autoAck = false;
    const out = await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'svc' }));
    const first = await agent.nextPayload();
    expect(first.message.tasks[0]!.arn).toBe(out.tasks![0]!.taskArn);
    await agent.disconnect();
    agent.autoAck = true;
    await agent.connect();
    const resent = await agent.nextPayload();
    expect(resent.message).toEqual(first.message); // same messageId and seqNum: the agent dedupes by id
    // Acked now: a further reconnect brings nothing back.
    await new Promise((r) => setTimeout(r, 100));
    await agent.disconnect();
    await agent.connect();
    await expect(agent.nextPayload(300)).rejects.toThrow(/no PayloadMessage/);
    await agent.report(out.tasks![0]!.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED' }]);
  });

  it('heartbeats the agent every heartbeatIntervalMs (100 ms here)', async () => {
    const heartbeats = () => agent.frames.filter((f) => f.type === 'HeartbeatMessage');
    const before = heartbeats().length;
    await new Promise((r) => setTimeout(r, 450));
    const fresh = heartbeats().slice(before);
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    expect(fresh.length).toBeLessThanOrEqual(6);
    expect(fresh[0]).toMatchObject({ message: { healthy: true } });
    expect(new Set(fresh.map((f) => (f.message as { messageId: string }).messageId)).size).toBe(fresh.length);
  });
});

describe('DeleteCluster guards', () => {
  it('refuses while tasks live or instances are registered', async () => {
    const task = await run();
    const withTasks = await env.ecs.send(new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: agent.containerInstanceArn })).catch((e: unknown) => e);
    expect(withTasks).toBeInstanceOf(InvalidParameterException);
    const e1 = await env.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER })).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ClusterContainsContainerInstancesException);
    await env.ecs.send(new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: agent.containerInstanceArn, force: true }));
    const e2 = await env.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER })).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ClusterContainsTasksException);
    await agent.report(task.taskArn!, 'STOPPED', [{ containerName: 'app', status: 'STOPPED' }]);
    const deleted = await env.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }));
    expect(deleted.cluster!.status).toBe('INACTIVE');
  });
});
