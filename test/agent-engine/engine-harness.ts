// Shared by the real-Docker engine tests: task builders that label every container with this
// run's id, a recorder of emitted state changes with waiters, and cleanup of only our containers.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { AcsContainer, AcsTask } from '../../src/protocol/acs-messages.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { TaskCgroups, taskCgroupPath } from '../../src/agent/docker/task-cgroup.ts';
import { afterAll, beforeAll } from 'vitest';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { TaskEngine, type ImagePullBehavior, type TaskStateChange } from '../../src/agent/engine/task-engine.ts';

export const RUN_ID = `agent-engine-${process.pid}-${randomBytes(3).toString('hex')}`;
export const TEST_LABEL = 'dockhand.test';
export const CLUSTER = 'dockhand-test';
export const IMAGE = 'local/busybox:latest';

export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function container(name: string, over: Partial<AcsContainer> = {}): AcsContainer {
  return {
    name,
    image: IMAGE,
    command: ['sleep', '3600'],
    entryPoint: [],
    cpu: 10,
    memory: 32,
    essential: true,
    environment: {},
    portMappings: [],
    dockerConfig: { version: '1.17', config: JSON.stringify({ Labels: { [TEST_LABEL]: RUN_ID } }), hostConfig: '{}' },
    ...over,
  };
}

/** Every task this process built: Docker makes a cgroup parent /ecs/<task id> for each one run. */
const builtTaskArns = new Set<string>();

export function task(family: string, containers: AcsContainer[], over: Partial<AcsTask> = {}): AcsTask {
  const t: AcsTask = {
    arn: `arn:aws:ecs:us-west-2:123456789012:task/${CLUSTER}/${randomBytes(16).toString('hex')}`,
    family,
    version: '1',
    desiredStatus: 'RUNNING',
    networkMode: 'bridge',
    containers,
    ...over,
  };
  builtTaskArns.add(t.arn);
  return t;
}

export function stopped(t: AcsTask): AcsTask {
  return { ...t, desiredStatus: 'STOPPED' };
}

/** Collects onStateChange calls; `next(arn, status)` resolves when that change arrives. */
export class ChangeRecorder {
  readonly changes: Array<TaskStateChange & { at: number }> = [];
  #waiters: Array<{ arn: string; status: string; resolve: (c: TaskStateChange & { at: number }) => void }> = [];

  readonly onStateChange = (change: TaskStateChange): void => {
    const rec = { ...change, at: performance.now() };
    this.changes.push(rec);
    for (const w of this.#waiters.filter((x) => x.arn === change.task && x.status === change.status)) w.resolve(rec);
    this.#waiters = this.#waiters.filter((x) => !(x.arn === change.task && x.status === change.status));
  };

  next(arn: string, status: 'RUNNING' | 'STOPPED', timeoutMs = 20_000): Promise<TaskStateChange & { at: number }> {
    const seen = this.changes.find((c) => c.task === arn && c.status === status);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${status} for ${arn} within ${timeoutMs} ms; got ${JSON.stringify(this.of(arn))}`)), timeoutMs);
      this.#waiters.push({ arn, status, resolve: (c) => { clearTimeout(timer); resolve(c); } });
    });
  }

  of(arn: string): TaskStateChange[] {
    return this.changes.filter((c) => c.task === arn);
  }
}

export async function removeTestContainers(docker: DockerEngine): Promise<number> {
  const mine = await docker.listContainers({ labels: [`${TEST_LABEL}=${RUN_ID}`] });
  await Promise.all(mine.map((c) => docker.removeContainer(c.id, { force: true })));
  // Docker makes each task's cgroup parent /ecs/<task id>; an engine without task resources never
  // removes it, so the tests do, for the tasks they built (an unused path is simply not there).
  const taskArns = new Set([...builtTaskArns, ...mine.map((c) => c.labels['com.amazonaws.ecs.task-arn']).filter((a): a is string => !!a)]);
  await Promise.all([...taskArns].map((arn) => hostCgroups.remove(taskCgroupPath(arn)).catch(() => undefined)));
  return mine.length;
}

const hostCgroups = new TaskCgroups({ mountPath: '/sys/fs/cgroup' });

/** One TaskEngine per test file over real Docker, with its change recorder; the hooks start it
 *  before the file's tests and remove this run's containers after them. */
export function useTestEngine(imagePullBehavior: ImagePullBehavior): { docker: DockerodeEngine; recorder: ChangeRecorder; engine: TaskEngine } {
  const docker = new DockerodeEngine({ logger: testLogger });
  const recorder = new ChangeRecorder();
  const engine = new TaskEngine({
    docker, cluster: CLUSTER, defaultStopTimeoutMs: 30_000, imagePullBehavior, logger: testLogger,
    onStateChange: recorder.onStateChange,
  });
  beforeAll(async () => { await engine.start(); });
  afterAll(async () => {
    await engine.close();
    await removeTestContainers(docker);
  });
  return { docker, recorder, engine };
}
