// PURE mapping from an ACS container to Docker's create body.
import { describe, expect, it } from 'vitest';
import { containerCreateSpec, containerName } from '../../src/agent/docker/container-config.ts';
import { foldRangeBindings } from '../../src/agent/docker/container-ports.ts';
import type { AcsContainer, AcsTask } from '../../src/protocol/acs-messages.ts';

const TASK_ARN = 'arn:aws:ecs:us-west-2:123456789012:task/ecsref/1a2b3c4d5e6f708192a3b4c5d6e7f809';

// The captured PayloadMessage's task (main.traffic.jsonl seq 20).
function captured(over: Partial<AcsContainer> = {}, taskOver: Partial<AcsTask> = {}): { task: AcsTask; c: AcsContainer } {
  const c: AcsContainer = {
    name: 'sleeper', image: 'local/busybox:latest', command: ['sleep', '3600'], entryPoint: [], cpu: 10, memory: 64,
    essential: true, environment: {}, portMappings: [], dockerConfig: { version: '1.17', config: '{}', hostConfig: '{}' }, ...over,
  };
  return { task: { arn: TASK_ARN, family: 'ecsref-sleep', version: '1', desiredStatus: 'RUNNING', networkMode: 'bridge', containers: [c], ...taskOver }, c };
}

function spec(over: Partial<AcsContainer> = {}, taskOver: Partial<AcsTask> = {}) {
  const { task, c } = captured(over, taskOver);
  const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'f08ce9e0acc691dbe701' });
  if (!r.ok) throw new Error(r.reason);
  return r.spec;
}

