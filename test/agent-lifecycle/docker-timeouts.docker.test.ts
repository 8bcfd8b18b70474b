// ECS_CONTAINER_CREATE_TIMEOUT / ECS_CONTAINER_START_TIMEOUT on the REAL Docker engine: the
// timeouts reach the Docker calls, and a call that timed out never leaves a second container or a
// container running that the agent reports STOPPED. Docker answers in milliseconds here, so the
// first case uses a 1 ms timeout (Docker still does the work after the client gave up); the others
// wrap the real engine to lose an answer or a call at a chosen moment.
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import type { DockerEngine } from '../../src/agent/docker/docker-engine.ts';
import { CannotCreateContainerError, CannotStartContainerError, DockerTimeoutError } from '../../src/agent/docker/docker-errors.ts';
import { TaskEngine } from '../../src/agent/engine/task-engine.ts';
import { ChangeRecorder, CLUSTER, container, removeTestContainers, task, testLogger } from '../agent-engine/engine-harness.ts';

const real = new DockerodeEngine({ logger: testLogger });
const engines: TaskEngine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  await removeTestContainers(real);
});

async function engineOver(docker: DockerEngine, logger = testLogger): Promise<{ engine: TaskEngine; rec: ChangeRecorder }> {
  const rec = new ChangeRecorder();
  const engine = new TaskEngine({ docker, cluster: CLUSTER, defaultStopTimeoutMs: 1_000, imagePullBehavior: 'prefer-cached', logger, onStateChange: rec.onStateChange });
  engines.push(engine);
  await engine.start();
  return { engine, rec };
}

/** The real engine, with createContainer/startContainer replaced. */
function wrapped(over: Partial<Pick<DockerEngine, 'createContainer' | 'startContainer'>>): DockerEngine {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop in over) return over[prop as keyof typeof over];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
const timedOut = (Kind: typeof CannotCreateContainerError | typeof CannotStartContainerError) =>
  new Kind('Docker call timed out after 5 ms', { cause: new DockerTimeoutError('Docker call timed out after 5 ms') });
const ofTask = (arn: string) => real.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${arn}`] });

describe('Docker create/start timeouts', () => {
  it('1 ms create and start timeouts: Docker still creates and starts it; the agent adopts that one container and runs', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => { lines.push((JSON.parse(l) as { msg: string }).msg); } });
    const { engine, rec } = await engineOver(new DockerodeEngine({ logger: testLogger, createTimeoutMs: 1, startTimeoutMs: 1 }), logger);
    const t = task('timeout-real', [container('a'), container('b')]);
    engine.applyTask(t);
    const running = await rec.next(t.arn, 'RUNNING');
    const listed = await ofTask(t.arn);
    expect(listed).toHaveLength(2); // one per ECS container: no duplicate from a retry
    expect(new Set(listed.map((c) => c.id))).toEqual(new Set(running.containers.map((c) => c.runtimeId)));
    expect(listed.every((c) => c.state === 'running')).toBe(true);
    // Both calls really timed out (Docker takes far longer than 1 ms), and both were recovered.
    expect(lines.filter((m) => m === 'the timed-out create did happen; adopting the container')).toHaveLength(2);
    expect(lines.filter((m) => m === 'container start timed out, but the container did start; carrying on')).toHaveLength(2);
  });

  it('a create whose answer is lost (it did happen) is adopted, not created again', async () => {
    let calls = 0;
    const docker = wrapped({
      createContainer: async (spec) => {
        calls++;
        await real.createContainer(spec);
        throw timedOut(CannotCreateContainerError);
      },
    });
    const { engine, rec } = await engineOver(docker);
    const t = task('timeout-lost-answer', [container('main')]);
    engine.applyTask(t);
    const running = await rec.next(t.arn, 'RUNNING');
    expect(calls).toBe(1);
    expect((await ofTask(t.arn)).map((c) => c.id)).toEqual([running.containers[0]!.runtimeId]);
  });

  it('a create that timed out before Docker made anything is tried once more under the same name', async () => {
    let calls = 0;
    const docker = wrapped({
      createContainer: async (spec) => {
        if (++calls === 1) throw timedOut(CannotCreateContainerError);
        return real.createContainer(spec);
      },
    });
    const { engine, rec } = await engineOver(docker);
    const t = task('timeout-retry', [container('main')]);
    engine.applyTask(t);
    const running = await rec.next(t.arn, 'RUNNING');
    expect(calls).toBe(2);
    expect((await ofTask(t.arn)).map((c) => c.id)).toEqual([running.containers[0]!.runtimeId]);
  });

  it('creates that keep timing out fail the task with the timeout as reason, leaving nothing behind', async () => {
    const { engine, rec } = await engineOver(wrapped({ createContainer: async () => { throw timedOut(CannotCreateContainerError); } }));
    const t = task('timeout-create-fails', [container('main')]);
    engine.applyTask(t);
    const stop = await rec.next(t.arn, 'STOPPED', 10_000);
    expect(stop.containers).toEqual([{ containerName: 'main', status: 'STOPPED', reason: 'CannotCreateContainerError: Docker call timed out after 5 ms' }]);
    expect(await ofTask(t.arn)).toEqual([]);
  });

  it('a start that timed out and never took effect: STOPPED with the reason, and the container is not running', async () => {
    const { engine, rec } = await engineOver(wrapped({ startContainer: async () => { throw timedOut(CannotStartContainerError); } }));
    const t = task('timeout-start-fails', [container('main')]);
    engine.applyTask(t);
    const stop = await rec.next(t.arn, 'STOPPED', 10_000);
    expect(stop.containers[0]).toMatchObject({ status: 'STOPPED', reason: 'CannotStartContainerError: Docker call timed out after 5 ms' });
    const id = stop.containers[0]!.runtimeId!;
    expect((await real.inspectContainer(id)).running).toBe(false);
  });
});
