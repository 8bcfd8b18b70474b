// Lifecycle across a kill -9 of the real `dockhand agent` process (control plane and agent as
// separate processes, real Docker): a stopped task is still cleaned up on its original schedule by
// the restarted agent, and a container killed or removed while the agent was down is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { docker, dockerContainersByName, eventually, sleep, startDurability, type Durability } from '../agent-durability/durability-harness.ts';
import { waitConnected } from '../agent-durability/kill-chaos.ts';
import { VANISHED_REASON } from '../../src/agent/reconcile/reconcile-plan.ts';

const WAIT_MS = 8_000;
const AGENT_ENV = { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: `${WAIT_MS}ms` };
let h: Durability;
beforeAll(async () => {
  h = await startDurability('lifecycle-restart');
  await h.registerSleeper('sleeper');
  h.startAgent(AGENT_ENV);
  await waitConnected(h);
}, 60_000);
afterAll(async () => { await h?.close(); });

async function run(): Promise<{ arn: string; id: string }> {
  const r = await h.client.send(new RunTaskCommand({ cluster: h.cluster, taskDefinition: 'sleeper' }));
  const arn = r.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(r.failures)}`);
  h.taskArns.push(arn);
  await eventually(async () => (await h.describe([arn]))[0]?.lastStatus === 'RUNNING', 20_000, 'the task to run');
  const id = (await h.describe([arn]))[0]!.containers![0]!.runtimeId!;
  return { arn, id };
}

async function restartAgent(whileDown: () => Promise<unknown> = async () => undefined): Promise<void> {
  await h.killAgent();
  await whileDown();
  h.startAgent(AGENT_ENV);
  await waitConnected(h);
}

describe('across an agent kill -9', () => {
  it('a stopped task is cleaned up on the schedule it had before the restart', async () => {
    const { arn } = await run();
    await h.client.send(new StopTaskCommand({ cluster: h.cluster, task: arn, reason: 'cleanup across restart' }));
    // STOPPED in DescribeTasks: the agent's report was acknowledged, so the cleanup clock runs.
    await eventually(async () => (await h.describe([arn]))[0]?.lastStatus === 'STOPPED', 20_000, 'the task to stop');
    const stoppedAt = Date.now();
    await sleep(3_000);
    const restartedAt = Date.now();
    await restartAgent();
    await eventually(async () => (await dockerContainersByName(arn)).size === 0, WAIT_MS + 10_000, 'the containers to be removed');
    const goneAt = Date.now();
    expect(goneAt - stoppedAt).toBeGreaterThanOrEqual(WAIT_MS - 500);
    // Due WAIT_MS after the stop: well before a clock restarted by the restart would be.
    expect(goneAt - restartedAt).toBeLessThan(WAIT_MS - 1_000);
    expect(h.agentOutput()).toContain('task cleaned up: containers and task volumes removed, task forgotten');
  }, 60_000);

  it.each([
    ['docker kill', (id: string) => docker.getContainer(id).kill(), { exitCode: 137 }],
    ['docker rm -f', (id: string) => docker.getContainer(id).remove({ force: true }), { reason: VANISHED_REASON }],
  ] as const)('%s while the agent is down: the restarted agent reports the task STOPPED', async (_how, act, expected) => {
    const { arn, id } = await run();
    await restartAgent(() => act(id));
    await eventually(async () => (await h.describe([arn]))[0]?.lastStatus === 'STOPPED', 20_000, 'the task to be reported STOPPED');
    const t = (await h.describe([arn]))[0]!;
    expect(t.containers![0]).toMatchObject({ lastStatus: 'STOPPED', runtimeId: id, ...expected });
    expect(t.stoppedReason).toBe('Essential container in task exited');
  }, 60_000);
});