describe('containerCreateSpec', () => {
  it('reproduces what the real agent created for the captured task', () => {
    const s = spec();
    expect(s.name).toBe('ecs-ecsref-sleep-1-sleeper-f08ce9e0acc691dbe701');
    expect(s.config).toEqual({
      Image: 'local/busybox:latest',
      Cmd: ['sleep', '3600'],
      Env: [],
      Labels: {
        'com.amazonaws.ecs.cluster': 'ecsref',
        'com.amazonaws.ecs.container-name': 'sleeper',
        'com.amazonaws.ecs.task-arn': TASK_ARN,
        'com.amazonaws.ecs.task-definition-family': 'ecsref-sleep',
        'com.amazonaws.ecs.task-definition-version': '1',
      },
      HostConfig: { CpuShares: 10, Memory: 67108864, CgroupParent: '/ecs/1a2b3c4d5e6f708192a3b4c5d6e7f809' },
    });
  });

  it('maps entryPoint, environment, cpu 0 → 2 shares, no memory limit', () => {
    const s = spec({ entryPoint: ['/bin/sh', '-c'], command: ['echo hi'], environment: { A: '1', B: 'x=y' }, cpu: 0, memory: 0 });
    expect(s.config.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(s.config.Cmd).toEqual(['echo hi']);
    expect(s.config.Env).toEqual(['A=1', 'B=x=y']);
    expect(s.config.HostConfig.CpuShares).toBe(2);
    expect(s.config.HostConfig.Memory).toBeUndefined();
  });

  it('leaves the image defaults alone when command and entryPoint are empty', () => {
    const s = spec({ command: [], entryPoint: [] });
    expect('Cmd' in s.config).toBe(false);
    expect('Entrypoint' in s.config).toBe(false);
  });

  it('maps port mappings: fixed, dynamic (0 or absent), udp and ranges', () => {
    const s = spec({
      portMappings: [
        { containerPort: 80, hostPort: 8080 },
        { containerPort: 8080, hostPort: 0, protocol: 'tcp' },
        { containerPort: 53, protocol: 'udp' },
        { containerPortRange: '9000-9002', protocol: 'tcp' },
      ],
    });
    expect(s.config.ExposedPorts).toEqual({ '80/tcp': {}, '8080/tcp': {}, '53/udp': {}, '9000/tcp': {}, '9001/tcp': {}, '9002/tcp': {} });
    expect(s.config.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostPort: '8080' }],
      '8080/tcp': [{ HostPort: '' }],
      '53/udp': [{ HostPort: '' }],
      '9000/tcp': [{ HostPort: '' }], '9001/tcp': [{ HostPort: '' }], '9002/tcp': [{ HostPort: '' }],
    });
  });

  it.each([
    ['bridge', undefined],
    [undefined, undefined],
    ['host', 'host'],
    ['none', 'none'],
  ])('network mode %s → NetworkMode %s', (mode, expected) => {
    expect(spec({}, mode === undefined ? { networkMode: undefined } : { networkMode: mode }).config.HostConfig.NetworkMode).toBe(expected);
  });

  it('merges dockerConfig over the base like Go json.Unmarshal; ECS labels always win', () => {
    const s = spec({
      dockerConfig: {
        config: JSON.stringify({ User: 'nobody', WorkingDir: '/tmp', Labels: { team: 'a', 'com.amazonaws.ecs.cluster': 'spoofed' }, Cmd: ['true'] }),
        hostConfig: JSON.stringify({ MemoryReservation: 33554432, Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }], LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } }, CpuShares: 20 }),
      },
    });
    expect(s.config).toMatchObject({ User: 'nobody', WorkingDir: '/tmp', Cmd: ['true'] });
    expect(s.config.Labels).toMatchObject({ team: 'a', 'com.amazonaws.ecs.cluster': 'ecsref', 'com.amazonaws.ecs.container-name': 'sleeper' });
    expect(s.config.HostConfig).toMatchObject({
      MemoryReservation: 33554432, CpuShares: 20, Memory: 67108864, CgroupParent: '/ecs/1a2b3c4d5e6f708192a3b4c5d6e7f809',
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }], LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
  });

  it('puts agent host-config defaults under the container own settings', () => {
    const { task, c } = captured({ dockerConfig: { hostConfig: JSON.stringify({ LogConfig: { Type: 'none' } }) } });
    const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x', hostConfigDefaults: { LogConfig: { Type: 'json-file' }, CpuShares: 999, Init: true } });
    expect(r.ok && r.spec.config.HostConfig).toMatchObject({ LogConfig: { Type: 'none' }, CpuShares: 10, Init: true });
  });

  it.each([
    ['config', '{not json'],
    ['config', '[1,2]'],
    ['hostConfig', '"a string"'],
  ])('invalid dockerConfig.%s (%s) is a failure reason, not a throw', (field, text) => {
    const { task, c } = captured({ dockerConfig: { [field]: text } });
    const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(new RegExp(`^DockerClientConfigError: unable to decode the container's dockerConfig\\.${field}: `));
  });

  it('clamps cpu to the kernel\'s share bounds (2 to 262144), as the real agent', () => {
    expect(spec({ cpu: 1 }).config.HostConfig.CpuShares).toBe(2);
    expect(spec({ cpu: 300_000 }).config.HostConfig.CpuShares).toBe(262_144);
  });

  it('puts the container under the task cgroup only while task cgroups are on', () => {
    const { task, c } = captured();
    const off = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x', taskCgroups: false });
    expect(off.ok && 'CgroupParent' in off.spec.config.HostConfig).toBe(false);
  });

  it('maps a containerPortRange port by port onto the host range the agent found', () => {
    const { task, c } = captured({ portMappings: [{ containerPortRange: '7000-7002', protocol: 'udp' }, { containerPort: 80 }] });
    const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x', hostPortRanges: { '7000-7002/udp': '40010-40012' } });
    expect(r.ok && r.spec.config.HostConfig.PortBindings).toEqual({
      '7000/udp': [{ HostPort: '40010' }], '7001/udp': [{ HostPort: '40011' }], '7002/udp': [{ HostPort: '40012' }], '80/tcp': [{ HostPort: '' }],
    });
    const misfit = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x', hostPortRanges: { '7000-7002/udp': '40010-40011' } });
    expect(!misfit.ok && misfit.reason).toMatch(/^CannotCreateContainerError: host port range 40010-40011 does not fit containerPortRange 7000-7002/);
    const { task: t2, c: c2 } = captured({ portMappings: [{ containerPortRange: '9-x' }] });
    expect(containerCreateSpec(t2, c2, { cluster: 'ecsref', nameSuffix: 'x' })).toEqual({ ok: false, reason: 'CannotCreateContainerError: invalid containerPortRange "9-x"' });
  });

  it('reports a published range as one binding per bind address, as ECS shows it; anything irregular stays port by port', () => {
    const { c } = captured({ portMappings: [{ containerPortRange: '7000-7001' }, { containerPort: 80 }] });
    const b = (bindIP: string, containerPort: number, hostPort: number) => ({ bindIP, containerPort, hostPort, protocol: 'tcp' as const });
    expect(foldRangeBindings([b('0.0.0.0', 7000, 40000), b('0.0.0.0', 7001, 40001), b('0.0.0.0', 80, 32768), b('::', 7000, 40000), b('::', 7001, 40001)], c)).toEqual([
      b('0.0.0.0', 80, 32768),
      { bindIP: '0.0.0.0', protocol: 'tcp', containerPortRange: '7000-7001', hostPortRange: '40000-40001' },
      { bindIP: '::', protocol: 'tcp', containerPortRange: '7000-7001', hostPortRange: '40000-40001' },
    ]);
    const scattered = [b('0.0.0.0', 7000, 40000), b('0.0.0.0', 7001, 40007)];
    expect(foldRangeBindings(scattered, c)).toEqual(scattered);
  });

  it('refuses maxSwap (MemorySwap) without a hard memory limit, naming the container', () => {
    const { task, c } = captured({ memory: 0, dockerConfig: { hostConfig: JSON.stringify({ MemorySwap: 0, MemorySwappiness: 60 }) } });
    const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x' });
    expect(!r.ok && r.reason).toBe('CannotCreateContainerError: container sleeper sets linuxParameters.maxSwap, which needs a hard memory limit (memory)');
    expect(spec({ memory: 64, dockerConfig: { hostConfig: JSON.stringify({ MemorySwap: 64 * 1048576 }) } }).config.HostConfig.MemorySwap).toBe(64 * 1048576);
  });

  it.each([
    ['pidMode', { pidMode: 'host' }, /^CannotCreateContainerError: pidMode host needs PID namespace sharing/],
    ['ipcMode', { ipcMode: 'task' }, /^CannotCreateContainerError: ipcMode task needs IPC namespace sharing/],
  ])('%s is refused with a reason, never ignored', (_n, taskOver, reason) => {
    const { task, c } = captured({}, taskOver);
    const r = containerCreateSpec(task, c, { cluster: 'ecsref', nameSuffix: 'x' });
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('keeps only characters Docker allows in the name', () => {
    const { task, c } = captured({ name: 'web app!' }, { family: 'my fam' });
    expect(containerName(task, c, 'abc')).toBe('ecs-myfam-1-webapp-abc');
  });
});
