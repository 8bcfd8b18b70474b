// End to end on the REAL Docker engine: TaskEngine + DockerodeEngine, asserting what Docker itself
// reports (inspect) and the state changes the engine emits. No mocks.
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { TaskEngine } from '../../src/agent/engine/task-engine.ts';
import { CLUSTER, ChangeRecorder, IMAGE, RUN_ID, TEST_LABEL, container, stopped, task, testLogger, useTestEngine } from './engine-harness.ts';

const { docker, recorder, engine } = useTestEngine('default');

describe('TaskEngine on real Docker', () => {
  it('runs a task and reports RUNNING with the real container id; Docker sees the ECS config', async () => {
    const t = task('engine-run', [container('app', { environment: { GREETING: 'hello' }, cpu: 10, memory: 64 })]);
    engine.applyTask(t);
    const running = await recorder.next(t.arn, 'RUNNING');

    expect(running).toMatchObject({ task: t.arn, status: 'RUNNING', reason: '' });
    expect(running.containers).toHaveLength(1);
    const c = running.containers[0]!;
    expect(c).toMatchObject({ containerName: 'app', status: 'RUNNING' });
    expect(c.networkBindings).toBeUndefined();
    // imagePullBehavior default: the pull was attempted (no registry here) and fell back to the cache.
    expect(running.pullStartedAt).toBeTypeOf('number');
    expect(running.pullStoppedAt! >= running.pullStartedAt!).toBe(true);

    const info = await docker.inspectContainer(c.runtimeId!);
    expect(info.id).toBe(c.runtimeId);
    expect(info.running).toBe(true);
    expect(info.name).toMatch(/^ecs-engine-run-1-app-[0-9a-f]{20}$/);
    expect(info.labels).toMatchObject({
      'com.amazonaws.ecs.cluster': CLUSTER,
      'com.amazonaws.ecs.container-name': 'app',
      'com.amazonaws.ecs.task-arn': t.arn,
      'com.amazonaws.ecs.task-definition-family': 'engine-run',
      'com.amazonaws.ecs.task-definition-version': '1',
      [TEST_LABEL]: RUN_ID,
    });
    const raw = await rawInspect(c.runtimeId!);
    expect(raw.HostConfig.CpuShares).toBe(10);
    expect(raw.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(raw.HostConfig.CgroupParent).toBe(`/ecs/${t.arn.split('/').pop()}`);
    expect(raw.Config.Env).toContain('GREETING=hello');
    expect(raw.Config.Cmd).toEqual(['sleep', '3600']);
    expect(raw.Config.Image).toBe(IMAGE);

    expect(engine.knownTasks().find((k) => k.taskArn === t.arn)).toEqual({
      taskArn: t.arn, desiredStatus: 'RUNNING', knownStatus: 'RUNNING',
      containers: [{ name: 'app', dockerId: c.runtimeId, status: 'RUNNING' }],
    });
    // Applying the same task again changes nothing.
    engine.applyTask(t);
    expect(recorder.of(t.arn)).toHaveLength(1);
  });

  it('stops a container that ignores SIGTERM: SIGKILL after stopTimeout, exit 137', async () => {
    // busybox sleep as PID 1 has no SIGTERM handler, so the kernel ignores SIGTERM for it.
    const t = task('engine-sigkill', [container('stubborn', { stopTimeout: 2 })]);
    engine.applyTask(t);
    const running = await recorder.next(t.arn, 'RUNNING');
    const t0 = performance.now();
    engine.applyTask(stopped(t));
    const stop = await recorder.next(t.arn, 'STOPPED');
    const elapsed = stop.at - t0;

    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(3_000);
    expect(stop).toMatchObject({ status: 'STOPPED', reason: '' });
    expect(stop.containers).toEqual([
      { containerName: 'stubborn', runtimeId: running.containers[0]!.runtimeId, status: 'STOPPED', exitCode: 137 },
    ]);
    expect(stop.executionStoppedAt).toBeTypeOf('number');
    expect(Math.abs(stop.executionStoppedAt! * 1000 - Date.now())).toBeLessThan(5_000);
    expect((await docker.inspectContainer(running.containers[0]!.runtimeId!)).running).toBe(false);
    // Containers are kept after a stop (cleanup comes later).
    expect(recorder.of(t.arn).map((c) => c.status)).toEqual(['RUNNING', 'STOPPED']);
    console.log(`[timing] SIGKILL stop (stopTimeout 2 s): ${elapsed.toFixed(0)} ms`);
  });

  it('stops a container that exits on SIGTERM quickly, exit 0', async () => {
    const t = task('engine-sigterm', [container('polite', {
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'], stopTimeout: 10,
    })]);
    engine.applyTask(t);
    await recorder.next(t.arn, 'RUNNING');
    const t0 = performance.now();
    engine.applyTask(stopped(t));
    const stop = await recorder.next(t.arn, 'STOPPED');
    const elapsed = stop.at - t0;

    expect(elapsed).toBeLessThan(1_500);
    expect(stop.containers[0]).toMatchObject({ containerName: 'polite', status: 'STOPPED', exitCode: 0 });
    console.log(`[timing] SIGTERM stop: ${elapsed.toFixed(0)} ms`);
  });

  it('an essential container exiting by itself stops the whole task', async () => {
    const t = task('engine-essential', [
      container('quitter', { command: ['sh', '-c', 'exit 3'] }),
      container('worker', { stopTimeout: 1 }),
    ]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');

    const byName = Object.fromEntries(stop.containers.map((c) => [c.containerName, c]));
    expect(byName.quitter).toMatchObject({ status: 'STOPPED', exitCode: 3 });
    expect(byName.worker).toMatchObject({ status: 'STOPPED', exitCode: 137 });
    expect(byName.worker!.runtimeId).toBeTypeOf('string');
    expect((await docker.inspectContainer(byName.worker!.runtimeId!)).running).toBe(false);
    expect(engine.knownTasks().find((k) => k.taskArn === t.arn)).toMatchObject({ desiredStatus: 'STOPPED', knownStatus: 'STOPPED' });
  });

  it('a non-essential container exiting leaves the task running', async () => {
    const t = task('engine-nonessential', [
      container('oneshot', { command: ['sh', '-c', 'exit 0'], essential: false }),
      container('main', { stopTimeout: 1 }),
    ]);
    engine.applyTask(t);
    await waitUntil(() => engine.knownTasks().find((k) => k.taskArn === t.arn)?.containers[0]?.status === 'STOPPED');
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.knownTasks().find((k) => k.taskArn === t.arn)).toMatchObject({ desiredStatus: 'RUNNING' });
    expect(recorder.of(t.arn).some((c) => c.status === 'STOPPED')).toBe(false);
  });

  it('reports the dynamic host port Docker chose, and it accepts connections', async () => {
    const t = task('engine-ports', [container('echo', {
      command: ['nc', '-ll', '-p', '8080', '-e', 'cat'],
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
      stopTimeout: 1,
    })]);
    engine.applyTask(t);
    const running = await recorder.next(t.arn, 'RUNNING');
    const bindings = running.containers[0]!.networkBindings ?? [];
    const v4 = bindings.find((b) => b.bindIP === '0.0.0.0');

    expect(v4).toMatchObject({ containerPort: 8080, protocol: 'tcp' });
    expect(v4!.hostPort).toBeGreaterThan(0);
    expect(await echo(v4!.hostPort!, 'ping\n')).toBe('ping\n');
  });

  it('a task first seen as STOPPED is reported STOPPED without touching Docker', async () => {
    const t = stopped(task('engine-never', [container('never')]));
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED', 1_000);
    expect(stop.containers).toEqual([{ containerName: 'never', status: 'STOPPED' }]);
    expect(await docker.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${t.arn}`] })).toEqual([]);
  });

  it('an image that cannot be pulled (behaviour always) stops the task with CannotPullContainerError', async () => {
    const rec = new ChangeRecorder();
    const always = new TaskEngine({
      docker, cluster: CLUSTER, defaultStopTimeoutMs: 30_000, imagePullBehavior: 'always', logger: testLogger, onStateChange: rec.onStateChange,
    });
    const t = task('engine-nopull', [container('ghost', { image: '127.0.0.1:1/nope:latest' })]);
    always.applyTask(t);
    const stop = await rec.next(t.arn, 'STOPPED');
    await always.close();

    expect(stop.status).toBe('STOPPED');
    expect(stop.containers).toHaveLength(1);
    expect(stop.containers[0]!.runtimeId).toBeUndefined();
    expect(stop.containers[0]!.reason).toMatch(/^CannotPullContainerError: /);
    expect(stop.containers[0]!.reason).toContain('127.0.0.1:1');
    expect(stop.pullStartedAt).toBeTypeOf('number');
    expect(rec.of(t.arn).map((c) => c.status)).toEqual(['STOPPED']);
  });

  it('a container Docker refuses to create stops the task with CannotCreateContainerError', async () => {
    // 1 MiB is under Docker's 6 MB minimum: rejected by the create call itself.
    const t = task('engine-nocreate', [container('tiny', { memory: 1 })]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');
    expect(stop.containers).toEqual([
      { containerName: 'tiny', status: 'STOPPED', reason: 'CannotCreateContainerError: Minimum memory limit allowed is 6MB' },
    ]);
  });

  it('a container Docker cannot start stops the task with CannotStartContainerError and its runtimeId', async () => {
    const t = task('engine-nostart', [container('lost', {
      dockerConfig: { config: JSON.stringify({ Labels: { [TEST_LABEL]: RUN_ID } }), hostConfig: JSON.stringify({ NetworkMode: 'no-such-network' }) },
    })]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');
    expect(stop.containers[0]).toMatchObject({ containerName: 'lost', status: 'STOPPED' });
    expect(stop.containers[0]!.runtimeId).toMatch(/^[0-9a-f]{64}$/);
    expect(stop.containers[0]!.reason).toMatch(/^CannotStartContainerError: .*no-such-network/);
    expect(stop.containers[0]!.exitCode).toBeUndefined();
  });

  it('invalid dockerConfig JSON stops the task with a clear reason, not a crash', async () => {
    const t = task('engine-badjson', [container('bad', { dockerConfig: { config: '{not json' } })]);
    engine.applyTask(t);
    const stop = await recorder.next(t.arn, 'STOPPED');
    expect(stop.containers[0]).toMatchObject({ containerName: 'bad', status: 'STOPPED' });
    expect(stop.containers[0]!.runtimeId).toBeUndefined();
    expect(stop.containers[0]!.reason).toMatch(/^DockerClientConfigError: .*dockerConfig\.config/);
  });
});

async function rawInspect(id: string): Promise<{ Config: { Env: string[]; Cmd: string[]; Image: string }; HostConfig: { CpuShares: number; Memory: number; CgroupParent: string } }> {
  // Docker's own JSON, straight off the socket, rather than through the code under test.
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: '/var/run/docker.sock', path: `/containers/${id}/json` }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

function echo(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port }, () => sock.write(text));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) { sock.destroy(); resolve(got); }
    });
    sock.on('error', reject);
    setTimeout(() => { sock.destroy(); reject(new Error(`no echo from port ${port}; got "${got}"`)); }, 5_000);
  });
}

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
