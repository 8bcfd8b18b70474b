// Restart reconciliation on real Docker and a real sqlite checkpoint, in-process: an engine is
// dropped (as by kill -9: nothing stopped, nothing saved beyond what the checkpoint holds) and a
// new one starts on the same agent.db. Plus the pure diff, and the re-inspect after the Docker
// event stream reconnects.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { containerCreateSpec } from '../../src/agent/docker/container-config.ts';
import { TaskEngine } from '../../src/agent/engine/task-engine.ts';
import { initialTaskState } from '../../src/agent/engine/task-state.ts';
import { durableTaskCheckpoint } from '../../src/agent/outbox/durable-task-checkpoint.ts';
import { reconcileTask, VANISHED_REASON, type ObservedContainer } from '../../src/agent/reconcile/reconcile-plan.ts';
import { ChangeRecorder, CLUSTER, container, removeTestContainers, task, testLogger } from '../agent-engine/engine-harness.ts';
import { docker as rawDocker } from './durability-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-reconcile-'));
const docker = new DockerodeEngine({ logger: testLogger });
afterAll(async () => { await removeTestContainers(docker); rmSync(dir, { recursive: true, force: true }); });

function engineOn(store: SqliteAgentStore, d: DockerEngine = docker): { engine: TaskEngine; rec: ChangeRecorder } {
  const rec = new ChangeRecorder();
  const engine = new TaskEngine({
    docker: d, cluster: CLUSTER, defaultStopTimeoutMs: 2000, imagePullBehavior: 'prefer-cached', logger: testLogger,
    checkpoint: durableTaskCheckpoint(store, CLUSTER), onStateChange: rec.onStateChange,
  });
  return { engine, rec };
}

const queued = (store: SqliteAgentStore): string[] => {
  const out: string[] = [];
  for (let h = store.outboxHeads(); h.length; h = store.outboxHeads()) for (const e of h) { out.push(`${e.taskArn}:${(JSON.parse(e.body) as { status: string }).status}`); store.acknowledge(e.id); }
  return out;
};

