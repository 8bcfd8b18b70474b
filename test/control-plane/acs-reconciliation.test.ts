// TaskManifestMessage and TaskStopVerification over the real ACS websocket: the manifest lists
// what the control plane believes runs on the instance, its timeline shares the payload seqNum
// counter (capture: payload 1, manifest 2, payload 3), and stop verifications are confirmed only
// for tasks the control plane does not want RUNNING.
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { useAgentPerTest, useControlPlane } from './control-plane-fixture.ts';

const CLUSTER = 'recon';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const clusterArn = `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`;

// A long heartbeat timeout: some tests hold acks back on purpose.
const env = useControlPlane({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 10_000, manifestIntervalMs: 300 }, async ({ ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 16 }] }));
});
const current = useAgentPerTest(env, CLUSTER);

const run = async () => (await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'app' }))).tasks![0]!.taskArn!;

describe('TaskManifestMessage', () => {
  it('lists the instance tasks that are not STOPPED, on the payload seqNum timeline', async () => {
    const t0 = Date.now();
    const taskArn = await run();
    const payload = await current.agent.nextPayload();
    expect(payload.message.seqNum).toBe(1);

    const manifest = await current.agent.next('TaskManifestMessage', 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250); // on the interval, not on connect
    expect(manifest.message).toEqual({
      clusterArn,
      containerInstanceArn: current.agent.containerInstanceArn,
      messageId: expect.stringMatching(UUID),
      generatedAt: expect.any(Number),
      timeline: 2,
      tasks: [{ taskArn, taskClusterArn: clusterArn, desiredStatus: 'RUNNING' }],
    });
    expect(Math.abs(manifest.message.generatedAt! - Date.now() / 1000)).toBeLessThan(5);

    await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
    expect((await current.agent.nextPayload()).message.seqNum).toBe(3);
    // Still on the instance until the agent reports it STOPPED: listed, at desiredStatus STOPPED.
    const stopping = await current.agent.next('TaskManifestMessage', 1000);
    expect(stopping.message.timeline).toBe(4);
    expect(stopping.message.tasks).toEqual([{ taskArn, taskClusterArn: clusterArn, desiredStatus: 'STOPPED' }]);

    await current.agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
    const after = await current.agent.next('TaskManifestMessage', 1000);
    expect(after.message.timeline).toBe(5);
    expect(after.message.tasks).toEqual([]);
  });

  it("an AckRequest for a manifest does not acknowledge any payload", async () => {
    current.agent.autoAck = false;
    const taskArn = await run();
    const payload = await current.agent.nextPayload();
    const manifest = await current.agent.next('TaskManifestMessage', 1000);
    current.agent.ack(manifest.message.messageId);
    await new Promise((r) => setTimeout(r, 50));
    await current.agent.disconnect();
    current.agent.autoAck = true;
    await current.agent.connect();
    const resent = await current.agent.nextPayload();
    expect(resent.message.messageId).toBe(payload.message.messageId); // still pending
    await current.agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });
});

describe('TaskStopVerificationMessage', () => {
  it('confirms unknown tasks and tasks desired STOPPED, never a task wanted RUNNING', async () => {
    const running = await run();
    const stopped = await run();
    await env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: stopped }));
    const unknown = `arn:aws:ecs:us-east-1:000000000000:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;
    current.agent.send({
      type: 'TaskStopVerificationMessage',
      message: { messageId: 'verify-1', stopCandidates: [{ taskArn: running }, { taskArn: stopped }, { taskArn: unknown }] },
    });
    const ack = await current.agent.next('TaskStopVerificationAck', 1000);
    expect(ack.message).toEqual({
      generatedAt: expect.any(Number),
      messageId: 'verify-1',
      stopTasks: [{ taskArn: stopped, desiredStatus: 'STOPPED' }, { taskArn: unknown, desiredStatus: 'STOPPED' }],
    });
    expect(Math.abs(ack.message.generatedAt! - Date.now() / 1000)).toBeLessThan(5);

    current.agent.send({ type: 'TaskStopVerificationMessage', message: { messageId: 'verify-2', stopCandidates: [{ taskArn: running }] } });
    expect((await current.agent.next('TaskStopVerificationAck', 1000)).message).toMatchObject({ messageId: 'verify-2', stopTasks: [] });
    for (const t of [running, stopped]) await current.agent.report(t, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
  });
});
