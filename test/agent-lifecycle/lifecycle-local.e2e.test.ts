// The task lifecycle end to end through `dockhand local` (control plane + agent, real Docker), as a
// user sees it with @aws-sdk/client-ecs: dependsOn order and failures, health in DescribeTasks,
// non-essential exits, containers killed or removed behind the agent's back, and cleanup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { StopTaskCommand, type ContainerDefinition, type Task } from '@aws-sdk/client-ecs';
import { containersOfTask, docker, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from '../e2e/local-harness.ts';

let h: LocalHarness;
beforeAll(async () => {
  h = await startLocalHarness({
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '3s', ECS_POLLING_METRICS_WAIT_DURATION: '1s', DOCKHAND_TCS_PUBLISH_INTERVAL: '1s',
  });
});
afterAll(async () => { await h?.stop(); });

const def = (name: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name, image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2,
  command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'], ...over,
});
const health = (test: string) => ({ command: ['CMD-SHELL', test], interval: 5, timeout: 2, retries: 1, startPeriod: 0 });
const named = (t: Task) => Object.fromEntries((t.containers ?? []).map((c) => [c.name!, c]));
const stoppedTask = (arn: string, ms = 30_000) => h.waitForTask(arn, (t) => t.lastStatus === 'STOPPED', ms).then((r) => r.task);
const runningTask = (arn: string, ms = 30_000) => h.waitForTask(arn, (t) => t.lastStatus === 'RUNNING', ms).then((r) => r.task);

describe('dependsOn through the control plane', () => {
  it('RUNNING only once init succeeded and db is healthy; Docker started them in that order', async () => {
    const { taskArn } = await h.runTask('lc-deps', [
      def('init', { essential: false, command: ['sh', '-c', 'sleep 1; exit 0'] }),
      def('db', { healthCheck: health('test -f /tmp/ready'), command: ['sh', '-c', 'trap "exit 0" TERM; sleep 1; touch /tmp/ready; while true; do sleep 0.2; done'] }),
      def('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }, { containerName: 'db', condition: 'HEALTHY' }] }),
    ]);
    const t = await runningTask(taskArn!);
    const c = named(t);
    expect(c.init).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(c.app!.lastStatus).toBe('RUNNING');
    const inspect = async (n: string) => (await docker.getContainer(c[n]!.runtimeId!).inspect()).State;
    const [init, db, app] = [await inspect('init'), await inspect('db'), await inspect('app')];
    expect(Date.parse(app.StartedAt)).toBeGreaterThanOrEqual(Date.parse(init.FinishedAt));
    expect(Date.parse(app.StartedAt)).toBeGreaterThanOrEqual(Date.parse(db.Health!.Log.find((l) => l.ExitCode === 0)!.End));
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: taskArn!, reason: 'done' }));
    await stoppedTask(taskArn!);
  });

  it('a SUCCESS dependency that fails stops the task; DescribeTasks says why', async () => {
    const { taskArn } = await h.runTask('lc-deps-fail', [
      def('init', { essential: false, command: ['sh', '-c', 'exit 3'] }),
      def('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] }),
    ]);
    const c = named(await stoppedTask(taskArn!));
    expect(c.init).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3 });
    expect(c.app!.reason).toBe('CannotStartContainerError: dependency of container "app" cannot be met: it waits for "init" to exit successfully (SUCCESS), which exited with code 3');
    expect(c.app!.runtimeId).toBeUndefined();
  });

  it('HEALTHY on a container without a health check: STOPPED before anything runs, with the reason', async () => {
    const { taskArn } = await h.runTask('lc-deps-invalid', [
      def('db', { essential: false }),
      def('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
    ]);
    const t = await stoppedTask(taskArn!);
    expect(t.stoppedReason).toBe('TaskDependencyError: container "app" waits for "db" to be HEALTHY, but "db" has no health check');
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(await containersOfTask(taskArn!)).toEqual([]);
  });
});

describe('health in DescribeTasks', () => {
  it('task HEALTHY when its essential container is, whatever a non-essential one says; UNHEALTHY when an essential one fails', async () => {
    const ok = await h.runTask('lc-health-ok', [def('web', { healthCheck: health('true') }), def('side', { essential: false, healthCheck: health('false') })]);
    const bad = await h.runTask('lc-health-bad', [def('web', { healthCheck: health('false') }), def('plain')]);
    const healthy = await h.waitForTask(ok.taskArn!, (t) => t.healthStatus === 'HEALTHY' && named(t).side?.healthStatus === 'UNHEALTHY', 30_000);
    expect(named(healthy.task).web!.healthStatus).toBe('HEALTHY');
    const unhealthy = await h.waitForTask(bad.taskArn!, (t) => t.healthStatus === 'UNHEALTHY', 30_000);
    expect(named(unhealthy.task).web!.healthStatus).toBe('UNHEALTHY');
    expect(named(unhealthy.task).plain!.healthStatus).toBe('UNKNOWN'); // no health check
  });
});

describe('containers that end without the agent', () => {
  it('a non-essential container exiting leaves the task RUNNING and shows its exit code', async () => {
    const { taskArn } = await h.runTask('lc-nonessential', [def('once', { essential: false, command: ['sh', '-c', 'sleep 0.5; exit 4'] }), def('main')]);
    const { task: t } = await h.waitForTask(taskArn!, (x) => named(x).once?.lastStatus === 'STOPPED', 30_000);
    await sleep(1_000);
    const now = await h.describeTask(taskArn!);
    expect(now.lastStatus).toBe('RUNNING');
    expect(named(now).once).toMatchObject({ lastStatus: 'STOPPED', exitCode: 4 });
    expect(named(t).main!.lastStatus).toBe('RUNNING');
  });

  it.each([
    ['docker kill', (id: string) => docker.getContainer(id).kill()],
    ['docker rm -f', (id: string) => docker.getContainer(id).remove({ force: true })],
  ])('%s of an essential container stops the task, with the exit code', async (_how, act) => {
    const { taskArn } = await h.runTask('lc-external', [def('main'), def('other')]);
    const running = await runningTask(taskArn!);
    await act(named(running).main!.runtimeId!);
    const t = await stoppedTask(taskArn!, 15_000);
    expect(named(t).main).toMatchObject({ lastStatus: 'STOPPED', exitCode: 137 });
    expect(named(t).other).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(t.stoppedReason).toBe('Essential container in task exited');
  });
});

describe('cleanup after ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION', () => {
  it('removes a stopped task’s containers after the wait; DescribeTasks still shows it STOPPED', async () => {
    const { taskArn } = await h.runTask('lc-cleanup', [def('main')]);
    await runningTask(taskArn!);
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: taskArn!, reason: 'cleanup test' }));
    await stoppedTask(taskArn!);
    const stoppedAt = Date.now();
    expect(await containersOfTask(taskArn!)).toHaveLength(1);
    for (; (await containersOfTask(taskArn!)).length > 0; await sleep(100)) {
      if (Date.now() - stoppedAt > 15_000) throw new Error('containers not removed');
    }
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2_000);
    expect((await h.describeTask(taskArn!)).lastStatus).toBe('STOPPED');
    expect(readFileSync(h.logFile, 'utf8')).toContain('task cleaned up: containers and task volumes removed, task forgotten');
  });
});
