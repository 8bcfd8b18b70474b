// PURE mapping from an ACS container to Docker's create body.
import { describe, expect, it } from 'vitest';
import { containerCreateSpec, containerName } from '../../src/agent/docker/container-config.ts';
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

  it('keeps only characters Docker allows in the name', () => {
    const { task, c } = captured({ name: 'web app!' }, { family: 'my fam' });
    expect(containerName(task, c, 'abc')).toBe('ecs-myfam-1-webapp-abc');
  });
});
