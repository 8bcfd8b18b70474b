// dependsOn on the REAL Docker engine: start order as Docker's own StartedAt/FinishedAt record it,
// reverse stop order, a dependency's startTimeout, and dependencies that can never be met failing
// the task with a reason (never hanging, never creating what cannot run).
import { describe, expect, it } from 'vitest';
import type { AcsContainer } from '../../src/protocol/acs-messages.ts';
import { container, RUN_ID, TEST_LABEL, task, stopped, useTestEngine } from '../agent-engine/engine-harness.ts';

const { docker, recorder, engine } = useTestEngine('prefer-cached');

/** A container with a Docker health check (as the control plane sends it: healthCheckType plus
 *  the Healthcheck in the Docker config). Intervals in ms. */
function checked(name: string, test: string, over: Partial<AcsContainer> = {}): AcsContainer {
  const ns = 1_000_000;
  return container(name, {
    healthCheckType: 'docker',
    dockerConfig: {
      config: JSON.stringify({ Labels: { [TEST_LABEL]: RUN_ID }, Healthcheck: { Test: ['CMD-SHELL', test], Interval: 300 * ns, Timeout: 1000 * ns, Retries: 1000, StartPeriod: 0 } }),
      hostConfig: '{}',
    },
    ...over,
  });
}
const loop = (onTerm: string) => ['sh', '-c', `trap '${onTerm}' TERM; while true; do sleep 0.1; done`];
const byName = <T extends { containerName: string }>(list: T[]) => Object.fromEntries(list.map((c) => [c.containerName, c]));
const forTask = (arn: string) => docker.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${arn}`] });

describe('dependsOn on real Docker', () => {
  it('starts in dependency order (SUCCESS, HEALTHY, START) and stops in reverse order', async () => {
    const t = task('deps-order', [
      container('side', { essential: false, command: loop('exit 0'), dependsOn: [{ containerName: 'app', condition: 'START' }] }),
      container('app', { command: loop('sleep 1; exit 0'), stopTimeout: 5, dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }, { containerName: 'db', condition: 'HEALTHY' }] }),
      container('init', { essential: false, command: ['sh', '-c', 'sleep 1; exit 0'] }),
      checked('db', 'test -f /tmp/ready', { command: ['sh', '-c', 'trap "exit 0" TERM; sleep 1.5; touch /tmp/ready; while true; do sleep 0.1; done'] }),
    ]);
    engine.applyTask(t);
    const running = await recorder.next(t.arn, 'RUNNING');
    const seen = byName(running.containers);
    expect(seen.init).toMatchObject({ status: 'STOPPED', exitCode: 0 });
    expect([seen.app!.status, seen.db!.status, seen.side!.status]).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);

    const at = Object.fromEntries(await Promise.all(['init', 'db', 'app', 'side'].map(async (n) => [n, await docker.inspectContainer(seen[n]!.runtimeId!)] as const)));
    expect(at.app!.startedAt!).toBeGreaterThanOrEqual(at.init!.finishedAt!); // SUCCESS: after init exited 0
    expect(at.app!.startedAt! - at.db!.startedAt!).toBeGreaterThanOrEqual(1_500); // HEALTHY: not before /tmp/ready
    expect(at.side!.startedAt!).toBeGreaterThanOrEqual(at.app!.startedAt!); // START
    expect(at.db!.health).toBe('healthy');
    expect(engine.knownTasks().find((k) => k.taskArn === t.arn)!.containers.find((c) => c.name === 'db')!.health).toBe('HEALTHY');

    engine.applyTask(stopped(t));
    const stop = await recorder.next(t.arn, 'STOPPED', 30_000);
    expect(stop.containers.every((c) => c.status === 'STOPPED')).toBe(true);
    const end = Object.fromEntries(await Promise.all(['db', 'app', 'side'].map(async (n) => [n, (await docker.inspectContainer(seen[n]!.runtimeId!)).finishedAt!] as const)));
    // app takes 1 s to exit on SIGTERM; db (which app depends on) exits at once, so db finishing
    // after app proves it was only asked to stop once app had stopped. side stopped before app.
    expect(end.app!).toBeGreaterThanOrEqual(end.side!);
    expect(end.db!).toBeGreaterThanOrEqual(end.app!);
    expect(byName(stop.containers).app).toMatchObject({ exitCode: 0 });
  });

  it('a SUCCESS dependency exiting non-zero stops the task; the dependent is never created', async () => {
    const t = task('deps-success-fails', [
      container('init', { essential: false, command: ['sh', '-c', 'exit 3'] }),
      container('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] }),
    ]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');
    const c = byName(stop.containers);
    expect(c.init).toMatchObject({ status: 'STOPPED', exitCode: 3 });
    expect(c.app).toEqual({
      containerName: 'app', status: 'STOPPED',
      reason: 'CannotStartContainerError: dependency of container "app" cannot be met: it waits for "init" to exit successfully (SUCCESS), which exited with code 3',
    });
    expect((await forTask(t.arn)).map((x) => x.labels['com.amazonaws.ecs.container-name'])).toEqual(['init']);
    expect(recorder.of(t.arn).map((x) => x.status)).toEqual(['STOPPED']);
  });

  it.each<[string, AcsContainer[], RegExp]>([
    ['HEALTHY on a container without a health check', [
      container('db', { essential: false }), container('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
    ], /^TaskDependencyError: container "app" waits for "db" to be HEALTHY, but "db" has no health check$/],
    ['COMPLETE on an essential container', [
      container('init', { command: ['true'] }), container('app', { dependsOn: [{ containerName: 'init', condition: 'COMPLETE' }] }),
    ], /^TaskDependencyError: .*"init" is essential/],
    ['a cycle', [
      container('a', { dependsOn: [{ containerName: 'b', condition: 'START' }] }), container('b', { dependsOn: [{ containerName: 'a', condition: 'START' }] }),
    ], /^TaskDependencyError: containers depend on each other in a cycle: a → b → a$/],
    ['an unknown container', [container('app', { dependsOn: [{ containerName: 'nope', condition: 'START' }] })], /"nope", which is not in the task/],
  ])('%s: STOPPED at once with the reason, nothing created in Docker', async (_name, containers, reason) => {
    const t = task('deps-invalid', containers);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED', 2_000);
    expect(stop.reason).toMatch(reason);
    expect(stop.containers.some((c) => c.reason === stop.reason)).toBe(true);
    expect(stop.containers.every((c) => c.status === 'STOPPED' && c.runtimeId === undefined)).toBe(true);
    expect(await forTask(t.arn)).toEqual([]);
  });

  it('startTimeout: a dependency that does not become HEALTHY in time fails the dependent after that long', async () => {
    const t = task('deps-timeout', [
      checked('db', 'false', { startTimeout: 2, stopTimeout: 1 }),
      container('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
    ]);
    const t0 = Date.now();
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED', 15_000);
    const c = byName(stop.containers);
    expect(c.app!.reason).toMatch(/waits for "db" to be HEALTHY, which did not get there within its startTimeout of 2s$/);
    expect(c.app!.runtimeId).toBeUndefined();
    const dbStarted = (await docker.inspectContainer(c.db!.runtimeId!)).startedAt!;
    expect(dbStarted).toBeGreaterThanOrEqual(t0);
    // It waited the 2 s (from the dependency's start), and not much longer.
    const failedAt = stop.at - performance.now() + Date.now();
    expect(failedAt - dbStarted).toBeGreaterThanOrEqual(2_000);
    expect(failedAt - dbStarted).toBeLessThan(6_000);
  });

  it('a dependency that fails to be created fails a container waiting on it, with its reason', async () => {
    const t = task('deps-never', [
      container('tiny', { essential: false, memory: 1 }), // under Docker's 6 MB minimum
      container('app', { dependsOn: [{ containerName: 'tiny', condition: 'START' }] }),
    ]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');
    expect(byName(stop.containers).app!.reason).toBe(
      'CannotStartContainerError: dependency of container "app" cannot be met: it waits for "tiny" to start, which will never start (CannotCreateContainerError: Minimum memory limit allowed is 6MB)',
    );
  });
});
