// Task resources: the task cgroup's spec (pure), the cgroup itself on this host's real cgroup v1
// filesystem, host port ranges probed on real sockets, and shared-volume checks against real
// Docker volumes.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import type { AcsContainer, AcsTask } from '../../src/protocol/acs-messages.ts';
import { cgroupWrites, TaskCgroups, taskCgroupSpec } from '../../src/agent/docker/task-cgroup.ts';
import { HostPortRanges, parsePortRange } from '../../src/agent/docker/host-port-range.ts';
import { createTaskResources } from '../../src/agent/docker/task-resources.ts';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { loadAgentConfig } from '../../src/agent/config/agent-config.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();
const logger = pino({ level: 'silent' });
const c = (name: string, over: Partial<AcsContainer> = {}): AcsContainer => ({ name, image: 'i', cpu: 0, memory: 32, ...over });
const task = (over: Partial<AcsTask> = {}): AcsTask => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task/default/${randomBytes(16).toString('hex')}`,
  family: 'f', version: '1', desiredStatus: 'RUNNING', containers: [c('a')], ...over,
});

describe('taskCgroupSpec (the real agent\'s BuildLinuxResourceSpec)', () => {
  it('task cpu (vCPUs) → a CFS quota over the period; task memory (MiB) → bytes', () => {
    expect(taskCgroupSpec(task({ cpu: 0.5, memory: 256 }), { cpuPeriodUs: 100_000 }))
      .toEqual({ ok: true, spec: { cpuPeriodUs: 100_000, cpuQuotaUs: 50_000, memoryBytes: 256 * 1048576 } });
    expect(taskCgroupSpec(task({ cpu: 2 }), { cpuPeriodUs: 50_000, pidsLimit: 100 }))
      .toEqual({ ok: true, spec: { cpuPeriodUs: 50_000, cpuQuotaUs: 100_000, pidsLimit: 100 } });
  });

  it('without task cpu: the containers\' shares summed, each at least 2, at most 262144', () => {
    expect(taskCgroupSpec(task({ containers: [c('a', { cpu: 0 }), c('b', { cpu: 100 }), c('d', { cpu: 1 })] }), { cpuPeriodUs: 100_000 }))
      .toEqual({ ok: true, spec: { cpuShares: 104 } });
    expect(taskCgroupSpec(task({ containers: [c('a', { cpu: 200_000 }), c('b', { cpu: 200_000 })] }), { cpuPeriodUs: 100_000 }))
      .toEqual({ ok: true, spec: { cpuShares: 262_144 } });
  });

  it('a container asking for more memory than the task is a reason', () => {
    expect(taskCgroupSpec(task({ memory: 64, containers: [c('big', { memory: 128 })] }), { cpuPeriodUs: 100_000 }))
      .toEqual({ ok: false, reason: 'container big has a memory limit (128 MiB) greater than the task\'s memory (64 MiB)' });
  });

  it('writes the period before the quota, and use_hierarchy always', () => {
    expect(cgroupWrites({ cpuPeriodUs: 50_000, cpuQuotaUs: 25_000, memoryBytes: 10 }).map((w) => `${w.controller}/${w.file}=${w.value}`)).toEqual([
      'cpu/cpu.cfs_period_us=50000', 'cpu/cpu.cfs_quota_us=25000', 'memory/memory.use_hierarchy=1', 'memory/memory.limit_in_bytes=10',
    ]);
  });
});

describe('TaskCgroups on this host', () => {
  const cg = new TaskCgroups({ mountPath: '/sys/fs/cgroup' });
  const path = `/ecs/dockhand-unit-${process.pid}-${randomBytes(4).toString('hex')}`;
  afterAll(async () => { await cg.remove(path); });

  it('creates /ecs/<id> with the limits in cpu, memory and pids, and removes it from every hierarchy', async () => {
    await cg.init();
    await cg.create(path, { cpuPeriodUs: 100_000, cpuQuotaUs: 25_000, memoryBytes: 32 * 1048576, pidsLimit: 50 });
    const read = (f: string) => readFileSync(`/sys/fs/cgroup/${f}`, 'utf8').trim();
    expect(read(`cpu${path}/cpu.cfs_quota_us`)).toBe('25000');
    expect(read(`cpu${path}/cpu.cfs_period_us`)).toBe('100000');
    expect(read(`memory${path}/memory.limit_in_bytes`)).toBe(String(32 * 1048576));
    expect(read(`pids${path}/pids.max`)).toBe('50');
    expect(await cg.remove(path)).toEqual([]);
    for (const h of ['cpu', 'memory', 'pids']) expect(existsSync(`/sys/fs/cgroup/${h}${path}`)).toBe(false);
  });

  it('a path that is not a cgroup v1 hierarchy is refused with what is wrong', async () => {
    const dir = tempDir('dockhand-nocgroup-');
    await expect(new TaskCgroups({ mountPath: dir }).init()).rejects.toThrow(`${dir}/cpu is not a cgroup v1 cpu hierarchy`);
  });

  it('createTaskResources: unset degrades (task limits become a reason); explicitly enabled refuses to start', async () => {
    const settings = { cgroupPath: tempDir('dockhand-nocgroup-'), cgroupCpuPeriodMs: 100, taskPidsLimit: 0, sharedVolumeMatchFullConfig: false, dynamicHostPortRange: '40000-40010' };
    const volumes = { inspectVolume: async () => undefined };
    const soft = await createTaskResources({ ...settings, taskCpuMemLimit: 'default' }, volumes, logger);
    expect(soft.taskCgroupsEnabled).toBe(false);
    expect(await soft.prepare(task({ cpu: 1 }), c('a'))).toEqual({
      ok: false, reason: expect.stringMatching(/^CgroupError: Agent could not create task's platform resources: the task has task-level cpu\/memory limits, but task cgroups are off on this instance \(no task cgroups on this host: .* is not a cgroup v1 cpu hierarchy\)$/),
    });
    expect(await soft.prepare(task(), c('a'))).toEqual({ ok: true, options: { taskCgroups: false, hostPortRanges: {} } });
    await expect(createTaskResources({ ...settings, taskCpuMemLimit: 'enabled' }, volumes, logger))
      .rejects.toThrow(/^ECS_ENABLE_TASK_CPU_MEM_LIMIT=true, but the agent cannot set up the '\/ecs' cgroup: /);
  });
});

describe('HostPortRanges (real sockets)', () => {
  const servers: Server[] = [];
  afterAll(async () => { for (const s of servers) await new Promise((r) => s.close(r)); });
  const listenAnywhere = async (): Promise<number> => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
    servers.push(s);
    return (s.address() as { port: number }).port;
  };

  it('searches down from the top, on from the last range handed out, wraps round, and says when none is left', async () => {
    // The order logic with a probe that says which ports are taken (a real host's neighbours of a
    // given port may be taken by anything, so the order is not checked against real sockets).
    const taken = new Set([104]);
    const ranges = new HostPortRanges({ range: { start: 100, end: 106 }, probe: async (port) => !taken.has(port) });
    expect(await ranges.allocate(2, 'tcp')).toBe('105-106');
    expect(await ranges.allocate(2, 'tcp')).toBe('102-103');
    // Nothing is bound until the containers start, so below the range's start it wraps round to the top.
    expect(await ranges.allocate(3, 'tcp')).toBe('101-103');
    expect(await ranges.allocate(4, 'tcp')).toBe('100-103');
    await expect(ranges.allocate(5, 'tcp')).rejects.toThrow('5 contiguous host ports are unavailable in the dynamic host port range 100-106 (tcp)');
  });

  it('never hands out a port something listens on (real sockets)', async () => {
    const busy = await listenAnywhere();
    const ranges = new HostPortRanges({ range: { start: busy, end: busy } });
    await expect(ranges.allocate(1, 'tcp')).rejects.toThrow(`1 contiguous host ports are unavailable in the dynamic host port range ${busy}-${busy} (tcp)`);
  });

  it('concurrent allocations get disjoint ranges', async () => {
    const base = await listenAnywhere();
    const ranges = new HostPortRanges({ range: { start: base + 1, end: base + 40 } });
    const got = (await Promise.all([1, 2, 3].map(() => ranges.allocate(4, 'udp')))).map((r) => parsePortRange(r)!);
    const ports = got.flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i));
    expect(new Set(ports).size).toBe(12);
  });
});

describe('shared Docker volumes (real Docker)', () => {
  const docker = new Docker();
  const engine = new DockerodeEngine({ logger });
  const name = `dockhand-unit-shared-${process.pid}`;
  afterAll(async () => { await docker.getVolume(name).remove().catch(() => undefined); });
  const withVolume = (autoprovision: boolean, labels: Record<string, string> = {}) => task({
    volumes: [{ name, type: 'docker', dockerVolumeConfiguration: { scope: 'shared', autoprovision, driver: 'local', labels } }],
  });
  const settings = { taskCpuMemLimit: 'disabled' as const, cgroupPath: '/sys/fs/cgroup', cgroupCpuPeriodMs: 100, taskPidsLimit: 0, dynamicHostPortRange: undefined };

  it('autoprovision false: a missing volume fails the task with a reason; an existing one is used', async () => {
    const resources = await createTaskResources({ ...settings, sharedVolumeMatchFullConfig: false }, engine, logger);
    expect(await resources.prepare(withVolume(false), c('a'))).toEqual({
      ok: false, reason: `VolumeError: Agent could not create task's volume resources: volume '${name}' does not exist and autoprovision is set to false`,
    });
    expect((await resources.prepare(withVolume(true), c('a'))).ok).toBe(true);
    await docker.createVolume({ Name: name, Labels: { team: 'a' } });
    expect((await resources.prepare(withVolume(false), c('a'))).ok).toBe(true);
  });

  it('ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: an existing volume with other labels is refused', async () => {
    const strict = await createTaskResources({ ...settings, sharedVolumeMatchFullConfig: true }, engine, logger);
    expect(await strict.prepare(withVolume(true, { team: 'b' }), c('a'))).toEqual({
      ok: false, reason: `VolumeError: Agent could not create task's volume resources: existing volume '${name}' does not match the task definition: labels {"team":"a"}, expected {"team":"b"}`,
    });
    expect((await strict.prepare(withVolume(true, { team: 'a' }), c('a'))).ok).toBe(true);
  });
});

