// Containers that end behind the agent's back, on the REAL Docker engine (real agent #364 leaves
// such tasks RUNNING forever): `docker kill` and `docker rm -f` are noticed from Docker's events, as
// is a container removed before it ever started (a `destroy` with no `die`), and Docker's
// "health_status: …" actions are read as health changes.
import { afterAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { toContainerEvent } from '../../src/agent/docker/docker-event-stream.ts';
import { REMOVED_REASON, TaskEngine } from '../../src/agent/engine/task-engine.ts';
import { ChangeRecorder, CLUSTER, container, removeTestContainers, task, testLogger } from '../agent-engine/engine-harness.ts';
import { docker as rawDocker } from '../e2e/local-harness.ts';

const real = new DockerodeEngine({ logger: testLogger });
const engines: TaskEngine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  await removeTestContainers(real);
});

async function engineOver(docker: DockerEngine = real): Promise<{ engine: TaskEngine; rec: ChangeRecorder }> {
  const rec = new ChangeRecorder();
  const engine = new TaskEngine({ docker, cluster: CLUSTER, defaultStopTimeoutMs: 1_000, imagePullBehavior: 'prefer-cached', logger: testLogger, onStateChange: rec.onStateChange });
  engines.push(engine);
  await engine.start();
  return { engine, rec };
}
const polite = { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] };

describe('containers ended outside the agent', () => {
  it.each([
    ['docker kill', (id: string) => rawDocker.getContainer(id).kill()],
    ['docker rm -f', (id: string) => rawDocker.getContainer(id).remove({ force: true })],
  ])('%s of the essential container: STOPPED with exit code 137, the other container stopped by the agent', async (_how, act) => {
    const { engine, rec } = await engineOver();
    const t = task('external', [container('main', polite), container('other', polite)]);
    engine.applyTask(t);
    const running = await rec.next(t.arn, 'RUNNING');
    await act(running.containers[0]!.runtimeId!);
    const stop = await rec.next(t.arn, 'STOPPED', 5_000);
    expect(stop.containers).toEqual([
      { containerName: 'main', runtimeId: running.containers[0]!.runtimeId, status: 'STOPPED', exitCode: 137 },
      { containerName: 'other', runtimeId: running.containers[1]!.runtimeId, status: 'STOPPED', exitCode: 0 },
    ]);
    expect(engine.knownTasks().find((k) => k.taskArn === t.arn)).toMatchObject({ desiredStatus: 'STOPPED', knownStatus: 'STOPPED' });
  });

  it('a container removed before it started (a destroy with no die) is STOPPED with a reason, not left CREATED', async () => {
    let removed: Promise<unknown> | undefined;
    // The real engine, with a start that is slow to arrive: meanwhile someone removes the container.
    const docker = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'startContainer') {
          return async (id: string) => {
            removed = rawDocker.getContainer(id).remove({ force: true });
            await removed;
            await new Promise((r) => setTimeout(r, 500)); // the destroy event lands first
            return target.startContainer(id);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const { engine, rec } = await engineOver(docker);
    const t = task('external-created', [container('main', polite)]);
    engine.applyTask(t);
    const stop = await rec.next(t.arn, 'STOPPED', 5_000);
    expect(removed).toBeDefined();
    expect(stop.containers[0]).toMatchObject({ containerName: 'main', status: 'STOPPED', reason: REMOVED_REASON });
    expect(stop.containers[0]!.exitCode).toBeUndefined();
  });
});

describe('Docker event parsing', () => {
  it('reads "health_status: <status>" as a health change and ignores unknown statuses', () => {
    const raw = { Type: 'container', Action: 'health_status: unhealthy', Actor: { ID: 'abc', Attributes: { 'com.amazonaws.ecs.task-arn': 'arn' } }, timeNano: 1_800_000_000_123_456_789 };
    expect(toContainerEvent(raw)).toEqual({ action: 'health_status', id: 'abc', time: 1_800_000_000_123, labels: { 'com.amazonaws.ecs.task-arn': 'arn' }, health: 'unhealthy' });
    expect(toContainerEvent({ ...raw, Action: 'health_status: bogus' })).toBeUndefined();
    expect(toContainerEvent({ ...raw, Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '3' } } })).toMatchObject({ action: 'die', exitCode: 3 });
    expect(toContainerEvent({ ...raw, Action: 'exec_start: sh' })).toBeUndefined();
  });
});
