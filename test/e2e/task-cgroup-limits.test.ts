// Task-level cpu and memory through `dockhand local` on real Docker: the task cgroup /ecs/<task id>
// carries the limits before the first container starts, Docker puts every container under it, the
// kernel enforces it (CFS throttling, an OOM kill of a container that has no limit of its own), and
// it is gone once the task stopped. A host without cgroup access says so instead of ignoring limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { containersOfTask, docker, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';
import { useTempDirs } from '../temp-dirs.ts';

const CG = '/sys/fs/cgroup';
const tempDir = useTempDirs();
let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

const taskId = (t: Task) => t.taskArn!.split('/').pop()!;
const read = (file: string) => readFileSync(join(CG, file), 'utf8').trim();
const cgroupDirs = (id: string) => readdirSync(CG).filter((hier) => existsSync(join(CG, hier, 'ecs', id)));

async function inspectOf(taskArn: string, name: string) {
  const c = (await containersOfTask(taskArn)).find((x) => x.Labels['com.amazonaws.ecs.container-name'] === name);
  if (!c) throw new Error(`no container ${name}`);
  return docker.getContainer(c.Id).inspect();
}

async function stopAndWaitGone(t: Task): Promise<void> {
  await h.client.send(new StopTaskCommand({ cluster: 'default', task: t.taskArn! }));
  await h.waitForTask(t.taskArn!, (x) => x.lastStatus === 'STOPPED', 30_000);
  const end = Date.now() + 10_000;
  while (cgroupDirs(taskId(t)).length > 0 && Date.now() < end) await sleep(100);
}

describe('task-level cpu and memory: the task cgroup', () => {
  it('carries the limits, holds every container, throttles and OOM-kills, and goes when the task stops', async () => {
    const t = await h.runTask('e2e-task-limits', [
      // Busy for 2 s under a quarter of a CPU, then idle.
      { name: 'main', image: TEST_IMAGE, memoryReservation: 16, stopTimeout: 1, command: ['sh', '-c', 'timeout 2 sh -c "while :; do :; done"; exec sleep 3600'] },
      // No memory limit of its own: only the task's 96 MiB stops it (tail holds a 200 MiB line).
      { name: 'hog', image: TEST_IMAGE, memoryReservation: 16, essential: false, command: ['sh', '-c', 'sleep 1; head -c 200m /dev/zero | tail'] },
    ], { cpu: '256', memory: '96' });
    await h.waitForTask(t.taskArn!, (x) => x.lastStatus === 'RUNNING', 30_000);
    const id = taskId(t);
    expect(read(`cpu/ecs/${id}/cpu.cfs_period_us`)).toBe('100000');
    expect(read(`cpu/ecs/${id}/cpu.cfs_quota_us`)).toBe('25000'); // 256 units = 0.25 vCPU
    expect(read(`memory/ecs/${id}/memory.limit_in_bytes`)).toBe(String(96 * 1024 * 1024));
    const main = await inspectOf(t.taskArn!, 'main');
    expect(main.HostConfig.CgroupParent).toBe(`/ecs/${id}`);
    expect(existsSync(join(CG, 'memory', 'ecs', id, main.Id))).toBe(true); // runc put it under the task cgroup

    const end = Date.now() + 30_000;
    let hog = await inspectOf(t.taskArn!, 'hog');
    while (hog.State.Running && Date.now() < end) {
      await sleep(200);
      hog = await inspectOf(t.taskArn!, 'hog');
    }
    expect([hog.State.Running, hog.State.OOMKilled, hog.State.ExitCode]).toEqual([false, true, 137]);
    const throttled = Number(/nr_throttled (\d+)/.exec(read(`cpu/ecs/${id}/cpu.stat`))![1]);
    expect(throttled).toBeGreaterThan(0);

    await stopAndWaitGone(t);
    expect(cgroupDirs(id)).toEqual([]);
  }, 60_000);

  it('without task cpu, the task cgroup gets the containers\' shares summed (each at least 2), and no memory limit', async () => {
    const t = await h.runTask('e2e-task-shares', [
      { name: 'a', image: TEST_IMAGE, cpu: 100, memory: 16, stopTimeout: 1, command: ['sleep', '3600'] },
      { name: 'b', image: TEST_IMAGE, cpu: 0, memory: 16, stopTimeout: 1, command: ['sleep', '3600'] },
    ]);
    await h.waitForTask(t.taskArn!, (x) => x.lastStatus === 'RUNNING', 30_000);
    const id = taskId(t);
    expect(read(`cpu/ecs/${id}/cpu.shares`)).toBe('102');
    expect(read(`cpu/ecs/${id}/cpu.cfs_quota_us`)).toBe('-1');
    expect(BigInt(read(`memory/ecs/${id}/memory.limit_in_bytes`))).toBeGreaterThan(2n ** 60n);
    expect((await inspectOf(t.taskArn!, 'b')).HostConfig.CpuShares).toBe(2);
    await stopAndWaitGone(t);
    expect(cgroupDirs(id)).toEqual([]);
  }, 45_000);
});

describe('a host without cgroup access', () => {
  it('unset ECS_ENABLE_TASK_CPU_MEM_LIMIT: no task-cpu-mem-limit attribute, task limits refused at RunTask, plain tasks run without a task cgroup', async () => {
    const noCgroups = await startLocalHarness({ ECS_CGROUP_PATH: tempDir('dockhand-nocgroup-') });
    try {
      const arns = (await noCgroups.client.send(new ListContainerInstancesCommand({ cluster: 'default' }))).containerInstanceArns!;
      const ci = (await noCgroups.client.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: arns }))).containerInstances![0]!;
      const names = ci.attributes!.map((a) => a.name);
      expect(names).not.toContain('ecs.capability.task-cpu-mem-limit');
      expect(names).toContain('ecs.capability.docker-plugin.local');

      await noCgroups.client.send(new RegisterTaskDefinitionCommand({
        family: 'e2e-limits-nowhere', memory: '64', containerDefinitions: [{ name: 'c', image: TEST_IMAGE, command: ['true'] }],
      }));
      const refused = await noCgroups.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'e2e-limits-nowhere' }));
      expect(refused.tasks).toEqual([]);
      expect(refused.failures?.[0]).toMatchObject({ reason: 'ATTRIBUTE', detail: expect.stringContaining('ecs.capability.task-cpu-mem-limit') });

      const plain = await noCgroups.runTask('e2e-no-task-cgroup', [{ name: 'c', image: TEST_IMAGE, memory: 16, stopTimeout: 1, command: ['sleep', '3600'] }]);
      await noCgroups.waitForTask(plain.taskArn!, (x) => x.lastStatus === 'RUNNING', 30_000);
      expect((await inspectOf(plain.taskArn!, 'c')).HostConfig.CgroupParent).toBe('');
      expect(cgroupDirs(taskId(plain))).toEqual([]);
    } finally {
      await noCgroups.stop();
    }
  }, 60_000);

  it('ECS_ENABLE_TASK_CPU_MEM_LIMIT=true: the agent refuses to start, saying why', async () => {
    await expect(startLocalHarness({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'true', ECS_CGROUP_PATH: tempDir('dockhand-nocgroup-') }))
      .rejects.toThrow(/ECS_ENABLE_TASK_CPU_MEM_LIMIT=true, but the agent cannot set up the '\/ecs' cgroup: .*is not a cgroup v1 cpu hierarchy/);
  }, 30_000);
});
