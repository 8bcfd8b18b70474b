// PURE: ContainerDefinition → the ACS container's dockerConfig JSON and volumes, the definition's
// requiresAttributes, and placement refusing instances that lack one (reason ATTRIBUTE).
import { describe, expect, it } from 'vitest';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { toAcsTask } from '../../src/control-plane/acs-gateway/acs-task.ts';
import { dockerConfigFor } from '../../src/control-plane/acs-gateway/docker-config.ts';
import type { TaskDefinitionBody, TaskDefinitionRecord, TaskRecord } from '../../src/control-plane/model/records.ts';
import { requiredAttributeNames } from '../../src/control-plane/model/requires-attributes.ts';
import { placeTasks, type PlacementCandidate } from '../../src/control-plane/scheduler/placement.ts';

const MIB = 1024 * 1024;
const decoded = (c: ContainerDefinition) => {
  const d = dockerConfigFor(c);
  return { config: JSON.parse(d.config ?? '{}'), hostConfig: JSON.parse(d.hostConfig ?? '{}') };
};

describe('dockerConfigFor', () => {
  it('maps the container-side fields into dockerConfig.config', () => {
    expect(decoded({ workingDirectory: '/w', user: '1000:1000', hostname: 'h', dockerLabels: { a: 'b' }, interactive: true, pseudoTerminal: true }).config)
      .toEqual({ WorkingDir: '/w', User: '1000:1000', Hostname: 'h', Labels: { a: 'b' }, OpenStdin: true, Tty: true });
  });

  it('maps the host-side fields into dockerConfig.hostConfig, in Docker units', () => {
    const { hostConfig } = decoded({
      memory: 128, memoryReservation: 64, privileged: true, readonlyRootFilesystem: true,
      ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 20 }],
      logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } },
      extraHosts: [{ hostname: 'x', ipAddress: '10.0.0.1' }], dnsServers: ['1.1.1.1'], dnsSearchDomains: ['corp'],
      dockerSecurityOptions: ['no-new-privileges'], systemControls: [{ namespace: 'net.core.somaxconn', value: '512' }],
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, initProcessEnabled: true, sharedMemorySize: 32,
        tmpfs: [{ containerPath: '/t', size: 16, mountOptions: ['rw'] }], swappiness: 10, maxSwap: 256,
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/n', permissions: ['read'] }],
      },
    });
    expect(hostConfig).toEqual({
      MemoryReservation: 64 * MIB, Privileged: true, ReadonlyRootfs: true, Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 20 }],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } }, ExtraHosts: ['x:10.0.0.1'], Dns: ['1.1.1.1'], DnsSearch: ['corp'],
      SecurityOpt: ['no-new-privileges'], Sysctls: { 'net.core.somaxconn': '512' }, CapAdd: ['NET_ADMIN'], CapDrop: ['MKNOD'],
      Init: true, ShmSize: 32 * MIB, Tmpfs: { '/t': 'rw,size=16m' }, MemorySwappiness: 10, MemorySwap: (256 + 128) * MIB,
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'r' }],
    });
  });

  it('swap: maxSwap on top of memory, swappiness 60 unless given, and only with maxSwap (as ECS documents)', () => {
    expect(decoded({ memory: 64, linuxParameters: { maxSwap: 0 } }).hostConfig).toEqual({ MemorySwap: 64 * MIB, MemorySwappiness: 60 });
    expect(decoded({ memory: 64, linuxParameters: { swappiness: 5 } }).hostConfig).toEqual({});
    // No hard limit to add it to: still sent, so that the agent refuses it with a reason.
    expect(decoded({ memoryReservation: 32, linuxParameters: { maxSwap: 16 } }).hostConfig).toEqual({ MemoryReservation: 32 * MIB, MemorySwap: 16 * MIB, MemorySwappiness: 60 });
  });

  it('disableNetworking → NetworkDisabled', () => {
    expect(decoded({ disableNetworking: true }).config).toEqual({ NetworkDisabled: true });
  });

  it('an empty definition sends empty JSON objects', () => {
    expect(dockerConfigFor({})).toMatchObject({ config: '{}', hostConfig: '{}' });
  });
});

