// A service end to end: `dockhand local` (control plane + a real agent on the real Docker engine),
// driven by @aws-sdk/client-ecs as a user drives ECS — create a service, wait for services_stable,
// `docker kill` one of its containers and watch the scheduler replace the task, roll out a new task
// definition, then delete the service and wait for services_inactive.
import {
  CreateServiceCommand, DeleteServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand,
  UpdateServiceCommand, waitUntilServicesInactive, waitUntilServicesStable, type ContainerDefinition, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersOfTask, docker, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
// TCS health published every second, so a failing container health check reaches the scheduler fast.
beforeAll(async () => { h = await startLocalHarness({ ECS_POLLING_METRICS_WAIT_DURATION: '1s', DOCKHAND_TCS_PUBLISH_INTERVAL: '1s' }); });
afterAll(async () => { await h?.stop(); });

const container = (version: string): ContainerDefinition => ({
  name: 'web', image: TEST_IMAGE, memory: 32, essential: true, environment: [{ name: 'VERSION', value: version }],
  // Exits at once on SIGTERM, so the scheduler's stops are quick.
  command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
});

const stable = (maxWaitTime = 90) =>
  waitUntilServicesStable({ client: h.client, maxWaitTime, minDelay: 1, maxDelay: 2 }, { cluster: 'default', services: ['e2e-web'] });

async function service(): Promise<Service> {
  return (await h.client.send(new DescribeServicesCommand({ cluster: 'default', services: ['e2e-web'] }))).services![0]!;
}

async function runningTasks(name = 'e2e-web'): Promise<Task[]> {
  const arns = (await h.client.send(new ListTasksCommand({ cluster: 'default', desiredStatus: 'RUNNING' }))).taskArns ?? [];
  if (arns.length === 0) return [];
  const tasks = (await h.client.send(new DescribeTasksCommand({ cluster: 'default', tasks: arns }))).tasks ?? [];
  return tasks.filter((t) => t.group === `service:${name}`);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('a service on dockhand local', () => {
  it('stays at desiredCount through a docker kill, rolls out a new task definition, and is deleted', async () => {
    await h.client.send(new RegisterTaskDefinitionCommand({ family: 'e2e-web', containerDefinitions: [container('1')] }));
    const created = await h.client.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'e2e-web', taskDefinition: 'e2e-web:1', desiredCount: 2 }));
    const firstDeployment = created.service!.deployments![0]!.id!;
    expect((await stable()).state).toBe('SUCCESS');

    const tasks = await runningTasks();
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t).toMatchObject({ lastStatus: 'RUNNING', startedBy: firstDeployment, group: 'service:e2e-web' });
      const [info] = await containersOfTask(t.taskArn!);
      expect(info?.State).toBe('running');
      expect(info?.Labels['com.amazonaws.ecs.task-definition-version']).toBe('1');
    }

    // docker kill one task's container: the agent reports the task STOPPED, the scheduler replaces it.
    const victim = tasks[0]!;
    await docker.getContainer(victim.containers![0]!.runtimeId!).kill();
    const stopped = await until('the killed task to stop', async () => {
      const t = (await h.client.send(new DescribeTasksCommand({ cluster: 'default', tasks: [victim.taskArn!] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(stopped.stopCode).toBe('EssentialContainerExited');
    expect(stopped.containers![0]!.exitCode).toBe(137);
    const replacementId = await until('the replacement event', async () => {
      const started = (await service()).events!.map((e) => e.message!).find((m) => m.startsWith('(service e2e-web) has started 1 tasks:'));
      return started?.match(/^\(service e2e-web\) has started 1 tasks: \(task ([0-9a-f]{32})\)\.$/)?.[1];
    });
    expect((await stable()).state).toBe('SUCCESS');
    const afterKill = await runningTasks();
    expect(afterKill).toHaveLength(2);
    expect(afterKill.map((t) => t.taskArn)).not.toContain(victim.taskArn);
    expect(afterKill.some((t) => t.taskArn!.endsWith(replacementId))).toBe(true);
    const [replacementContainer] = await containersOfTask(afterKill.find((t) => t.taskArn!.endsWith(replacementId))!.taskArn!);
    expect(replacementContainer?.State).toBe('running');

    // A new task definition: a rolling deployment to revision 2.
    await h.client.send(new RegisterTaskDefinitionCommand({ family: 'e2e-web', containerDefinitions: [container('2')] }));
    const updated = await h.client.send(new UpdateServiceCommand({ cluster: 'default', service: 'e2e-web', taskDefinition: 'e2e-web:2' }));
    expect(updated.service!.deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    const secondDeployment = updated.service!.deployments![0]!.id!;
    expect((await stable()).state).toBe('SUCCESS');
    const rolled = await service();
    expect(rolled.deployments).toEqual([expect.objectContaining({ id: secondDeployment, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(rolled.events![0]!.message).toBe('(service e2e-web) has reached a steady state.');
    expect(rolled.events!.some((e) => e.message === `(service e2e-web) (deployment ${secondDeployment}) deployment completed.`)).toBe(true);
    const v2 = await runningTasks();
    expect(v2).toHaveLength(2);
    for (const t of v2) {
      expect(t.taskDefinitionArn).toMatch(/e2e-web:2$/);
      const [info] = await containersOfTask(t.taskArn!);
      expect(info?.State).toBe('running');
      const inspect = await docker.getContainer(info!.Id).inspect();
      expect(inspect.Config.Env).toContain('VERSION=2');
    }
    for (const t of afterKill) {
      const [info] = await containersOfTask(t.taskArn!);
      if (info) expect(info.State).not.toBe('running'); // the old revision's containers are stopped
    }

    // Delete: DRAINING until its tasks are gone, then INACTIVE.
    const deleted = await h.client.send(new DeleteServiceCommand({ cluster: 'default', service: 'e2e-web', force: true }));
    expect(deleted.service!.status).toBe('DRAINING');
    const inactive = await waitUntilServicesInactive({ client: h.client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { cluster: 'default', services: ['e2e-web'] });
    expect(inactive.state).toBe('SUCCESS');
    expect(await runningTasks()).toHaveLength(0);
    for (const t of v2) {
      const [info] = await containersOfTask(t.taskArn!);
      if (info) expect(info.State).not.toBe('running');
    }
  }, 240_000);
});

describe('a service whose task fails its container health check', () => {
  it('has the task stopped and replaced by a healthy one', async () => {
    await h.client.send(new RegisterTaskDefinitionCommand({
      family: 'e2e-checked',
      containerDefinitions: [{
        name: 'app', image: TEST_IMAGE, memory: 32, essential: true,
        command: ['sh', '-c', 'touch /tmp/ok; trap "exit 0" TERM; while true; do sleep 0.1; done'],
        healthCheck: { command: ['CMD-SHELL', 'test -f /tmp/ok'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
      }],
    }));
    await h.client.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'e2e-checked', taskDefinition: 'e2e-checked', desiredCount: 1 }));
    const healthy = await until('a HEALTHY task', async () => (await runningTasks('e2e-checked')).find((t) => t.healthStatus === 'HEALTHY'));

    // Break the health check inside the running container.
    const exec = await docker.getContainer(healthy.containers![0]!.runtimeId!).exec({ Cmd: ['rm', '/tmp/ok'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    await new Promise((r) => { stream.on('end', r); stream.resume(); });

    const stopped = await until('the unhealthy task to stop', async () => {
      const t = (await h.client.send(new DescribeTasksCommand({ cluster: 'default', tasks: [healthy.taskArn!] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    }, 90_000);
    expect(stopped).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed container health checks' });
    const replacement = await until('a healthy replacement', async () =>
      (await runningTasks('e2e-checked')).find((t) => t.taskArn !== healthy.taskArn && t.healthStatus === 'HEALTHY'), 90_000);
    expect(replacement.taskDefinitionArn).toMatch(/e2e-checked:1$/);
    const events = (await h.client.send(new DescribeServicesCommand({ cluster: 'default', services: ['e2e-checked'] }))).services![0]!.events!.map((e) => e.message!);
    expect(events.some((m) => m.startsWith('(service e2e-checked) has stopped 1 running tasks:'))).toBe(true);

    await h.client.send(new DeleteServiceCommand({ cluster: 'default', service: 'e2e-checked', force: true }));
    const inactive = await waitUntilServicesInactive({ client: h.client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { cluster: 'default', services: ['e2e-checked'] });
    expect(inactive.state).toBe('SUCCESS');
  }, 240_000);
});
