// The deployment circuit breaker: tasks of a new deployment that never reach RUNNING count as
// failed; at ECS's threshold (half the desired count, at least 3, at most 200) the deployment is
// FAILED and — with rollback — the service returns to the last COMPLETED deployment.
import { CreateServiceCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { describe as suite, expect, it } from 'vitest';
import { circuitBreakerThreshold } from '../../src/control-plane/services/records.ts';
import { Fleet, clusterWith, describe, eventMessages, eventually, tdOf, useServiceControlPlane, waitStable } from './service-agents.ts';

const env = useServiceControlPlane({ serviceSchedulerIntervalMs: 50 });

/** A cluster with one agent on which revision 2 of every family fails to start. */
async function setUp(cluster: string, family: string): Promise<Fleet> {
  const fleet = new Fleet();
  fleet.behaviour = (t) => (t.version === '2' ? 'fail' : 'run');
  await clusterWith(env.ecs, cluster, [family, family]);
  await env.agentIn(fleet, cluster);
  return fleet;
}

suite('the failed-task threshold', () => {
  it('is half the desired count, at least 3 and at most 200', () => {
    expect([0, 1, 6, 7, 10, 399, 400, 5000].map(circuitBreakerThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200, 200]);
  });
});

suite('deployment circuit breaker', () => {
  it('with rollback: the failing deployment is FAILED and the last COMPLETED one becomes PRIMARY again', async () => {
    const fleet = await setUp('cb1', 'app');
    await env.ecs.send(new CreateServiceCommand({
      cluster: 'cb1', serviceName: 'app', taskDefinition: 'app:1', desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }));
    await waitStable(env.ecs, 'cb1', 'app');
    const good = (await describe(env.ecs, 'cb1', 'app')).deployments![0]!.id!;
    const goodTasks = [...fleet.live.keys()];

    const bad = (await env.ecs.send(new UpdateServiceCommand({ cluster: 'cb1', service: 'app', taskDefinition: 'app:2' }))).service!.deployments![0]!.id!;
    await eventually(async () => expect(await eventMessages(env.ecs, 'cb1', 'app')).toContain(`(service app) rolling back to deployment ${good}.`), 15_000);
    const messages = await eventMessages(env.ecs, 'cb1', 'app');
    expect(messages).toContain(`(service app) (deployment ${bad}) deployment failed: tasks failed to start.`);
    const failedThen = fleet.failed.length;
    expect(failedThen).toBeGreaterThanOrEqual(3); // the threshold for desiredCount 2

    const svc = await describe(env.ecs, 'cb1', 'app');
    expect(svc.taskDefinition).toBe(tdOf('app', 1));
    expect(svc.deployments![0]).toMatchObject({ id: good, status: 'PRIMARY', taskDefinition: tdOf('app', 1) });
    // IN_PROGRESS while rolling back; its old tasks never stopped, so it may have COMPLETED already.
    expect([`ECS deployment circuit breaker: rolling back to deploymentId ${good}.`, `ECS deployment ${good} completed.`])
      .toContain(svc.deployments![0]!.rolloutStateReason);
    // The failed deployment had no task left, so it is gone already, or going.
    for (const d of svc.deployments!.slice(1)) expect(d).toMatchObject({ id: bad, status: 'ACTIVE', rolloutState: 'FAILED', failedTasks: failedThen });

    await waitStable(env.ecs, 'cb1', 'app');
    const after = await describe(env.ecs, 'cb1', 'app');
    expect(after.deployments).toEqual([expect.objectContaining({ id: good, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })]);
    // Nothing that ran was stopped: minimumHealthyPercent 100 kept the good tasks through it all.
    expect([...fleet.live.keys()].sort()).toEqual(goodTasks.sort());
    expect(fleet.failed.length).toBe(failedThen); // no launch of the failed deployment after it failed
  });

  it('without rollback: the deployment is FAILED, launches nothing more, and what ran keeps running', async () => {
    const fleet = await setUp('cb2', 'api');
    await env.ecs.send(new CreateServiceCommand({
      cluster: 'cb2', serviceName: 'api', taskDefinition: 'api:1', desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    }));
    await waitStable(env.ecs, 'cb2', 'api');
    const bad = (await env.ecs.send(new UpdateServiceCommand({ cluster: 'cb2', service: 'api', taskDefinition: 'api:2' }))).service!.deployments![0]!.id!;
    await eventually(async () => expect((await describe(env.ecs, 'cb2', 'api')).deployments![0]).toMatchObject({
      id: bad, status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    }), 15_000);
    const failedThen = fleet.failed.length;
    expect(failedThen).toBeGreaterThanOrEqual(3);
    expect((await describe(env.ecs, 'cb2', 'api')).deployments![0]!.failedTasks).toBe(failedThen);
    await new Promise((r) => setTimeout(r, 600));
    expect(fleet.failed).toHaveLength(failedThen);
    expect([...fleet.live.values()].map((t) => [t.version, t.running])).toEqual([['1', true], ['1', true]]);
    const svc = await describe(env.ecs, 'cb2', 'api');
    expect(svc.deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect(svc.runningCount).toBe(2);
    // A new deployment is the way out.
    await env.ecs.send(new UpdateServiceCommand({ cluster: 'cb2', service: 'api', taskDefinition: 'api:1' }));
    await waitStable(env.ecs, 'cb2', 'api');
  });

  it('disabled: tasks keep failing with a back-off, and the service says it cannot start tasks consistently', async () => {
    const fleet = await setUp('cb3', 'w');
    await env.ecs.send(new CreateServiceCommand({ cluster: 'cb3', serviceName: 'w', taskDefinition: 'w:2', desiredCount: 1 }));
    await eventually(async () => expect(await eventMessages(env.ecs, 'cb3', 'w')).toContain('(service w) is unable to consistently start tasks successfully.'), 15_000);
    const svc = await describe(env.ecs, 'cb3', 'w');
    expect(svc.deployments![0]).toMatchObject({ rolloutState: 'IN_PROGRESS' });
    expect(svc.deployments![0]!.failedTasks).toBeGreaterThanOrEqual(3);
    // The back-off (0.2 s, 0.4 s, 0.8 s …) keeps the relaunches few.
    const failedSoFar = fleet.failed.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(fleet.failed.length - failedSoFar).toBeLessThanOrEqual(2);
    const stopped = await env.ecs.send(new ListTasksCommand({ cluster: 'cb3', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns!.length).toBe(fleet.failed.length);
  });

  it('on a first deployment that fails there is nothing to roll back to: it is FAILED and stalls', async () => {
    const fleet = await setUp('cb4', 'z');
    await env.ecs.send(new CreateServiceCommand({
      cluster: 'cb4', serviceName: 'z', taskDefinition: 'z:2', desiredCount: 8,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }));
    await eventually(async () => expect((await describe(env.ecs, 'cb4', 'z')).deployments![0]).toMatchObject({ rolloutState: 'FAILED' }), 15_000);
    // Tasks placed before the breaker tripped may still report their failure; then nothing more.
    await new Promise((r) => setTimeout(r, 400));
    const failed = fleet.failed.length;
    expect(failed).toBeGreaterThanOrEqual(4); // the threshold for desiredCount 8
    await new Promise((r) => setTimeout(r, 400));
    expect(fleet.failed.length).toBe(failed);
    expect(await eventMessages(env.ecs, 'cb4', 'z')).not.toEqual(expect.arrayContaining([expect.stringContaining('rolling back')]));
  });
});