describe('toAcsTask volumes, secrets and environment files', () => {
  const acs = (definition: Partial<TaskDefinitionBody>) => toAcsTask({
    task: { arn: 'arn:aws:ecs:us-east-1:1:task/default/t', containers: [], desiredStatus: 'RUNNING', launchType: 'EC2', overrides: {}, group: 'family:f' } as unknown as TaskRecord,
    taskDefinition: { family: 'f', revision: 1, definition: { family: 'f', containerDefinitions: [{ name: 'c', image: 'i', memory: 8 }], ...definition } } as unknown as TaskDefinitionRecord,
    clusterArn: 'arn:aws:ecs:us-east-1:1:cluster/default', accountId: '1',
  });

  it('keeps host, docker, EFS and FSx volumes apart (never an EFS volume as a host one)', () => {
    expect(acs({ volumes: [
      { name: 'h', host: { sourcePath: '/srv' } }, { name: 'd', dockerVolumeConfiguration: { scope: 'shared', driver: 'local' } },
      { name: 'e', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }, { name: 'x', fsxWindowsFileServerVolumeConfiguration: { fileSystemId: 'fs-2' } },
    ] }).volumes).toEqual([
      { name: 'h', type: 'host', host: { sourcePath: '/srv' } }, { name: 'd', type: 'docker', dockerVolumeConfiguration: { scope: 'shared', driver: 'local' } },
      { name: 'e', type: 'efs' }, { name: 'x', type: 'fsxWindowsFileServer' },
    ]);
  });

  it('forwards secrets and environmentFiles so that an agent that gets them can refuse them', () => {
    const c = acs({ containerDefinitions: [{ name: 'c', image: 'i', memory: 8,
      secrets: [{ name: 'S', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:s' }], environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/e' }] }] }).containers[0]!;
    expect(c.secrets).toEqual([{ name: 'S', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:s', type: 'ENVIRONMENT', provider: 'asm' }]);
    expect(c.environmentFiles).toEqual([{ value: 'arn:aws:s3:::b/e', type: 's3' }]);
  });

  it('forwards log driver secretOptions as LOG_DRIVER secrets, and repositoryCredentials as asm registry auth', () => {
    const c = acs({ containerDefinitions: [{ name: 'c', image: 'i', memory: 8,
      logConfiguration: { logDriver: 'json-file', secretOptions: [{ name: 'tag', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/t' }] },
      repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:1:secret:r' } }] }).containers[0]!;
    expect(c.secrets).toEqual([{ name: 'tag', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/t', type: 'ENVIRONMENT', provider: 'ssm', target: 'LOG_DRIVER' }]);
    expect(c.registryAuthentication).toEqual({ type: 'asm', asmAuthData: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:1:secret:r' } });
  });
});

describe('requiresAttributes and placement', () => {
  const def = (o: Partial<TaskDefinitionBody>, c: Partial<ContainerDefinition> = {}): TaskDefinitionBody =>
    ({ family: 'f', containerDefinitions: [{ name: 'c', image: 'i', memory: 8, ...c }], ...o });

  it.each([
    ['a plain task', def({}), []],
    ['awslogs', def({}, { logConfiguration: { logDriver: 'awslogs' } }), ['com.amazonaws.ecs.capability.logging-driver.awslogs']],
    ['privileged', def({}, { privileged: true }), ['com.amazonaws.ecs.capability.privileged-container']],
    ['a port range', def({}, { portMappings: [{ containerPortRange: '1-2' }] }), ['ecs.capability.network.container-port-range']],
    ['awsvpc', def({ networkMode: 'awsvpc' }), ['ecs.capability.task-eni']],
    ['SSM secrets', def({}, { secrets: [{ name: 'a', valueFrom: 'p' }] }), ['ecs.capability.secrets.ssm.environment-variables']],
    ['ASM secrets', def({}, { secrets: [{ name: 'a', valueFrom: 'arn:aws:secretsmanager:r:1:secret:s' }] }), ['ecs.capability.secrets.asm.environment-variables']],
    ['environment files', def({}, { environmentFiles: [{ type: 's3', value: 'x' }] }), ['ecs.capability.env-files.s3']],
    ['FireLens', def({}, { firelensConfiguration: { type: 'fluentbit' } }), ['ecs.capability.firelens.fluentbit']],
    ['EFS', def({ volumes: [{ name: 'e', efsVolumeConfiguration: { fileSystemId: 'fs' } }] }), ['ecs.capability.efs']],
    ['task-level memory', def({ memory: '512' }), ['ecs.capability.task-cpu-mem-limit']],
    ['task-level cpu above 10 vCPUs', def({ cpu: '12288' }), ['ecs.capability.task-cpu-mem-limit', 'ecs.capability.increased-task-cpu-limit']],
    ['pidMode', def({ pidMode: 'host' }), ['ecs.capability.pid-ipc-namespace-sharing']],
    ['log driver secrets', def({}, { logConfiguration: { logDriver: 'json-file', secretOptions: [{ name: 't', valueFrom: 'arn:aws:secretsmanager:r:1:secret:s' }] } }),
      ['com.amazonaws.ecs.capability.logging-driver.json-file', 'ecs.capability.secrets.asm.bootstrap.log-driver']],
    ['repositoryCredentials', def({}, { repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:r:1:secret:s' } }), ['ecs.capability.private-registry-authentication.secretsmanager']],
  ])('%s', (_n, d, expected) => {
    expect(requiredAttributeNames(d)).toEqual(expected);
  });

  it('an instance without a required attribute is a failure with reason ATTRIBUTE and the missing name', () => {
    const candidate: PlacementCandidate = {
      arn: 'ci', connected: true, reserved: [], attributes: ['com.amazonaws.ecs.capability.logging-driver.json-file'],
      registeredResources: [{ name: 'CPU', integerValue: 1024 }, { name: 'MEMORY', integerValue: 1024 }],
    };
    const needs = { cpu: 0, memory: 8, ports: [], portsUdp: [] };
    const missing = placeTasks({ candidates: [candidate], needs, count: 1, random: () => 0, requiredAttributes: ['ecs.capability.task-eni'] });
    expect(missing).toEqual({ placements: [], failures: [{ arn: 'ci', reason: 'ATTRIBUTE', detail: 'missing attribute(s): ecs.capability.task-eni' }] });
    const ok = placeTasks({ candidates: [candidate], needs, count: 1, random: () => 0, requiredAttributes: ['com.amazonaws.ecs.capability.logging-driver.json-file'] });
    expect(ok.placements).toEqual(['ci']);
  });
});
