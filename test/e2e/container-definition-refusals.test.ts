// What this host cannot honour is never silently dropped. Needs the instance lacks (awsvpc, SSM /
// Secrets Manager, S3, FireLens, EFS/FSx, PID/IPC sharing, log drivers outside
// ECS_AVAILABLE_LOGGING_DRIVERS) are in requiresAttributes and refused at RunTask (reason
// ATTRIBUTE), as ECS does. What only shows on the instance fails the task there, and DescribeTasks
// says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import {
  DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { containersOfTask, docker, sleep, startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

const base: ContainerDefinition = { name: 'c', image: TEST_IMAGE, memory: 16, command: ['true'] };
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s';

describe('refused at RunTask: the instance lacks a required attribute', () => {
  it.each<[string, Omit<RegisterTaskDefinitionCommandInput, 'family'>, string]>([
    ['awslogs', { containerDefinitions: [{ ...base, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }] }, 'com.amazonaws.ecs.capability.logging-driver.awslogs'],
    ['awsfirelens', { containerDefinitions: [{ ...base, logConfiguration: { logDriver: 'awsfirelens' } }] }, 'com.amazonaws.ecs.capability.logging-driver.awsfirelens'],
    ['firelens', { containerDefinitions: [{ ...base, firelensConfiguration: { type: 'fluentbit' } }] }, 'ecs.capability.firelens.fluentbit'],
    ['awsvpc', { networkMode: 'awsvpc', containerDefinitions: [base] }, 'ecs.capability.task-eni'],
    ['ssm secrets', { containerDefinitions: [{ ...base, secrets: [{ name: 'S', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/p' }] }] }, 'ecs.capability.secrets.ssm.environment-variables'],
    ['asm secrets', { containerDefinitions: [{ ...base, secrets: [{ name: 'S', valueFrom: SECRET }] }] }, 'ecs.capability.secrets.asm.environment-variables'],
    ['log driver secrets', { containerDefinitions: [{ ...base, logConfiguration: { logDriver: 'json-file', secretOptions: [{ name: 'tag', valueFrom: SECRET }] } }] }, 'ecs.capability.secrets.asm.bootstrap.log-driver'],
    ['repositoryCredentials', { containerDefinitions: [{ ...base, repositoryCredentials: { credentialsParameter: SECRET } }] }, 'ecs.capability.private-registry-authentication.secretsmanager'],
    ['environmentFiles', { containerDefinitions: [{ ...base, environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/x.env' }] }] }, 'ecs.capability.env-files.s3'],
    ['efs', { containerDefinitions: [{ ...base, mountPoints: [{ sourceVolume: 'e', containerPath: '/e' }] }], volumes: [{ name: 'e', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }, 'ecs.capability.efs'],
    ['pidMode', { pidMode: 'host', containerDefinitions: [base] }, 'ecs.capability.pid-ipc-namespace-sharing'],
    ['ipcMode', { ipcMode: 'task', containerDefinitions: [base] }, 'ecs.capability.pid-ipc-namespace-sharing'],
  ])('%s', async (name, input, attribute) => {
    const family = `e2e-refused-${name.replace(/\W/g, '-')}`;
    await h.client.send(new RegisterTaskDefinitionCommand({ family, ...input }));
    const td = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    expect(td.taskDefinition?.requiresAttributes).toContainEqual({ name: attribute });
    const out = await h.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: family }));
    expect(out.tasks).toEqual([]);
    expect(out.failures?.[0]?.reason).toBe('ATTRIBUTE');
    expect(out.failures?.[0]?.detail).toContain(attribute);
  });
});

describe('failed on the instance: DescribeTasks gives the reason', () => {
  it.each<[string, Omit<RegisterTaskDefinitionCommandInput, 'family'>, string]>([
    ['a container larger than its task', { memory: '64', containerDefinitions: [{ ...base, name: 'big', memory: 128 }] },
      "CgroupError: Agent could not create task's platform resources: container big has a memory limit (128 MiB) greater than the task's memory (64 MiB)"],
    ['maxSwap without a hard memory limit', { containerDefinitions: [{ ...base, name: 'swapper', memory: undefined, memoryReservation: 16, linuxParameters: { maxSwap: 32 } }] },
      'CannotCreateContainerError: container swapper sets linuxParameters.maxSwap, which needs a hard memory limit (memory)'],
  ])('%s', async (name, input, reason) => {
    const family = `e2e-failed-${name.replace(/\W/g, '-')}`;
    const task = await h.runTask(family, input.containerDefinitions!, { ...(input.memory ? { memory: input.memory } : {}) });
    const { task: t } = await h.waitForTask(task.taskArn!, (x) => x.lastStatus === 'STOPPED', 30_000);
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(t.stoppedReason).toBe(reason);
    expect(t.containers?.[0]?.reason).toBe(reason);
    expect(await containersOfTask(task.taskArn!)).toEqual([]); // nothing half-made in Docker
  });
});

describe('ECS_AVAILABLE_LOGGING_DRIVERS decides which log drivers tasks may use', () => {
  it('a listed driver runs and Docker ships the output with it; an unlisted one is refused at RunTask, naming the driver', async () => {
    const inbox = createSocket('udp4');
    await new Promise<void>((r) => inbox.bind(0, '127.0.0.1', r));
    const received = new Promise<string>((resolve) => inbox.on('message', (m) => resolve(m.toString())));
    const gelf = await startLocalHarness({ ECS_AVAILABLE_LOGGING_DRIVERS: '["json-file","gelf"]' });
    try {
      const options = { 'gelf-address': `udp://127.0.0.1:${inbox.address().port}`, 'gelf-compression-type': 'none' };
      const t = await gelf.runTask('e2e-log-gelf', [{
        name: 'logger', image: TEST_IMAGE, memory: 16, stopTimeout: 1, command: ['sh', '-c', 'echo via-gelf-driver; exec sleep 3600'],
        logConfiguration: { logDriver: 'gelf', options },
      }]);
      await gelf.waitForTask(t.taskArn!, (x) => x.lastStatus === 'RUNNING', 30_000);
      const c = docker.getContainer((await containersOfTask(t.taskArn!))[0]!.Id);
      expect((await c.inspect()).HostConfig.LogConfig).toEqual({ Type: 'gelf', Config: options });
      const message = JSON.parse(await Promise.race([received, sleep(10_000).then(() => '{}')])) as { short_message?: string };
      expect(message.short_message).toBe('via-gelf-driver');

      await gelf.client.send(new RegisterTaskDefinitionCommand({ family: 'e2e-log-syslog', containerDefinitions: [{ ...base, logConfiguration: { logDriver: 'syslog' } }] }));
      const refused = await gelf.client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'e2e-log-syslog' }));
      expect(refused.failures?.[0]).toMatchObject({ reason: 'ATTRIBUTE', detail: expect.stringContaining('com.amazonaws.ecs.capability.logging-driver.syslog') });
    } finally {
      await gelf.stop();
      inbox.close();
    }
  }, 45_000);
});
