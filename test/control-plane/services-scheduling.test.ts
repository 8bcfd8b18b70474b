// The service scheduler against lightweight ACS agents, through the real SDK: keeping desiredCount
// tasks RUNNING, replacing a task that stops, rolling deployments within minimumHealthyPercent /
// maximumPercent, scaling, DRAINING instances, DAEMON services, deletion, and the SDK's own
// services_stable / services_inactive waiters.
import {
  CreateServiceCommand, DeleteServiceCommand, DescribeTasksCommand, InvalidParameterException, ListTasksCommand,
  RegisterTaskDefinitionCommand, UpdateContainerInstancesStateCommand, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe as suite, expect, it } from 'vitest';
import { Fleet, clusterWith, describe, eventMessages, eventually, tdOf, useServiceControlPlane, waitInactive, waitStable } from './service-agents.ts';

const env = useServiceControlPlane();
let fleet: Fleet;
const agentIn = (cluster: string, extra: { ports?: string[]; cpu?: number } = {}) => env.agentIn(fleet, cluster, extra);

suite('a REPLICA service', () => {
  it('keeps desiredCount tasks RUNNING, replaces one that stops, and says so in its events', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'keep', ['web']);
    await env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32 }], tags: [{ key: 'from', value: 'td' }] }));
    const a = await agentIn('keep');
    const b = await agentIn('keep');
    const created = await env.ecs.send(new CreateServiceCommand({
      cluster: 'keep', serviceName: 'web', taskDefinition: 'web:2', desiredCount: 3,
      tags: [{ key: 'team', value: 'core' }], propagateTags: 'SERVICE', enableECSManagedTags: true,
    }));
    const deploymentId = created.service!.deployments![0]!.id!;
    expect(deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(created.service).toMatchObject({
      serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/keep/web', status: 'ACTIVE', desiredCount: 3, launchType: 'EC2',
      taskDefinition: tdOf('web', 2), schedulingStrategy: 'REPLICA',
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
    });

    await waitStable(env.ecs, 'keep', 'web');
    const svc = await describe(env.ecs, 'keep', 'web');
    expect(svc).toMatchObject({ runningCount: 3, pendingCount: 0 });
    expect(svc.deployments).toEqual([expect.objectContaining({
      id: deploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
      desiredCount: 3, runningCount: 3, pendingCount: 0, failedTasks: 0,
    })]);
    // Every payload of a service task names the service, as real ACS payloads do.
    const payloadTasks = [a, b].flatMap((x) => x.agent.frames).flatMap((f) => ('unknown' in f || f.type !== 'PayloadMessage' ? [] : f.message.tasks));
    expect(payloadTasks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(payloadTasks.map((t) => t.serviceName))).toEqual(new Set(['web']));
    const messages = svc.events!.map((e) => e.message);
    expect(messages[0]).toBe('(service web) has reached a steady state.');
    expect(messages[1]).toBe(`(service web) (deployment ${deploymentId}) deployment completed.`);
    expect(messages.some((m) => /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(m!))).toBe(true);
    // Spread over both instances (the default service placement), two on one and one on the other.
    expect([fleet.on(a.arn).length, fleet.on(b.arn).length].sort()).toEqual([1, 2]);

    const listed = await env.ecs.send(new ListTasksCommand({ cluster: 'keep', startedBy: deploymentId }));
    expect(listed.taskArns).toHaveLength(3);
    const tasks = (await env.ecs.send(new DescribeTasksCommand({ cluster: 'keep', tasks: listed.taskArns, include: ['TAGS'] }))).tasks!;
    for (const t of tasks) {
      expect(t).toMatchObject({ group: 'service:web', startedBy: deploymentId, lastStatus: 'RUNNING' });
      expect(t.tags).toEqual(expect.arrayContaining([
        { key: 'team', value: 'core' }, { key: 'aws:ecs:clusterName', value: 'keep' }, { key: 'aws:ecs:serviceName', value: 'web' },
      ]));
      expect(t.tags).not.toContainEqual({ key: 'from', value: 'td' });
    }

    // A task dies on its own: the scheduler starts a replacement and records it.
    const victim = tasks[0]!.taskArn!;
    const owner = env.agents.find((x) => fleet.on(x.arn).some((t) => t.arn === victim))!;
    await owner.crash(victim);
    const replacement = await eventually(async () => {
      const m = await eventMessages(env.ecs, 'keep', 'web');
      const started = m.find((x) => x.startsWith('(service web) has started 1 tasks:'));
      expect(started).toBeDefined();
      return started!.match(/\(task ([0-9a-f]{32})\)/)![1]!;
    });
    expect(victim.endsWith(replacement)).toBe(false);
    await waitStable(env.ecs, 'keep', 'web');
    const after = await env.ecs.send(new ListTasksCommand({ cluster: 'keep', startedBy: deploymentId }));
    expect(after.taskArns).toHaveLength(3);
    expect(after.taskArns).not.toContain(victim);
    expect(after.taskArns!.some((arn) => arn.endsWith(replacement))).toBe(true);
    expect((await eventMessages(env.ecs, 'keep', 'web'))[0]).toBe('(service web) has reached a steady state.');
  });

  it('rolls a new task definition out within the default 100% / 200%, then drops the old deployment', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'roll', ['api', 'api']);
    await agentIn('roll');
    await agentIn('roll');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'roll', serviceName: 'api', taskDefinition: 'api:1', desiredCount: 4 }));
    await waitStable(env.ecs, 'roll', 'api');
    const first = (await describe(env.ecs, 'roll', 'api')).deployments![0]!.id!;

    fleet.watch('api');
    const updated = await env.ecs.send(new UpdateServiceCommand({ cluster: 'roll', service: 'api', taskDefinition: 'api:2' }));
    expect(updated.service!.taskDefinition).toBe(tdOf('api', 2));
    expect(updated.service!.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState])).toEqual([
      ['PRIMARY', tdOf('api', 2), 'IN_PROGRESS'], ['ACTIVE', tdOf('api', 1), 'COMPLETED'],
    ]);
    const second = updated.service!.deployments![0]!.id!;
    await waitStable(env.ecs, 'roll', 'api');
    const bounds = fleet.stopWatch();
    expect(bounds.maxLive).toBeLessThanOrEqual(8);
    expect(bounds.maxLive).toBeGreaterThan(4); // it did start new tasks before stopping old ones
    expect(bounds.minRunning).toBeGreaterThanOrEqual(4);

    const svc = await describe(env.ecs, 'roll', 'api');
    expect(svc.deployments).toEqual([expect.objectContaining({ id: second, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 4 })]);
    expect([...fleet.live.values()].filter((t) => t.family === 'api').map((t) => t.version)).toEqual(['2', '2', '2', '2']);
    expect(await env.ecs.send(new ListTasksCommand({ cluster: 'roll', startedBy: first }))).toMatchObject({ taskArns: [] });
    const stopped = (await env.ecs.send(new ListTasksCommand({ cluster: 'roll', startedBy: first, desiredStatus: 'STOPPED' }))).taskArns!;
    expect(stopped).toHaveLength(4);
    const old = (await env.ecs.send(new DescribeTasksCommand({ cluster: 'roll', tasks: stopped }))).tasks!;
    for (const t of old) expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Scaling activity initiated by (deployment ${second})` });
    expect(svc.events!.some((e) => /^\(service api\) has stopped \d running tasks: /.test(e.message!))).toBe(true);
  });

  it('with minimumHealthyPercent 50 / maximumPercent 100 stops old tasks first and never exceeds the desired count', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'tight', ['job', 'job']);
    await agentIn('tight');
    await env.ecs.send(new CreateServiceCommand({
      cluster: 'tight', serviceName: 'job', taskDefinition: 'job:1', desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 },
    }));
    await waitStable(env.ecs, 'tight', 'job');
    fleet.watch('job');
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'tight', service: 'job', taskDefinition: 'job:2' }));
    await waitStable(env.ecs, 'tight', 'job');
    const bounds = fleet.stopWatch();
    expect(bounds.maxLive).toBeLessThanOrEqual(4);
    expect(bounds.minRunning).toBeGreaterThanOrEqual(2);
    expect(bounds.minRunning).toBeLessThan(4); // it did use the room minimumHealthyPercent gives
    expect([...fleet.live.values()].filter((t) => t.family === 'job').map((t) => t.version)).toEqual(['2', '2', '2', '2']);
  });

  it('scales up and down with desiredCount, and forceNewDeployment replaces every task', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'scale', ['w']);
    await agentIn('scale');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'scale', serviceName: 'w', taskDefinition: 'w', desiredCount: 1 }));
    await waitStable(env.ecs, 'scale', 'w');
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'scale', service: 'w', desiredCount: 3 }));
    await waitStable(env.ecs, 'scale', 'w');
    expect(fleet.live.size).toBe(3);
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'scale', service: 'w', desiredCount: 1 }));
    await waitStable(env.ecs, 'scale', 'w');
    expect(fleet.live.size).toBe(1);
    const before = [...fleet.live.keys()];
    const forced = await env.ecs.send(new UpdateServiceCommand({ cluster: 'scale', service: 'w', forceNewDeployment: true }));
    expect(forced.service!.deployments).toHaveLength(2);
    await waitStable(env.ecs, 'scale', 'w');
    expect(fleet.live.size).toBe(1);
    expect([...fleet.live.keys()]).not.toEqual(before);
  });

  it('says when the deployment configuration leaves no room to move (100% / 100%)', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'stuck', ['s', 's']);
    await agentIn('stuck');
    await env.ecs.send(new CreateServiceCommand({
      cluster: 'stuck', serviceName: 's', taskDefinition: 's:1', desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 },
    }));
    await waitStable(env.ecs, 'stuck', 's');
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'stuck', service: 's', taskDefinition: 's:2' }));
    await eventually(async () => expect((await eventMessages(env.ecs, 'stuck', 's'))[0]).toBe(
      '(service s) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.'));
    expect([...fleet.live.values()].map((t) => t.version)).toEqual(['1', '1']);
    // Room to move again: the deployment proceeds.
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'stuck', service: 's', deploymentConfiguration: { maximumPercent: 150 } }));
    await waitStable(env.ecs, 'stuck', 's');
    expect([...fleet.live.values()].map((t) => t.version)).toEqual(['2', '2']);
  });

  it('reports a task it cannot place, naming the closest instance and what it lacks', async () => {
    fleet = new Fleet();
    await env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'port', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 16, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] }));
    await clusterWith(env.ecs, 'full', []);
    const only = await agentIn('full');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'full', serviceName: 'p', taskDefinition: 'port', desiredCount: 2 }));
    const id = only.arn.slice(only.arn.lastIndexOf('/') + 1);
    await eventually(async () => expect(await eventMessages(env.ecs, 'full', 'p')).toContain(
      `(service p) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${id}) is already using a port required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`));
    await eventually(async () => expect((await describe(env.ecs, 'full', 'p')).runningCount).toBe(1));
    // Said once, not at every pass.
    await new Promise((r) => setTimeout(r, 400));
    expect((await eventMessages(env.ecs, 'full', 'p')).filter((m) => m.includes('was unable to place'))).toHaveLength(1);
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'full', service: 'p', force: true }));
  });
});

suite('container instances set to DRAINING', () => {
  it('have their service tasks replaced elsewhere before they are stopped, never below minimumHealthyPercent', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'drain', ['d']);
    const a = await agentIn('drain');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'drain', serviceName: 'd', taskDefinition: 'd', desiredCount: 2 }));
    await waitStable(env.ecs, 'drain', 'd');
    expect(fleet.on(a.arn)).toHaveLength(2);
    const b = await agentIn('drain');
    fleet.watch('d');
    await env.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'drain', containerInstances: [a.arn], status: 'DRAINING' }));
    await eventually(async () => {
      expect(fleet.on(a.arn)).toHaveLength(0);
      expect(fleet.on(b.arn).filter((t) => t.running)).toHaveLength(2);
    }, 10_000);
    await waitStable(env.ecs, 'drain', 'd');
    const bounds = fleet.stopWatch();
    expect(bounds.minRunning).toBeGreaterThanOrEqual(2);
    expect(bounds.maxLive).toBeLessThanOrEqual(4);
  });
});

suite('a DAEMON service on a DRAINING instance', () => {
  it('keeps its task there until the other service tasks of the instance are gone, then stops it', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'dd', ['daemon', 'replica']);
    const a = await agentIn('dd');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'dd', serviceName: 'r', taskDefinition: 'replica', desiredCount: 1 }));
    await env.ecs.send(new CreateServiceCommand({ cluster: 'dd', serviceName: 'd', taskDefinition: 'daemon', schedulingStrategy: 'DAEMON' }));
    await waitStable(env.ecs, 'dd', 'r');
    await waitStable(env.ecs, 'dd', 'd');
    const b = await agentIn('dd');
    await waitStable(env.ecs, 'dd', 'd');
    const [replicaOnA] = fleet.on(a.arn).filter((t) => t.family === 'replica');
    const [daemonOnA] = fleet.on(a.arn).filter((t) => t.family === 'daemon');
    await env.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'dd', containerInstances: [a.arn], status: 'DRAINING' }));
    await eventually(() => expect(fleet.on(a.arn)).toHaveLength(0), 10_000);
    expect(fleet.stopped).toEqual([replicaOnA!.arn, daemonOnA!.arn]);
    expect(fleet.on(b.arn).map((t) => t.family).sort()).toEqual(['daemon', 'replica']);
    await waitStable(env.ecs, 'dd', 'd');
    expect(await describe(env.ecs, 'dd', 'd')).toMatchObject({ desiredCount: 1, runningCount: 1 });
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'dd', service: 'r', force: true }));
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'dd', service: 'd' }));
    await waitInactive(env.ecs, 'dd', 'd');
  });
});

suite('a DAEMON service', () => {
  it('runs one task per ACTIVE instance, follows new instances, and is deleted without force', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'daemons', ['agentd']);
    const a = await agentIn('daemons');
    const b = await agentIn('daemons');
    const created = await env.ecs.send(new CreateServiceCommand({ cluster: 'daemons', serviceName: 'logs', taskDefinition: 'agentd', schedulingStrategy: 'DAEMON' }));
    expect(created.service).toMatchObject({ schedulingStrategy: 'DAEMON', deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } });
    await waitStable(env.ecs, 'daemons', 'logs');
    expect(fleet.on(a.arn)).toHaveLength(1);
    expect(fleet.on(b.arn)).toHaveLength(1);
    const c = await agentIn('daemons');
    await eventually(async () => expect(fleet.on(c.arn).filter((t) => t.running)).toHaveLength(1), 5000);
    await waitStable(env.ecs, 'daemons', 'logs');
    expect(await describe(env.ecs, 'daemons', 'logs')).toMatchObject({ desiredCount: 3, runningCount: 3 });
    await expect(env.ecs.send(new UpdateServiceCommand({ cluster: 'daemons', service: 'logs', desiredCount: 5 }))).rejects.toThrow(InvalidParameterException);

    const deleted = await env.ecs.send(new DeleteServiceCommand({ cluster: 'daemons', service: 'logs' }));
    expect(deleted.service!.status).toBe('DRAINING');
    await waitInactive(env.ecs, 'daemons', 'logs');
    expect(fleet.live.size).toBe(0);
    expect(await describe(env.ecs, 'daemons', 'logs')).toMatchObject({ status: 'INACTIVE', runningCount: 0, desiredCount: 0 });
  });
});

suite('DeleteService', () => {
  it('refuses a scaled-up REPLICA service without force; with force it drains to INACTIVE', async () => {
    fleet = new Fleet();
    await clusterWith(env.ecs, 'del', ['x']);
    await agentIn('del');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'del', serviceName: 'x', taskDefinition: 'x', desiredCount: 2 }));
    await waitStable(env.ecs, 'del', 'x');
    const refused = await env.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'x' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect((refused as Error).message).toMatch(/cannot be stopped while it is scaled above 0 \(desiredCount 2\)/);
    const draining = await env.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'x', force: true }));
    expect(draining.service).toMatchObject({ status: 'DRAINING', desiredCount: 0 });
    await waitInactive(env.ecs, 'del', 'x');
    expect(fleet.live.size).toBe(0);
    const inactive = await describe(env.ecs, 'del', 'x');
    expect(inactive.deployments!.every((d) => d.status === 'INACTIVE')).toBe(true);
    // The name is free again once the old service is INACTIVE.
    await env.ecs.send(new CreateServiceCommand({ cluster: 'del', serviceName: 'x', taskDefinition: 'x', desiredCount: 1 }));
    await waitStable(env.ecs, 'del', 'x');
    await env.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'x', force: true }));
    await waitInactive(env.ecs, 'del', 'x');
  });
});