describe('the real agent\'s settings for task resources', () => {
  const load = (env: Record<string, string>) => loadAgentConfig({ ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/no-ecs.config', AWS_REGION: 'us-east-1', ...env });

  it('defaults: task cgroups on unless the host cannot, 100ms CFS period, no pids limit, kernel port range', () => {
    expect(load({})).toMatchObject({
      taskCpuMemLimit: 'default', cgroupPath: '/sys/fs/cgroup', cgroupCpuPeriodMs: 100, taskPidsLimit: 0,
      sharedVolumeMatchFullConfig: false, dynamicHostPortRange: undefined,
    });
  });

  it('reads explicit values; out-of-range ones fall back to the default with a warning, as the real agent', () => {
    expect(load({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'false', ECS_CGROUP_CPU_PERIOD: '10ms', ECS_TASK_PIDS_LIMIT: '100', ECS_DYNAMIC_HOST_PORT_RANGE: '40000-40100', ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: 'true' }))
      .toMatchObject({ taskCpuMemLimit: 'disabled', cgroupCpuPeriodMs: 10, taskPidsLimit: 100, dynamicHostPortRange: '40000-40100', sharedVolumeMatchFullConfig: true });
    const odd = load({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'true', ECS_CGROUP_CPU_PERIOD: '1s', ECS_DYNAMIC_HOST_PORT_RANGE: '9-1' });
    expect(odd).toMatchObject({ taskCpuMemLimit: 'enabled', cgroupCpuPeriodMs: 100, dynamicHostPortRange: undefined });
    expect(odd.warnings).toEqual([
      'ECS_CGROUP_CPU_PERIOD 1000ms is not within [8ms, 100ms]; using 100ms',
      'ECS_DYNAMIC_HOST_PORT_RANGE "9-1" is not a port range like 49153-65535; using the kernel\'s ephemeral range',
    ]);
    expect(() => load({ ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'maybe' })).toThrow(/ECS_ENABLE_TASK_CPU_MEM_LIMIT/);
  });
});
