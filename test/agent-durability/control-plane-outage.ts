// The control plane's API unreachable for a while (CI: 10 s; npm run test:chaos: 60 s) while a task
// stops: the container stays stopped in Docker (nothing retries it into life), the STOPPED change
// waits in the durable outbox, and once the API is back every transition arrives, once each, in order.
import { expect } from 'vitest';
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { dockerContainersByName, docker, eventually, sleep, type Durability } from './durability-harness.ts';
import { waitConnected } from './kill-chaos.ts';

/** Runs the outage scenario on a started durability harness; `outageMs` is how long the API is down. */
export async function controlPlaneOutage(d: Durability, outageMs: number): Promise<void> {
  await d.registerSleeper('cp-down');
  d.startAgent();
  await waitConnected(d);
  const arn = (await d.client.send(new RunTaskCommand({ cluster: d.cluster, taskDefinition: 'cp-down' }))).tasks![0]!.taskArn!;
  d.taskArns.push(arn);
  await eventually(async () => (await d.describe([arn]))[0]?.lastStatus === 'RUNNING', 20_000, 'RUNNING');
  const id = (await d.describe([arn]))[0]!.containers![0]!.runtimeId!;

  d.setApiDown(true);
  const downAt = Date.now();
  // StopTask goes to the control plane directly; it reaches the agent over ACS (still up).
  await d.client.send(new StopTaskCommand({ cluster: d.cluster, task: arn, reason: 'outage test' }));
  await eventually(async () => !(await docker.getContainer(id).inspect()).State.Running, 10_000, 'the container to stop');
  await sleep(Math.max(0, outageMs - (Date.now() - downAt)));
  // At the end of the outage: still stopped, still one container, and the report has not got through.
  const during = await docker.getContainer(id).inspect();
  expect(during.State.Running).toBe(false);
  expect(during.State.ExitCode).toBe(0);
  expect([...(await dockerContainersByName(arn)).get('main')!].map((c) => c.id)).toEqual([id]);
  expect((await d.describe([arn]))[0]!.lastStatus).toBe('RUNNING');
  expect(d.submitted.filter((s) => s.task === arn).map((s) => s.status)).toEqual(['RUNNING']);

  d.setApiDown(false);
  await eventually(async () => (await d.describe([arn]))[0]?.lastStatus === 'STOPPED', 40_000, 'STOPPED after the outage');
  await sleep(500);
  const seen = d.submitted.filter((s) => s.task === arn);
  expect(seen.map((s) => s.status)).toEqual(['RUNNING', 'STOPPED']);
  expect(seen[1]!.containers[0]).toMatchObject({ containerName: 'main', runtimeId: id, status: 'STOPPED', exitCode: 0 });
  expect(seen[1]!.at).toBeGreaterThan(downAt + outageMs);
  const t = (await d.describe([arn]))[0]!;
  expect(t.containers![0]!.exitCode).toBe(0);
  expect((await docker.getContainer(id).inspect()).State.Running).toBe(false);
  expect(await d.stopAgent()).toBe(0);
}
