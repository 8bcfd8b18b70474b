// PURE: mount points / volumes / volumesFrom / links → Binds, Mounts, VolumesFrom, Links; and the
// settings the agent refuses with a reason instead of silently dropping.
import { describe, expect, it } from 'vitest';
import { containerCreateSpec } from '../../src/agent/docker/container-config.ts';
import { taskMounts, taskVolumeName } from '../../src/agent/docker/task-volumes.ts';
import type { AcsContainer, AcsTask, AcsVolume } from '../../src/protocol/acs-messages.ts';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef';
const NAMES = { app: 'ecs-fam-1-app-aaaa', db: 'ecs-fam-1-db-bbbb' };

function task(volumes: AcsVolume[], c: Partial<AcsContainer> = {}, over: Partial<AcsTask> = {}): { task: AcsTask; c: AcsContainer } {
  const container: AcsContainer = { name: 'app', image: 'img', memory: 16, ...c };
  return { task: { arn: ARN, family: 'fam', version: '1', desiredStatus: 'RUNNING', volumes, containers: [container], ...over }, c: container };
}

describe('taskMounts', () => {
  it('host sourcePath → a bind (":ro" when read-only)', () => {
    const { task: t, c } = task([{ name: 'h', type: 'host', host: { sourcePath: '/srv/x' } }], {
      mountPoints: [{ sourceVolume: 'h', containerPath: '/x' }, { sourceVolume: 'h', containerPath: '/y', readOnly: true }],
    });
    expect(taskMounts(t, c, NAMES)).toEqual({ ok: true, value: { Binds: ['/srv/x:/x', '/srv/x:/y:ro'] } });
  });

  it('a task-scoped Docker volume → a Mounts volume named per task, with driver, options and labels', () => {
    const v: AcsVolume = { name: 'data', type: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs' }, labels: { a: 'b' } } };
    const { task: t, c } = task([v], { mountPoints: [{ sourceVolume: 'data', containerPath: '/d', readOnly: true }] });
    const r = taskMounts(t, c, NAMES);
    const name = taskVolumeName(t, v);
    expect(name).toMatch(/^ecs-fam-1-data-[0-9a-f]{20}$/);
    expect(taskVolumeName({ ...t, arn: `${ARN}0` }, v)).not.toBe(name);
    expect(r).toEqual({ ok: true, value: { Mounts: [{
      Type: 'volume', Source: name, Target: '/d', ReadOnly: true,
      VolumeOptions: { DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } }, Labels: { a: 'b', 'com.amazonaws.ecs.task-arn': ARN } },
    }] } });
  });

  it('a shared Docker volume is used by its own name, without the task label', () => {
    const v: AcsVolume = { name: 'cache', type: 'docker', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local' } };
    const { task: t, c } = task([v], { mountPoints: [{ sourceVolume: 'cache', containerPath: '/c' }] });
    const r = taskMounts(t, c, NAMES);
    expect(r.ok && r.value.Mounts?.[0]).toMatchObject({ Source: 'cache', VolumeOptions: { Labels: {} } });
  });

  it('a host volume without sourcePath is an agent-managed task-scoped local volume', () => {
    const { task: t, c } = task([{ name: 'scratch', type: 'host', host: {} }], { mountPoints: [{ sourceVolume: 'scratch', containerPath: '/s' }] });
    const r = taskMounts(t, c, NAMES);
    expect(r.ok && r.value.Mounts?.[0]).toMatchObject({ Source: expect.stringMatching(/^ecs-fam-1-scratch-/), VolumeOptions: { DriverConfig: { Name: 'local' } } });
  });

  it('volumesFrom and links use the peers\' Docker names; a link alias defaults to the container name', () => {
    const { task: t, c } = task([], { volumesFrom: [{ sourceContainer: 'db', readOnly: true }, { sourceContainer: 'db' }], links: ['db:database', 'db'] });
    expect(taskMounts(t, c, NAMES)).toEqual({ ok: true, value: {
      VolumesFrom: ['ecs-fam-1-db-bbbb:ro', 'ecs-fam-1-db-bbbb'], Links: ['ecs-fam-1-db-bbbb:database', 'ecs-fam-1-db-bbbb:db'],
    } });
  });

  it.each([
    ['an undefined volume', task([], { mountPoints: [{ sourceVolume: 'nope', containerPath: '/n' }] }), /volume "nope", which the task does not define/],
    ['an EFS volume', task([{ name: 'e', type: 'efs' }], { mountPoints: [{ sourceVolume: 'e', containerPath: '/e' }] }), /type efs, which this agent does not support/],
    ['a link to a stranger', task([], { links: ['ghost:g'] }), /container "ghost", which is not in the task/],
    ['volumesFrom a stranger', task([], { volumesFrom: [{ sourceContainer: 'ghost' }] }), /container "ghost", which is not in the task/],
  ])('%s fails the container with a reason', (_name, { task: t, c }, reason) => {
    const r = taskMounts(t, c, NAMES);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^CannotCreateContainerError: /);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});

describe('containerCreateSpec refusals and mounts', () => {
  const spec = (t: AcsTask, c: AcsContainer, drivers?: string[]) =>
    containerCreateSpec(t, c, { cluster: 'default', nameSuffix: 'x', dockerNames: NAMES, ...(drivers ? { availableLoggingDrivers: drivers } : {}) });

  it('puts mounts, volumesFrom and links into HostConfig', () => {
    const { task: t, c } = task([{ name: 'h', type: 'host', host: { sourcePath: '/srv' } }], { mountPoints: [{ sourceVolume: 'h', containerPath: '/srv' }], links: ['db'] });
    const r = spec(t, c);
    expect(r.ok && r.spec.config.HostConfig).toMatchObject({ Binds: ['/srv:/srv'], Links: ['ecs-fam-1-db-bbbb:db'] });
  });

  it('a log driver outside ECS_AVAILABLE_LOGGING_DRIVERS fails the container, naming the driver', () => {
    const { task: t, c } = task([], { dockerConfig: { hostConfig: JSON.stringify({ LogConfig: { Type: 'awslogs', Config: {} } }) } });
    const r = spec(t, c, ['json-file', 'none']);
    expect(!r.ok && r.reason).toBe('CannotCreateContainerError: log driver "awslogs" is not available on this instance (ECS_AVAILABLE_LOGGING_DRIVERS: json-file, none)');
    expect(spec(t, c, ['json-file', 'awslogs']).ok).toBe(true);
    expect(spec(t, c).ok).toBe(true); // no list given: not checked
  });

  it.each([
    ['awsvpc', task([], {}, { networkMode: 'awsvpc' }), /networkMode awsvpc/],
    ['secrets', task([], { secrets: [{ name: 'S', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/p' }] }), /secrets \(Secrets Manager \/ SSM\)/],
    ['environmentFiles', task([], { environmentFiles: [{ value: 'arn:aws:s3:::b/e.env', type: 's3' }] }), /environmentFiles \(S3\)/],
    ['log driver secrets', task([], { secrets: [{ name: 'k', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/k', target: 'LOG_DRIVER' }] }), /secrets \(Secrets Manager \/ SSM\)/],
    ['repositoryCredentials', task([], { registryAuthentication: { type: 'asm', asmAuthData: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:1:secret:r' } } }), /repositoryCredentials \(Secrets Manager\)/],
  ])('%s is refused with a reason, never silently dropped', (_n, { task: t, c }, reason) => {
    const r = spec(t, c);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^CannotCreateContainerError: /);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});
