// One task, end to end: `dockhand local` (control plane + agent, one process) runs tasks on the
// real Docker engine, driven by @aws-sdk/client-ecs exactly as a user would drive ECS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { StopTaskCommand, waitUntilTasksRunning, waitUntilTasksStopped } from '@aws-sdk/client-ecs';
import { containersOfTask, docker, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

describe('dockhand local runs a task on real Docker', () => {
  it('RunTask → tasksRunning waiter → a labelled container; DescribeTasks shows it', async () => {
    const task = await h.runTask('e2e-sleeper', [{ name: 'sleeper', image: TEST_IMAGE, command: ['sleep', '3600'], cpu: 10, memory: 64, environment: [{ name: 'GREETING', value: 'hello' }] }]);
    const waited = await waitUntilTasksRunning({ client: h.client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: 'default', tasks: [task.taskArn!] });
    expect(waited.state).toBe('SUCCESS');

    const described = await h.describeTask(task.taskArn!);
    expect(described.lastStatus).toBe('RUNNING');
    expect(described.desiredStatus).toBe('RUNNING');
    expect(described.startedAt).toBeInstanceOf(Date);
    const runtimeId = described.containers?.[0]?.runtimeId;
    expect(runtimeId).toMatch(/^[0-9a-f]{64}$/);

    const [info] = await containersOfTask(task.taskArn!);
    expect(info?.Id).toBe(runtimeId);
    const inspect = await docker.getContainer(runtimeId!).inspect();
    expect(inspect.State.Running).toBe(true);
    expect(inspect.Name).toMatch(/^\/ecs-e2e-sleeper-1-sleeper-[0-9a-f]{20}$/);
    expect(inspect.Config.Labels).toMatchObject({
      'com.amazonaws.ecs.cluster': 'default',
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.container-name': 'sleeper',
      'com.amazonaws.ecs.task-definition-family': 'e2e-sleeper',
      'com.amazonaws.ecs.task-definition-version': '1',
    });
    expect(inspect.Config.Cmd).toEqual(['sleep', '3600']);
    expect(inspect.Config.Env).toContain('GREETING=hello');
    expect(inspect.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(inspect.HostConfig.CpuShares).toBe(10);
  });

  it('StopTask on a container that ignores SIGTERM: SIGKILL after stopTimeout 2 s, exit 137', async () => {
    // busybox `sleep` as PID 1 has no SIGTERM handler, and the kernel ignores unhandled signals for PID 1.
    const task = await h.runTask('e2e-stubborn', [{ name: 'stubborn', image: TEST_IMAGE, command: ['sleep', '3600'], memory: 32, stopTimeout: 2 }]);
    await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'RUNNING');
    const t0 = performance.now();
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: task.taskArn!, reason: 'e2e: stop the stubborn one' }));
    const { task: stopped, at } = await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'STOPPED');
    const elapsed = at - t0;
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(3000);
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(stopped.stoppedReason).toBe('e2e: stop the stubborn one');
    expect(stopped.stopCode).toBe('UserInitiated');
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    expect(stopped.executionStoppedAt).toBeInstanceOf(Date);
    const inspect = await docker.getContainer(stopped.containers![0]!.runtimeId!).inspect();
    expect(inspect.State.Running).toBe(false);
    expect(inspect.State.ExitCode).toBe(137);
  });

  it('a container that traps SIGTERM and exits 0 stops quickly with exit code 0', async () => {
    const task = await h.runTask('e2e-graceful', [{
      name: 'graceful', image: TEST_IMAGE, memory: 32, stopTimeout: 20,
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    }]);
    await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'RUNNING');
    const t0 = performance.now();
    await h.client.send(new StopTaskCommand({ cluster: 'default', task: task.taskArn! }));
    const waited = await waitUntilTasksStopped({ client: h.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { cluster: 'default', tasks: [task.taskArn!] });
    expect(waited.state).toBe('SUCCESS');
    const stopped = await h.describeTask(task.taskArn!);
    expect(performance.now() - t0).toBeLessThan(5000); // far below the 20 s stopTimeout
    expect(stopped.lastStatus).toBe('STOPPED');
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
  });

  it('an essential container that exits 3 stops the task, and its sidecar with it', async () => {
    const task = await h.runTask('e2e-exit3', [
      { name: 'main', image: TEST_IMAGE, memory: 32, essential: true, command: ['sh', '-c', 'sleep 1; exit 3'] },
      { name: 'sidecar', image: TEST_IMAGE, memory: 32, essential: false, stopTimeout: 2, command: ['sleep', '3600'] },
    ]);
    const { task: stopped } = await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'STOPPED', 30_000);
    const byName = Object.fromEntries((stopped.containers ?? []).map((c) => [c.name, c]));
    expect(byName.main?.exitCode).toBe(3);
    expect(byName.sidecar?.lastStatus).toBe('STOPPED');
    expect(byName.sidecar?.exitCode).toBe(137);
    expect(stopped.stopCode).toBe('EssentialContainerExited');
    expect(stopped.stoppedReason).toMatch(/essential container/i);
  });

  it('a dynamic host port is reported in networkBindings and answers a TCP connect', async () => {
    const task = await h.runTask('e2e-port', [{
      name: 'listener', image: TEST_IMAGE, memory: 32,
      command: ['sh', '-c', 'while true; do echo pong | nc -l -p 8080; done'],
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
    }]);
    const { task: running } = await h.waitForTask(task.taskArn!, (t) => t.lastStatus === 'RUNNING');
    const bindings = running.containers?.[0]?.networkBindings ?? [];
    const v4 = bindings.find((b) => b.bindIP === '0.0.0.0');
    expect(v4?.containerPort).toBe(8080);
    expect(v4?.protocol).toBe('tcp');
    expect(v4?.hostPort).toBeGreaterThan(0);
    // Like the real agent (ECS_EXCLUDE_IPV6_PORTBINDING defaults to true): IPv4 bindings only.
    expect(bindings.filter((b) => b.bindIP?.includes(':'))).toEqual([]);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(v4!.hostPort!, '127.0.0.1');
      let data = '';
      sock.on('data', (d) => { data += d.toString(); });
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
      setTimeout(() => { sock.destroy(); resolve(data); }, 3000);
    });
    expect(reply.trim()).toBe('pong');
  });
});
