// Task IAM roles: after the payload, one IAMRoleCredentialsMessage per role with throwaway
// credentials (ASIA… key, random secret, FAKE… token, 1 h expiry); the payload task carries only
// the credentialsIds. Unacknowledged credentials are re-sent on reconnect, acknowledged ones not.
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { AcsTaskWithCredentials } from '../../src/protocol/acs-task-credentials.ts';
import { useAgentPerTest, useControlPlane } from './control-plane-fixture.ts';

const CLUSTER = 'iam';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TASK_ROLE = 'arn:aws:iam::000000000000:role/app-task';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/app-exec';
const env = useControlPlane({ heartbeatIntervalMs: 100 }, async ({ ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const containerDefinitions = [{ name: 'app', image: 'busybox', memory: 16 }];
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'roles', taskRoleArn: TASK_ROLE, executionRoleArn: EXEC_ROLE, containerDefinitions }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'plain', containerDefinitions }));
});
const current = useAgentPerTest(env, CLUSTER);

const run = async (family: string) => (await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family }))).tasks![0]!.taskArn!;

describe('IAMRoleCredentialsMessage', () => {
  it('follows the payload with fake-but-well-formed credentials for each role', async () => {
    const taskArn = await run('roles');
    const payload = await current.agent.nextPayload();
    const app = await current.agent.next('IAMRoleCredentialsMessage');
    const exec = await current.agent.next('IAMRoleCredentialsMessage');
    expect(current.agent.frames.indexOf(payload)).toBeLessThan(current.agent.frames.indexOf(app));

    const task = payload.message.tasks[0] as AcsTaskWithCredentials;
    expect(task.roleCredentials).toEqual({ credentialsId: expect.stringMatching(UUID), roleArn: TASK_ROLE });
    expect(task.executionRoleCredentials).toEqual({ credentialsId: expect.stringMatching(UUID), roleArn: EXEC_ROLE });
    expect(task.roleCredentials!.credentialsId).not.toBe(task.executionRoleCredentials!.credentialsId);

    const expiresNear = Date.now() + 3600_000;
    for (const [frame, roleType, ref] of [[app, 'TaskApplication', task.roleCredentials!], [exec, 'TaskExecution', task.executionRoleCredentials!]] as const) {
      expect(frame.message).toEqual({
        messageId: expect.stringMatching(UUID),
        taskArn,
        roleType,
        roleCredentials: {
          credentialsId: ref.credentialsId,
          roleArn: ref.roleArn,
          accessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
          secretAccessKey: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/),
          sessionToken: expect.stringMatching(/^FAKE[A-Za-z0-9+/=]{100,}$/),
          expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        },
      });
      expect(Math.abs(Date.parse(frame.message.roleCredentials!.expiration!) - expiresNear)).toBeLessThan(5000);
    }
    expect(app.message.roleCredentials!.secretAccessKey).not.toBe(exec.message.roleCredentials!.secretAccessKey);
    await current.agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });

  it('re-sends credentials the agent has not acknowledged when it reconnects, and only those', async () => {
    const taskArn = await run('roles');
    await current.agent.nextPayload();
    const app = await current.agent.next('IAMRoleCredentialsMessage');
    const exec = await current.agent.next('IAMRoleCredentialsMessage');
    current.agent.send({ type: 'IAMRoleCredentialsAckRequest', message: { messageId: app.message.messageId, expiration: app.message.roleCredentials!.expiration, credentialsId: app.message.roleCredentials!.credentialsId } });
    await new Promise((r) => setTimeout(r, 50));
    await current.agent.disconnect();
    await current.agent.connect();
    const resent = await current.agent.next('IAMRoleCredentialsMessage');
    expect(resent).toEqual(exec); // byte-identical resend: same messageId, same credentials
    await expect(current.agent.next('IAMRoleCredentialsMessage', 300)).rejects.toThrow(/no IAMRoleCredentialsMessage/);

    // Stopping the task drops what is still pending and sends no new credentials.
    await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
    const stop = await current.agent.nextPayload();
    const stopTask = stop.message.tasks[0] as AcsTaskWithCredentials;
    expect(stopTask.desiredStatus).toBe('STOPPED');
    expect(stopTask.roleCredentials).toBeUndefined();
    await current.agent.disconnect();
    await current.agent.connect();
    await expect(current.agent.next('IAMRoleCredentialsMessage', 300)).rejects.toThrow(/no IAMRoleCredentialsMessage/);
    await current.agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });

  it('sends no credentials for a task definition without roles', async () => {
    const taskArn = await run('plain');
    const payload = await current.agent.nextPayload();
    const task = payload.message.tasks[0] as AcsTaskWithCredentials;
    expect('roleCredentials' in task || 'executionRoleCredentials' in task).toBe(false);
    await expect(current.agent.next('IAMRoleCredentialsMessage', 300)).rejects.toThrow(/no IAMRoleCredentialsMessage/);
    await current.agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });
});
