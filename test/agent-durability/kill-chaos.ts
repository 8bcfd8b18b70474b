// The kill -9 scenario shared by the CI form (test/agent-durability) and the long form
// (test/chaos, `npm run test:chaos`): tasks start and stop while the agent is killed with SIGKILL
// at random points and restarted on the same data dir. Afterwards: one container per (task,
// container), every task in its desired state, every transition received exactly once, in order.
import { expect } from 'vitest';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { dockerContainersByName, eventually, seeded, sleep, startDurability, type Durability } from './durability-harness.ts';

export interface ChaosOptions { tasks: number; kills: number; seed: number; settleMs: number }

type Action = { type: 'run'; task: number } | { type: 'stop'; task: number } | { type: 'kill'; delayMs: number };

/** Runs, stops and kills in a seeded random order; each stop comes after its task's run. */
export function chaosPlan(o: ChaosOptions): Action[] {
  const rnd = seeded(o.seed);
  const plan: Action[] = [];
  for (let t = 0; t < o.tasks; t++) plan.push({ type: 'run', task: t });
  for (let t = 0; t < o.tasks; t += 2) {
    const after = plan.findIndex((a) => a.type === 'run' && a.task === t);
    plan.splice(after + 1 + Math.floor(rnd() * (plan.length - after)), 0, { type: 'stop', task: t });
  }
  for (let k = 0; k < o.kills; k++) plan.splice(1 + Math.floor(rnd() * plan.length), 0, { type: 'kill', delayMs: Math.floor(rnd() * 1200) });
  return plan;
}

export async function waitConnected(h: Durability): Promise<void> {
  await eventually(async () => {
    const list = await h.client.send(new ListContainerInstancesCommand({ cluster: h.cluster }));
    if (!list.containerInstanceArns?.length) return false;
    const d = await h.client.send(new DescribeContainerInstancesCommand({ cluster: h.cluster, containerInstances: list.containerInstanceArns }));
    return (d.containerInstances ?? []).some((ci) => ci.agentConnected);
  }, 20_000, 'the agent to connect');
}

/** What makes two reports the same report: status and every container's reported state. */
function reportKey(s: { status: string; containers: unknown }): string {
  return JSON.stringify([s.status, s.containers]);
}

export async function runKillChaos(o: ChaosOptions): Promise<{ kills: number; submitted: number }> {
  const h = await startDurability(`chaos-${o.seed}`);
  try {
    await h.registerSleeper('chaos');
    h.startAgent();
    await waitConnected(h);
    const stopped = new Set<number>();
    const arns: string[] = [];
    let kills = 0;
    for (const action of chaosPlan(o)) {
      switch (action.type) {
        case 'run': {
          const r = await h.client.send(new RunTaskCommand({ cluster: h.cluster, taskDefinition: 'chaos' }));
          const arn = r.tasks?.[0]?.taskArn;
          if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(r.failures)}`);
          arns[action.task] = arn;
          h.taskArns.push(arn);
          break;
        }
        case 'stop':
          await h.client.send(new StopTaskCommand({ cluster: h.cluster, task: arns[action.task]!, reason: 'chaos' }));
          stopped.add(action.task);
          break;
        case 'kill':
          // Somewhere inside whatever the agent is doing: pulling, creating, starting, stopping, reporting.
          await sleep(action.delayMs);
          await h.killAgent();
          kills += 1;
          h.startAgent();
          await waitConnected(h); // RunTask places only on a connected instance
          break;
      }
    }
    // Every task reaches its desired state, as the control plane sees it.
    await eventually(async () => {
      const tasks = await h.describe(arns);
      return tasks.length === arns.length && tasks.every((t) => t.lastStatus === t.desiredStatus);
    }, o.settleMs, 'every task to reach its desired status');
    await sleep(500); // anything still queued would arrive now (and fail the exactly-once check)

    const described = new Map((await h.describe(arns)).map((t) => [t.taskArn!, t]));
    let resends = 0;
    for (const [i, arn] of arns.entries()) {
      const task = described.get(arn)!;
      const want = stopped.has(i) ? 'STOPPED' : 'RUNNING';
      expect(task.lastStatus, `task ${i}`).toBe(want);
      // Docker: never two containers for one (task, container).
      const byName = await dockerContainersByName(arn);
      for (const [name, list] of byName) expect(list.length, `containers of task ${i} named ${name}`).toBe(1);
      const only = byName.get('main')?.[0];
      if (want === 'RUNNING') expect(only?.state, `task ${i} in Docker`).toBe('running');
      else if (only) expect(only.state, `task ${i} in Docker`).not.toBe('running');
      // The wire: each transition exactly once, RUNNING before STOPPED. One exception is inherent
      // to any at-least-once sender: a kill after the control plane answered but before the agent
      // removed the outbox row re-sends that same report on restart. Such a re-send is byte-for-byte
      // the same report and the control plane applies it idempotently (issue 6: "duplicates are
      // harmless"), so identical consecutive reports collapse, and there can be no more of them than kills.
      const raw = h.submitted.filter((s) => s.task === arn);
      const seen = raw.filter((s, j) => j === 0 || reportKey(s) !== reportKey(raw[j - 1]!));
      resends += raw.length - seen.length;
      const statuses = seen.map((s) => s.status);
      if (want === 'RUNNING') {
        expect(statuses, `reports of task ${i}`).toEqual(['RUNNING']);
        expect(seen[0]!.containers[0]!.runtimeId).toBe(only!.id);
        expect(task.containers?.[0]?.runtimeId).toBe(only!.id);
      } else {
        expect([[], ['STOPPED'], ['RUNNING', 'STOPPED']], `reports of task ${i}`).toContainEqual(statuses);
        if (only) expect(statuses.at(-1), `task ${i} had a container`).toBe('STOPPED');
        if (only && statuses.includes('RUNNING')) expect(seen.at(-1)!.containers[0]!.runtimeId).toBe(only.id);
      }
    }
    expect(resends, 're-sent reports (at most one per kill)').toBeLessThanOrEqual(kills);
    if (process.env.CHAOS_VERBOSE) {
      process.stdout.write(`plan ${JSON.stringify(chaosPlan(o))}\nrestored: ${h.agentOutput().split('\n').filter((l) => l.includes('restored task')).length}, adopted-by-name/label changes: ${h.agentOutput().split('\n').filter((l) => /"changes":\[\{/.test(l)).length}\n`);
    }
    expect(await h.stopAgent()).toBe(0);
    return { kills, submitted: h.submitted.length };
  } catch (err) {
    process.stderr.write(`chaos seed ${o.seed} failed; agent output tail:\n${h.agentOutput().slice(-4000)}\n`);
    throw err;
  } finally {
    await h.close();
  }
}
