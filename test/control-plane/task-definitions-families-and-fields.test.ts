// ListTaskDefinitionFamilies, DescribeTaskDefinition's include, and a task definition using every
// RegisterTaskDefinition field of the reference coming back exactly as sent — through the real SDK.
import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  InvalidParameterException,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { failure, useControlPlane } from './control-plane-fixture.ts';

const env = useControlPlane();

const register = (family: string) => env.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }] }));

/** Every request field of RegisterTaskDefinition in the reference (boto3 ECS), each set. */
const FULL: RegisterTaskDefinitionCommandInput = {
  family: 'full',
  taskRoleArn: 'arn:aws:iam::000000000000:role/task',
  executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
  networkMode: 'bridge',
  containerDefinitions: [{
    name: 'app', image: 'registry.local/app:1', repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg' },
    cpu: 128, memory: 256, memoryReservation: 128, links: ['side:s'],
    portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }], essential: true,
    entryPoint: ['/bin/sh', '-c'], command: ['exec app'], environment: [{ name: 'A', value: '1' }],
    environmentFiles: [{ value: 'arn:aws:s3:::bucket/env', type: 's3' }],
    mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }], volumesFrom: [{ sourceContainer: 'side', readOnly: true }],
    linuxParameters: {
      capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: ['read', 'write'] }],
      initProcessEnabled: true, sharedMemorySize: 64, tmpfs: [{ containerPath: '/tmp', size: 32, mountOptions: ['noexec'] }], maxSwap: 0, swappiness: 10,
    },
    secrets: [{ name: 'S', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/s' }],
    dependsOn: [{ containerName: 'side', condition: 'START' }], startTimeout: 30, stopTimeout: 10,
    hostname: 'app', user: '1000:1000', workingDirectory: '/srv', disableNetworking: false, privileged: false, readonlyRootFilesystem: true,
    dnsServers: ['10.0.0.2'], dnsSearchDomains: ['local'], extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.3' }],
    dockerSecurityOptions: ['no-new-privileges'], interactive: false, pseudoTerminal: false, dockerLabels: { team: 'core' },
    ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
    logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' }, secretOptions: [{ name: 'tok', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/t' }] },
    healthCheck: { command: ['CMD-SHELL', 'true'], interval: 10, timeout: 5, retries: 3, startPeriod: 0 },
    systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }], resourceRequirements: [{ value: '1', type: 'GPU' }],
    firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
  }, { name: 'side', image: 'busybox', memory: 32, essential: false }],
  volumes: [
    { name: 'data', host: { sourcePath: '/srv/data' } },
    { name: 'dv', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', driverOpts: { type: 'tmpfs' }, labels: { l: 'v' } } },
    { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/', transitEncryption: 'ENABLED', transitEncryptionPort: 2049, authorizationConfig: { accessPointId: 'ap-1', iam: 'ENABLED' } } },
    { name: 'fsx', fsxWindowsFileServerVolumeConfiguration: { fileSystemId: 'fs-2', rootDirectory: 'share', authorizationConfig: { credentialsParameter: 'arn:aws:ssm:us-east-1:000000000000:parameter/c', domain: 'corp' } } },
  ],
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
  requiresCompatibilities: ['EC2', 'EXTERNAL'],
  cpu: '512',
  memory: '1024',
  tags: [{ key: 'k', value: 'v' }],
  pidMode: 'task',
  ipcMode: 'none',
  proxyConfiguration: { type: 'APPMESH', containerName: 'side', properties: [{ name: 'IgnoredUID', value: '1337' }] },
  inferenceAccelerators: [{ deviceName: 'dev1', deviceType: 'eia2.medium' }],
  ephemeralStorage: { sizeInGiB: 30 },
};

describe('RegisterTaskDefinition round trip', () => {
  it('gives back every field as sent, plus what ECS computes', async () => {
    const { tags, ...sent } = FULL;
    const r = await env.ecs.send(new RegisterTaskDefinitionCommand(FULL));
    const d = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'full:1', include: ['TAGS'] }));
    for (const got of [r.taskDefinition!, d.taskDefinition!]) {
      const { taskDefinitionArn, revision, status, compatibilities, requiresAttributes, registeredAt, registeredBy, ...rest } = got;
      expect(rest).toEqual(sent);
      expect({ taskDefinitionArn, revision, status, compatibilities, registeredBy }).toEqual({
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/full:1', revision: 1, status: 'ACTIVE',
        compatibilities: ['EC2', 'EXTERNAL'], registeredBy: 'arn:aws:iam::000000000000:root',
      });
      expect(registeredAt).toBeInstanceOf(Date);
      expect(requiresAttributes!.length).toBeGreaterThan(0);
    }
    expect(r.tags).toEqual(tags);
    expect(d.tags).toEqual(tags);
    expect((await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'full' }))).tags).toBeUndefined();
  });

  it('refuses an unknown include and bad pid/ipc modes', async () => {
    expect(await failure(env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'full', include: ['ALL' as never] })))).toBeInstanceOf(InvalidParameterException);
    for (const extra of [{ pidMode: 'vm' }, { ipcMode: 'shareable' }]) {
      const err = await failure(env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'modes', containerDefinitions: [{ name: 'c', image: 'i', memory: 8 }], ...extra } as never)));
      expect(err).toBeInstanceOf(ClientException);
    }
    expect(await failure(env.ecs.send(new ListTaskDefinitionsCommand({ status: 'DELETE_IN_PROGRESS' as never })))).toBeInstanceOf(InvalidParameterException);
  });
});

describe('ListTaskDefinitionFamilies', () => {
  it('lists families by status and prefix, sorted, with paging', async () => {
    for (const f of ['web', 'web', 'web-api', 'worker', 'old', 'batch']) await register(f);
    await env.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'old:1' }));
    await env.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' })); // web:2 keeps web ACTIVE
    const families = async (input: Record<string, unknown>) => (await env.ecs.send(new ListTaskDefinitionFamiliesCommand(input))).families;
    expect(await families({})).toEqual(['batch', 'full', 'old', 'web', 'web-api', 'worker']);
    expect(await families({ status: 'ALL' })).toEqual(['batch', 'full', 'old', 'web', 'web-api', 'worker']);
    expect(await families({ status: 'ACTIVE' })).toEqual(['batch', 'full', 'web', 'web-api', 'worker']);
    expect(await families({ status: 'INACTIVE' })).toEqual(['old']);
    expect(await families({ familyPrefix: 'web' })).toEqual(['web', 'web-api']);
    expect(await families({ familyPrefix: 'w', status: 'ACTIVE' })).toEqual(['web', 'web-api', 'worker']);
    const p1 = await env.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 4 }));
    expect(p1.families).toEqual(['batch', 'full', 'old', 'web']);
    const p2 = await env.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 4, nextToken: p1.nextToken }));
    expect(p2.families).toEqual(['web-api', 'worker']);
    expect(p2.nextToken).toBeUndefined();
  });

  it('refuses a bad status, maxResults or nextToken', async () => {
    expect(await failure(env.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'GONE' as never })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 101 })))).toBeInstanceOf(InvalidParameterException);
    expect(await failure(env.ecs.send(new ListTaskDefinitionFamiliesCommand({ nextToken: '%%%' })))).toBeInstanceOf(InvalidParameterException);
  });
});
