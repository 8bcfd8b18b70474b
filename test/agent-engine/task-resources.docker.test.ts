// The task engine with its task resources on REAL Docker and this host's cgroups: the task cgroup
// exists with its limits before the first container is created and is gone once the task stopped;
// settings a backend sends anyway although this agent cannot honour them fail the task with a
// reason, and nothing is created in Docker for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { createTaskResources, type TaskResources } from '../../src/agent/docker/task-resources.ts';
import { TaskEngine } from '../../src/agent/engine/task-engine.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';
import { CLUSTER, ChangeRecorder, container, removeTestContainers, stopped, task, testLogger } from './engine-harness.ts';

const docker = new DockerodeEngine({ logger: testLogger });
const recorder = new ChangeRecorder();
let engine: TaskEngine;
let resources: TaskResources;

beforeAll(async () => {
  resources = await createTaskResources({
    taskCpuMemLimit: 'enabled', cgroupPath: '/sys/fs/cgroup', cgroupCpuPeriodMs: 100, taskPidsLimit: 64,
    sharedVolumeMatchFullConfig: false, dynamicHostPortRange: undefined,
  }, docker, testLogger);
  engine = new TaskEngine({
    docker, cluster: CLUSTER, defaultStopTimeoutMs: 30_000, imagePullBehavior: 'prefer-cached', logger: testLogger,
    onStateChange: recorder.onStateChange, availableLoggingDrivers: ['json-file', 'none'], taskResources: resources,
  });
  await engine.start();
});
afterAll(async () => {
  await engine.close();
  await removeTestContainers(docker);
});

const id = (t: AcsTask) => t.arn.split('/').pop()!;

describe('TaskEngine with task resources on real Docker', () => {
  it('creates the task cgroup (cpu quota, memory, pids) before the containers and removes it after the task stopped', async () => {
    const t = task('engine-cgroup', [container('app', { stopTimeout: 1, memory: 32 })], { cpu: 0.5, memory: 128 });
    engine.applyTask(t);
    await recorder.next(t.arn, 'RUNNING');
    const read = (f: string) => readFileSync(`/sys/fs/cgroup/${f}`, 'utf8').trim();
    expect(read(`cpu/ecs/${id(t)}/cpu.cfs_quota_us`)).toBe('50000');
    expect(read(`memory/ecs/${id(t)}/memory.limit_in_bytes`)).toBe(String(128 * 1048576));
    expect(read(`pids/ecs/${id(t)}/pids.max`)).toBe('64');
    engine.applyTask(stopped(t));
    await recorder.next(t.arn, 'STOPPED');
    const end = Date.now() + 10_000;
    while (existsSync(`/sys/fs/cgroup/cpu/ecs/${id(t)}`) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    for (const h of ['cpu', 'memory', 'pids', 'blkio', 'devices']) expect(existsSync(`/sys/fs/cgroup/${h}/ecs/${id(t)}`), h).toBe(false);
  });

  it.each<[string, AcsTask, RegExp]>([
    ['SSM secrets', task('engine-secrets', [container('c', { secrets: [{ name: 'S', valueFrom: 'arn:aws:ssm:us-west-2:1:parameter/p', type: 'ENVIRONMENT', provider: 'ssm' }] })]),
      /^CannotCreateContainerError: container c has secrets \(Secrets Manager \/ SSM\), which this agent cannot fetch$/],
    ['a log driver outside ECS_AVAILABLE_LOGGING_DRIVERS', task('engine-logdriver', [container('c', { dockerConfig: { hostConfig: JSON.stringify({ LogConfig: { Type: 'syslog', Config: {} } }) } })]),
      /^CannotCreateContainerError: log driver "syslog" is not available on this instance \(ECS_AVAILABLE_LOGGING_DRIVERS: json-file, none\)$/],
    ['awsvpc', task('engine-awsvpc', [container('c')], { networkMode: 'awsvpc' }), /^CannotCreateContainerError: networkMode awsvpc needs the ECS CNI plugins/],
    ['a container larger than its task', task('engine-toobig', [container('c', { memory: 256 })], { memory: 64 }),
      /^CgroupError: Agent could not create task's platform resources: container c has a memory limit \(256 MiB\) greater than the task's memory \(64 MiB\)$/],
  ])('%s: the task stops with the reason, and Docker has nothing of it', async (_name, t, reason) => {
    engine.applyTask(t);
    const change = await recorder.next(t.arn, 'STOPPED');
    expect(change.containers[0]).toMatchObject({ containerName: 'c', status: 'STOPPED', reason: expect.stringMatching(reason) });
    expect(change.containers[0]!.runtimeId).toBeUndefined();
    expect(await docker.listContainers({ labels: [`com.amazonaws.ecs.task-arn=${t.arn}`] })).toEqual([]);
  });
});
