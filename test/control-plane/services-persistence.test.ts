// Services survive a control-plane restart (SQLite store): after close + start on the same data
// directory the service, its deployments and events answer the same, and the scheduler carries on
// — it replaces a task that stops after the restart, finishes a rolling deployment begun before it,
// and does not start a second copy of tasks it had already started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServiceCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, describe as suite, expect, it } from 'vitest';
import { cleanupsAfterEachTest, startWithClient } from './control-plane-fixture.ts';
import { Fleet, ServiceAgent, clusterWith, describe, eventMessages, eventually, waitStable } from './service-agents.ts';

const root = mkdtempSync(join(tmpdir(), 'dockhand-cp-services-'));
const cleanups = cleanupsAfterEachTest();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const start = (dataDir: string) => startWithClient({ dataDir, heartbeatIntervalMs: 1000, serviceSchedulerIntervalMs: 100 }, cleanups);

suite('services across a control-plane restart', () => {
  it('keep their record and their tasks, and the scheduler carries on', async () => {
    const dir = join(root, 'a');
    const fleet = new Fleet();
    const first = await start(dir);
    await clusterWith(first.ecs, 'p', ['web', 'web']);
    const agent = await ServiceAgent.start(fleet, { url: first.cp.url, cluster: 'p' });
    await first.ecs.send(new CreateServiceCommand({ cluster: 'p', serviceName: 'web', taskDefinition: 'web:1', desiredCount: 2, tags: [{ key: 'k', value: 'v' }] }));
    await waitStable(first.ecs, 'p', 'web');
    const before = await describe(first.ecs, 'p', 'web');
    const tasksBefore = [...fleet.live.keys()].sort();
    await agent.close();
    await first.cp.close();

    const second = await start(dir);
    const resumed = await ServiceAgent.resume(fleet, { url: second.cp.url, cluster: 'p' }, agent.arn);
    cleanups.push(() => resumed.close());
    const after = await describe(second.ecs, 'p', 'web');
    expect(after).toEqual(before);
    // Nothing was started twice: the same two tasks run, and the service is still steady.
    await new Promise((r) => setTimeout(r, 400));
    expect([...fleet.live.keys()].sort()).toEqual(tasksBefore);
    expect((await second.ecs.send(new ListTasksCommand({ cluster: 'p' }))).taskArns!.sort()).toEqual(tasksBefore);

    // A task that dies after the restart is replaced.
    await resumed.crash(tasksBefore[0]!);
    await eventually(async () => expect((await eventMessages(second.ecs, 'p', 'web')).filter((m) => m.startsWith('(service web) has started 1 tasks:'))).toHaveLength(1), 5000);
    await waitStable(second.ecs, 'p', 'web');
    expect(fleet.live.has(tasksBefore[0]!)).toBe(false);
    expect(fleet.live.size).toBe(2);
  });

  it('finish a rolling deployment that was under way when the control plane stopped', async () => {
    const dir = join(root, 'b');
    const fleet = new Fleet();
    // New tasks stay PENDING until the test lets them run: the deployment cannot finish before the restart.
    let hold = true;
    fleet.behaviour = (t) => (t.version === '2' && hold ? 'hold' : 'run');
    const first = await start(dir);
    await clusterWith(first.ecs, 'r', ['api', 'api']);
    const agent = await ServiceAgent.start(fleet, { url: first.cp.url, cluster: 'r' });
    await first.ecs.send(new CreateServiceCommand({ cluster: 'r', serviceName: 'api', taskDefinition: 'api:1', desiredCount: 2 }));
    await waitStable(first.ecs, 'r', 'api');
    await first.ecs.send(new UpdateServiceCommand({ cluster: 'r', service: 'api', taskDefinition: 'api:2' }));
    await eventually(() => expect([...fleet.live.values()].filter((t) => t.version === '2')).toHaveLength(2), 5000);
    const held = [...fleet.live.values()].filter((t) => t.version === '2').map((t) => t.arn);
    expect((await describe(first.ecs, 'r', 'api')).deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    await agent.close();
    await first.cp.close();

    const second = await start(dir);
    hold = false;
    const resumed = await ServiceAgent.resume(fleet, { url: second.cp.url, cluster: 'r' }, agent.arn);
    cleanups.push(() => resumed.close());
    // The held tasks start now (as a real agent would report them once their containers run).
    for (const arn of held) {
      await resumed.agent.report(arn, 'RUNNING', [{ containerName: 'app', status: 'RUNNING', runtimeId: 'x' }]);
      fleet.live.get(arn)!.running = true;
    }
    await waitStable(second.ecs, 'r', 'api');
    const svc = await describe(second.ecs, 'r', 'api');
    expect(svc.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: expect.stringMatching(/api:2$/) })]);
    // The same two new tasks carry the service: none was started again after the restart.
    expect([...fleet.live.keys()].sort()).toEqual([...held].sort());
  });
});
