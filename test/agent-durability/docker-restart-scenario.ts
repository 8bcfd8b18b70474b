// "The Docker engine restarted under load", shared by the CI form (test/agent-durability) and the
// long form (test/chaos): a real `dockhand agent` on a private second dockerd (second-dockerd.ts;
// the host's engine is never touched) whose daemon is SIGTERMed and started again on the same dirs
// while tasks run. Without --live-restore dockerd stops every container on its way down: each task
// must be reported STOPPED exactly once, with its exit code, and DescribeTasks must agree. With
// --live-restore the containers survive: nothing new may be reported. Either way the agent must
// come back to the engine (API and event stream) and keep serving RunTask and StopTask.
import { expect } from 'vitest';
import { RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { eventually, sleep, startDurability, TEST_IMAGE, TEST_LABEL, type Durability } from './durability-harness.ts';
import { waitConnected } from './kill-chaos.ts';
import type { SecondDockerd } from './second-dockerd.ts';

export interface DockerRestartOptions {
  /** Tasks running (`sleep 3600`) when each restart begins. */
  tasks: number;
  restarts: number;
  liveRestore: boolean;
  /** dockerd is killed with SIGKILL instead: its containers then die while the restarted daemon
   *  restores, before its event stream exists, so only the agent's re-inspection can see them. */
  crash?: boolean;
  /** This many more tasks are launched while the daemon is stopping or down (not with `crash`),
   *  so it goes down under the agent's pulls, creates and starts. */
  launchingDuringRestart?: number;
}

const FAMILY = 'dockerd-restart';
const RECONNECTED = 'Docker event stream reconnected';

export async function runDockerRestart(dockerd: SecondDockerd, o: DockerRestartOptions): Promise<void> {
  const h = await startDurability('dockerd-restart');
  try {
    await h.client.send(new RegisterTaskDefinitionCommand({
      family: FAMILY,
      // The second dockerd has no bridge of its own and lives in a private network namespace.
      networkMode: 'none',
      containerDefinitions: [{
        name: 'main', image: TEST_IMAGE, memory: 32, stopTimeout: 2, dockerLabels: { [TEST_LABEL]: h.runId },
        command: ['sleep', '3600'], // PID 1 ignores SIGTERM: dockerd's shutdown has to SIGKILL it
      }],
    }));
    const agent = h.startAgent({ DOCKER_HOST: dockerd.host });
    await waitConnected(h);

    for (let round = 1; round <= o.restarts; round++) {
      const steady = await runTasks(h, o.tasks);
      await untilAll(h, steady, 'RUNNING', 60_000);
      const idsBefore = await containerIds(dockerd, steady);
      const launching: string[] = [];
      const extra = o.launchingDuringRestart ?? 0;
      if (o.crash) await dockerd.crashRestart();
      else {
        // Half launched while the daemon is stopping (it still answers while it spends ~10 s
        // killing containers), half while it is down (their pulls and creates fail).
        const stopping = dockerd.stop();
        if (extra) launching.push(...await sleep(300).then(() => runTasks(h, Math.ceil(extra / 2))));
        await stopping;
        if (extra) { launching.push(...await runTasks(h, Math.floor(extra / 2))); await sleep(1000); }
        await dockerd.start();
      }
      await eventually(async () => reconnects(h) >= round, 30_000, `the agent to reconnect to dockerd (restart ${round})`);
      expect(agent.exitCode, 'the agent is still running').toBeNull();

      if (o.liveRestore) {
        await sleep(2000); // anything the agent wrongly made of the restart would be reported by now
        for (const arn of steady) expect(reports(h, arn), `reports of ${arn}`).toEqual(['RUNNING']);
        for (const t of await h.describe(steady)) expect(t.lastStatus).toBe('RUNNING');
        const idsAfter = await containerIds(dockerd, steady);
        expect(idsAfter).toEqual(idsBefore);
        for (const ids of idsAfter.values()) expect((await dockerd.docker.getContainer(ids[0]!).inspect()).State.Running).toBe(true);
        // Still the agent's to stop: StopTask works on the containers that lived through it.
        await stopTasks(h, steady);
      }
      await untilAll(h, [...steady, ...launching], 'STOPPED', 90_000);
      await sleep(500); // a duplicate report still queued would arrive now

      const described = new Map((await h.describe([...steady, ...launching])).map((t) => [t.taskArn!, t]));
      for (const arn of steady) {
        const ids = idsBefore.get(arn)!;
        expect(ids.length, `containers of ${arn} before the restart`).toBe(1);
        checkStopped(h, arn, described.get(arn)!, ['RUNNING', 'STOPPED'], ids[0]);
      }
      for (const arn of launching) {
        // Caught mid-launch: either it started (and was then killed with the daemon) or its
        // create/start failed; never RUNNING twice, never STOPPED twice.
        const seen = reports(h, arn);
        if (process.env.CHAOS_VERBOSE) process.stdout.write(`restart ${round}, launching ${arn}: ${seen.join(',')} ${described.get(arn)?.stoppedReason ?? ''}\n`);
        expect([['STOPPED'], ['RUNNING', 'STOPPED']], `reports of ${arn}`).toContainEqual(seen);
        checkStopped(h, arn, described.get(arn)!, seen);
      }
      // Docker: never a second container for a task, none left running.
      const ids = await containerIds(dockerd, [...steady, ...launching]);
      for (const [arn, list] of ids) expect(list.length, `containers of ${arn}`).toBeLessThanOrEqual(1);
      const running = await dockerd.docker.listContainers({ filters: { label: [`${TEST_LABEL}=${h.runId}`] } });
      expect(running.map((c) => c.Id)).toEqual([]);
    }

    // Still serving after the last restart: a new task starts, and its container's death (dockerd
    // killing it, not the agent stopping it) reaches the agent only through the new event stream.
    const [fresh] = await runTasks(h, 1);
    await untilAll(h, [fresh!], 'RUNNING', 60_000);
    const freshId = (await containerIds(dockerd, [fresh!])).get(fresh!)![0]!;
    await dockerd.docker.getContainer(freshId).kill({ signal: 'SIGKILL' });
    await untilAll(h, [fresh!], 'STOPPED', 20_000);
    await sleep(300);
    const [described] = await h.describe([fresh!]);
    checkStopped(h, fresh!, described!, ['RUNNING', 'STOPPED'], freshId);
    expect(described!.containers?.[0]?.exitCode).toBe(137);

    expect(agent.exitCode, 'the agent is still running').toBeNull();
    expect(await h.stopAgent()).toBe(0);
    if (process.env.CHAOS_VERBOSE) process.stdout.write(`agent output:\n${h.agentOutput()}\n`);
  } catch (err) {
    process.stderr.write(`dockerd-restart failed; agent output tail:\n${h.agentOutput().slice(-6000)}\ndockerd log tail:\n${dockerd.log()}\n`);
    throw err;
  } finally {
    await h.close();
  }
}

async function runTasks(h: Durability, n: number): Promise<string[]> {
  const arns: string[] = [];
  while (arns.length < n) {
    const count = Math.min(10, n - arns.length); // RunTask's own limit
    const r = await h.client.send(new RunTaskCommand({ cluster: h.cluster, taskDefinition: FAMILY, count }));
    const placed = (r.tasks ?? []).map((t) => t.taskArn!);
    if (placed.length !== count) throw new Error(`RunTask placed ${placed.length} of ${count}: ${JSON.stringify(r.failures)}`);
    arns.push(...placed);
  }
  return arns;
}

async function stopTasks(h: Durability, arns: string[]): Promise<void> {
  for (const task of arns) await h.client.send(new StopTaskCommand({ cluster: h.cluster, task, reason: 'after the dockerd restart' }));
}

function untilAll(h: Durability, arns: string[], status: string, ms: number): Promise<void> {
  return eventually(async () => {
    const tasks = await h.describe(arns);
    return tasks.length === arns.length && tasks.every((t) => t.lastStatus === status);
  }, ms, `${arns.length} tasks to be ${status}`);
}

const reports = (h: Durability, arn: string): string[] => h.submitted.filter((s) => s.task === arn).map((s) => s.status);
const reconnects = (h: Durability): number => h.agentOutput().split('\n').filter((l) => l.includes(RECONNECTED)).length;

/** Task ARN → ids of its containers on the second dockerd. */
async function containerIds(dockerd: SecondDockerd, arns: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(arns.map((a) => [a, []]));
  for (const c of await dockerd.docker.listContainers({ all: true, filters: { label: ['com.amazonaws.ecs.task-arn'] } })) {
    out.get(c.Labels['com.amazonaws.ecs.task-arn'] ?? '')?.push(c.Id);
  }
  return out;
}

/** Reported exactly `want`; a container that ran is STOPPED with an exit code, as DescribeTasks says too. */
function checkStopped(h: Durability, arn: string, described: Task, want: string[], dockerId?: string): void {
  const seen = h.submitted.filter((s) => s.task === arn);
  expect(seen.map((s) => s.status), `reports of ${arn}`).toEqual(want);
  expect(described.lastStatus, `DescribeTasks of ${arn}`).toBe('STOPPED');
  if (!want.includes('RUNNING')) return;
  const last = seen.at(-1)!.containers[0]!;
  if (dockerId) expect(last.runtimeId, `runtime id of ${arn}`).toBe(dockerId);
  expect(last.exitCode, `exit code of ${arn}`).toBeTypeOf('number');
  expect(described.containers?.[0]?.exitCode, `DescribeTasks exit code of ${arn}`).toBe(last.exitCode);
}
