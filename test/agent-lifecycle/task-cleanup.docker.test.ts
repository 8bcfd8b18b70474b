// Task cleanup (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION) on the REAL Docker engine and a real sqlite
// checkpoint: after a task stopped and its STOPPED was acknowledged, and only then, its containers
// and task-scoped volumes go and the task is forgotten — on the same schedule across a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { containerCreateSpec } from '../../src/agent/docker/container-config.ts';
import { TaskEngine } from '../../src/agent/engine/task-engine.ts';
import { durableTaskCheckpoint } from '../../src/agent/outbox/durable-task-checkpoint.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';
import { ChangeRecorder, CLUSTER, container, removeTestContainers, RUN_ID, task, testLogger } from '../agent-engine/engine-harness.ts';
import { docker as rawDocker } from '../e2e/local-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-cleanup-'));
const docker = new DockerodeEngine({ logger: testLogger });
const sharedVolume = `dockhand-test-shared-${RUN_ID}`;
const engines: TaskEngine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  await removeTestContainers(docker);
  for (const v of (await rawDocker.listVolumes({ filters: { label: [`dockhand.test=${RUN_ID}`] } })).Volumes ?? []) await rawDocker.getVolume(v.Name).remove().catch(() => undefined);
  await rawDocker.getVolume(sharedVolume).remove().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function engineOn(store: SqliteAgentStore, waitMs: number, pending: (arn: string) => boolean = () => false): { engine: TaskEngine; rec: ChangeRecorder } {
  const rec = new ChangeRecorder();
  const engine = new TaskEngine({
    docker, cluster: CLUSTER, defaultStopTimeoutMs: 1_000, imagePullBehavior: 'prefer-cached', logger: testLogger,
    checkpoint: durableTaskCheckpoint(store, CLUSTER), onStateChange: rec.onStateChange, taskCleanupWaitMs: waitMs, isReportPending: pending,
  });
  engines.push(engine);
  return { engine, rec };
}

/** A task with a task-scoped volume (and a shared one, known to Docker by its own name), its
 *  container ready to exit on SIGTERM. */
function volumeTask(family: string, shared?: string): AcsTask {
  return task(family, [container('main', {
    command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }, ...(shared ? [{ sourceVolume: shared, containerPath: '/shared' }] : [])],
  })], {
    volumes: [
      { name: 'scratch', type: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local', labels: { 'dockhand.test': RUN_ID } } },
      ...(shared ? [{ name: shared, type: 'docker' as const, dockerVolumeConfiguration: { scope: 'shared' as const, autoprovision: true, driver: 'local' } }] : []),
    ],
  });
}
const taskVolumes = async (arn: string) => docker.listVolumes({ labels: [`com.amazonaws.ecs.task-arn=${arn}`] });
const containersOf = async (arn: string) => docker.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${arn}`] });

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return Date.now();
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('task cleanup', () => {
  it('removes the containers and task volume (not the shared one) once the wait is over, and forgets the task', async () => {
    const store = new SqliteAgentStore(join(dir, 'a'));
    const { engine, rec } = engineOn(store, 2_000);
    await engine.start();
    const t = volumeTask('cleanup-basic', sharedVolume);
    engine.applyTask(t);
    await rec.next(t.arn, 'RUNNING');
    expect(await taskVolumes(t.arn)).toHaveLength(1);
    // A container of the task that the agent never recorded (as a create that timed out and landed
    // late would leave): found by its labels and removed too.
    const stray = containerCreateSpec(t, t.containers[0]!, { cluster: CLUSTER, name: `stray-${RUN_ID}-${Date.now()}` });
    if (!stray.ok) throw new Error(stray.reason);
    await docker.createContainer(stray.spec);
    expect(await containersOf(t.arn)).toHaveLength(2);

    engine.stopTask(t.arn);
    await rec.next(t.arn, 'STOPPED');
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await containersOf(t.arn)).toHaveLength(2); // kept during the wait
    expect(engine.knownTasks().map((k) => k.taskArn)).toContain(t.arn);

    const goneAt = await until(async () => (await containersOf(t.arn)).length === 0, 10_000, 'the containers to go');
    expect(goneAt - stoppedAt).toBeGreaterThanOrEqual(1_500);
    expect(goneAt - stoppedAt).toBeLessThan(5_000);
    await until(async () => engine.knownTasks().every((k) => k.taskArn !== t.arn), 5_000, 'the task to be forgotten');
    expect(await taskVolumes(t.arn)).toEqual([]);
    expect((await rawDocker.getVolume(sharedVolume).inspect()).Name).toBe(sharedVolume); // shared: stays
    expect(store.loadTasks().map((r) => r.taskArn)).not.toContain(t.arn);
    store.close();
  });

  it('waits while the STOPPED report is not acknowledged, and cleans up as soon as it is', async () => {
    const store = new SqliteAgentStore(join(dir, 'b'));
    let pending = true;
    const { engine, rec } = engineOn(store, 1_000, () => pending);
    await engine.start();
    const t = task('cleanup-unacked', [container('main', { command: ['sh', '-c', 'exit 0'] })]);
    engine.applyTask(t);
    const stop = await rec.next(t.arn, 'STOPPED');
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await containersOf(t.arn)).map((c) => c.id)).toEqual([stop.containers[0]!.runtimeId]);
    pending = false;
    // Re-checked every 10 s while the report is pending.
    await until(async () => (await containersOf(t.arn)).length === 0, 15_000, 'the containers to go');
    store.close();
  }, 30_000);

  it('survives a restart: the restarted engine cleans up on the original schedule', async () => {
    const store = new SqliteAgentStore(join(dir, 'c'));
    const first = engineOn(store, 4_000);
    await first.engine.start();
    const t = volumeTask('cleanup-restart');
    first.engine.applyTask(t);
    await first.rec.next(t.arn, 'RUNNING');
    first.engine.stopTask(t.arn);
    await first.rec.next(t.arn, 'STOPPED');
    const stoppedAt = Date.now();
    await first.engine.close(); // the agent "dies" 1 s into the wait
    await new Promise((r) => setTimeout(r, 1_000));

    const second = engineOn(store, 4_000);
    await second.engine.start();
    expect(second.engine.knownTasks().map((k) => k.taskArn)).toContain(t.arn);
    expect(second.rec.changes).toEqual([]); // STOPPED was already reported: not again
    const goneAt = await until(async () => (await containersOf(t.arn)).length === 0, 10_000, 'the containers to go');
    // Due 4 s after the stop, not 4 s after the restart.
    expect(goneAt - stoppedAt).toBeGreaterThanOrEqual(3_500);
    expect(goneAt - stoppedAt).toBeLessThan(4_900);
    await until(async () => (await taskVolumes(t.arn)).length === 0, 5_000, 'the task volume to go');
    await until(async () => !store.loadTasks().some((r) => r.taskArn === t.arn), 5_000, 'the checkpoint row to go');
    await second.engine.close();

    const third = engineOn(store, 4_000); // and a later restart knows nothing of it
    await third.engine.start();
    expect(third.engine.knownTasks()).toEqual([]);
    store.close();
  });
});