describe('restart reconciliation', () => {
  it('adopts a running container untouched, reports nothing twice, and stops it on a STOPPED payload', async () => {
    const store = new SqliteAgentStore(join(dir, 'a'));
    const t = task('adopt', [container('main', { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] })]);
    const first = engineOn(store);
    await first.engine.start();
    first.engine.applyTask(t);
    const running = await first.rec.next(t.arn, 'RUNNING');
    expect(queued(store)).toEqual([`${t.arn}:RUNNING`]); // queued with the state, in one transaction
    await first.engine.close(); // the process "dies": nothing is stopped

    const second = engineOn(store);
    await second.engine.start();
    const id = running.containers[0]!.runtimeId!;
    expect(second.engine.knownTasks()).toEqual([{ taskArn: t.arn, desiredStatus: 'RUNNING', knownStatus: 'RUNNING', containers: [{ name: 'main', status: 'RUNNING', dockerId: id }] }]);
    const before = await rawDocker.getContainer(id).inspect();
    await new Promise((r) => setTimeout(r, 300));
    expect(second.rec.changes).toEqual([]); // RUNNING was already queued once: not again
    expect(queued(store)).toEqual([]);
    expect((await rawDocker.getContainer(id).inspect()).State.StartedAt).toBe(before.State.StartedAt);

    second.engine.applyTask({ ...t, desiredStatus: 'STOPPED' });
    const stopped = await second.rec.next(t.arn, 'STOPPED');
    expect(stopped.containers[0]).toMatchObject({ runtimeId: id, status: 'STOPPED', exitCode: 0 });
    expect((await rawDocker.getContainer(id).inspect()).State.Running).toBe(false);
    expect(queued(store)).toEqual([`${t.arn}:STOPPED`]);
    await second.engine.close();
    store.close();
  });

  it('a container created just before the crash, whose id never reached the checkpoint, is adopted and started, not created again', async () => {
    const store = new SqliteAgentStore(join(dir, 'b'));
    const t = task('orphan-create', [container('main')]);
    // The checkpoint says: pulled, `create` under way (so the name was decided), no Docker id yet.
    const saved = initialTaskState(t, { defaultStopTimeoutMs: 2000 });
    saved.containers[0]!.known = { status: 'PULLED' };
    saved.containers[0]!.inFlight = 'create';
    durableTaskCheckpoint(store, CLUSTER).save(saved, undefined);
    // …and Docker did create it.
    const spec = containerCreateSpec(t, t.containers[0]!, { cluster: CLUSTER, name: saved.containers[0]!.dockerName });
    if (!spec.ok) throw new Error(spec.reason);
    const { id } = await docker.createContainer(spec.spec);

    const { engine, rec } = engineOn(store);
    await engine.start();
    const running = await rec.next(t.arn, 'RUNNING');
    expect(running.containers[0]!.runtimeId).toBe(id);
    const all = await docker.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${t.arn}`] });
    expect(all.map((c) => c.id)).toEqual([id]);
    await engine.close();
    store.close();
  });

  it('an exit while the agent was down is reported STOPPED with its exit code, once', async () => {
    const store = new SqliteAgentStore(join(dir, 'c'));
    const t = task('exit-while-down', [container('main')]);
    const first = engineOn(store);
    await first.engine.start();
    first.engine.applyTask(t);
    const id = (await first.rec.next(t.arn, 'RUNNING')).containers[0]!.runtimeId!;
    await first.engine.close();
    await rawDocker.getContainer(id).kill({ signal: 'SIGKILL' });

    const second = engineOn(store);
    await second.engine.start();
    const stopped = await second.rec.next(t.arn, 'STOPPED');
    expect(stopped.containers[0]).toMatchObject({ runtimeId: id, status: 'STOPPED', exitCode: 137 });
    expect(queued(store)).toEqual([`${t.arn}:RUNNING`, `${t.arn}:STOPPED`]);
    await second.engine.close();

    const third = engineOn(store); // and not again on the next restart
    await third.engine.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(third.rec.changes).toEqual([]);
    expect(queued(store)).toEqual([]);
    await third.engine.close();
    store.close();
  });

  it('after the Docker event stream reconnects, re-inspects its containers and reports an exit it missed', async () => {
    let reconnect: (() => void) | undefined;
    // Docker itself, but an event stream that hears nothing (as while dockerd was restarting).
    const deaf: DockerEngine = {
      version: () => docker.version(), imageExists: (r) => docker.imageExists(r), pullImage: (r, o) => docker.pullImage(r, o),
      createContainer: (s) => docker.createContainer(s), startContainer: (i) => docker.startContainer(i),
      stopContainer: (i, s) => docker.stopContainer(i, s), inspectContainer: (i) => docker.inspectContainer(i),
      removeContainer: (i, o) => docker.removeContainer(i, o), listContainers: (o) => docker.listContainers(o),
      containerStats: (i) => docker.containerStats(i),
      listVolumes: (o) => docker.listVolumes(o), removeVolume: (n) => docker.removeVolume(n),
      events: (_listener, o) => { reconnect = o?.onReconnect; return { ready: Promise.resolve(), close() {} }; },
    };
    const store = new SqliteAgentStore(':memory:');
    const { engine, rec } = engineOn(store, deaf);
    await engine.start();
    const t = task('reconnect', [container('main')]);
    engine.applyTask(t);
    const id = (await rec.next(t.arn, 'RUNNING')).containers[0]!.runtimeId!;
    await rawDocker.getContainer(id).kill({ signal: 'SIGKILL' });
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.of(t.arn).map((c) => c.status)).toEqual(['RUNNING']); // the die was never heard
    reconnect!();
    const stopped = await rec.next(t.arn, 'STOPPED', 5000);
    expect(stopped.containers[0]).toMatchObject({ runtimeId: id, exitCode: 137 });
    await engine.close();
    store.close();
  });
});

describe('reconcileTask (pure)', () => {
  const t = task('pure', [container('a'), container('b')]);
  const base = initialTaskState(t, { defaultStopTimeoutMs: 2000 });
  const seen = (o: Partial<ObservedContainer>): ObservedContainer => ({ id: 'x', name: 'n', taskArn: t.arn, containerName: 'a', running: true, exitCode: 0, networkBindings: [], ...o });

  it('finds by id, else by decided name, else by labels; a recorded container that is gone is STOPPED', () => {
    const s = structuredClone(base);
    s.containers[0]!.known = { status: 'RUNNING', dockerId: 'gone', networkBindings: [] };
    s.containers[1]!.known = { status: 'PULLED' };
    s.containers[1]!.inFlight = 'create';
    const r = reconcileTask(s, [seen({ id: 'by-label', containerName: 'b', running: false, startedAt: 1, finishedAt: 2, exitCode: 3 })]);
    expect(r.state.containers.map((c) => c.known)).toEqual([
      { status: 'STOPPED', dockerId: 'gone', reason: VANISHED_REASON },
      { status: 'STOPPED', dockerId: 'by-label', exitCode: 3, finishedAt: 2 },
    ]);
    expect(r.state.containers[1]!.inFlight).toBeUndefined();
    const byName = reconcileTask(base, [seen({ id: 'named', name: base.containers[0]!.dockerName, containerName: 'zzz', running: false })]);
    expect(byName.state.containers[0]!.known).toEqual({ status: 'CREATED', dockerId: 'named' });
  });

  it('never moves a status backwards and leaves STOPPED alone; other tasks’ containers are ignored', () => {
    const s = structuredClone(base);
    s.containers[0]!.known = { status: 'STOPPED', dockerId: 'x', exitCode: 1 };
    const r = reconcileTask(s, [seen({ id: 'x', running: true }), seen({ id: 'y', taskArn: 'other', containerName: 'b' })]);
    expect(r.state.containers.map((c) => c.known)).toEqual([{ status: 'STOPPED', dockerId: 'x', exitCode: 1 }, { status: 'NONE' }]);
    expect(r.changes).toEqual([]);
  });
});
