// TCS telemetry read back: the latest PublishMetricsRequest per task and per instance, the latest
// PublishInstanceStatusRequest and PublishHealthRequest per instance, served by
// GET /dockhand/telemetry; container health also shows in DescribeTasks' healthStatus.
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { signWebsocketUpgrade } from '../../src/protocol/sigv4-websocket.ts';
import { signTcsFrame } from '../../src/protocol/tcs-frames.ts';
import { CREDENTIALS, REGION, eventually } from './fake-agent.ts';
import { connectedAgent, useControlPlane } from './control-plane-fixture.ts';

const CLUSTER = 'tele';
const env = useControlPlane({ heartbeatIntervalMs: 200 }, async ({ ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
});

/** A TCS connection that sends signed frames and waits for each ack, as the agent does. */
async function tcs(instanceArn: string): Promise<{ publish(doc: { type: string; message: unknown }): Promise<unknown>; close(): void }> {
  const url = `${env.cp.url.replace('http:', 'ws:')}/tcs/ws?cluster=${CLUSTER}&containerInstance=${encodeURIComponent(instanceArn)}`;
  const ws = new WebSocket(url, { headers: await signWebsocketUpgrade({ url, region: REGION, credentials: CREDENTIALS }) });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const host = new URL(env.cp.url).host;
  return {
    async publish(doc) {
      const ack = new Promise((resolve) => {
        const on = (d: WebSocket.RawData) => {
          const f = JSON.parse(String(d)) as { type: string };
          if (f.type !== 'HeartbeatMessage') { ws.off('message', on); resolve(f); }
        };
        ws.on('message', on);
      });
      ws.send(await signTcsFrame({ host, region: REGION, credentials: CREDENTIALS, json: JSON.stringify(doc) }));
      return ack;
    },
    close: () => ws.close(),
  };
}

async function telemetry(query = ''): Promise<{ instances: Record<string, Record<string, unknown>> }> {
  const res = await fetch(`${env.cp.url}/dockhand/telemetry${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  return (await res.json()) as { instances: Record<string, Record<string, unknown>> };
}

const stat = (n: number) => ({ max: n, min: n, sampleCount: 1, sum: n });
const metric = (taskArn: string, cpu: number) => ({
  taskArn, taskDefinitionFamily: 'app', taskDefinitionVersion: '1',
  containerMetrics: [{ containerName: 'app', cpuStatsSet: stat(cpu), memoryStatsSet: stat(1024) }],
});

describe('GET /dockhand/telemetry', () => {
  it('keeps the latest metrics per task, dropping tasks a complete report no longer lists', async () => {
    const instance = `arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/m1`;
    const other = `arn:aws:ecs:us-east-1:000000000000:container-instance/${CLUSTER}/m2`;
    const [a, b] = ['arn:aws:ecs:us-east-1:000000000000:task/tele/a', 'arn:aws:ecs:us-east-1:000000000000:task/tele/b'];
    const meta = (o: { fin: boolean; idle: boolean; id: string }) => ({ cluster: CLUSTER, containerInstance: instance, fin: o.fin, idle: o.idle, messageId: o.id });
    const t = await tcs(instance);
    const t2 = await tcs(other);
    const before = Date.now() / 1000;
    // One report in two frames (fin false, then fin true), then a report that lists only `a`.
    expect(await t.publish({ type: 'PublishMetricsRequest', message: { metadata: meta({ fin: false, idle: false, id: '1' }), taskMetrics: [metric(a, 10)], timestamp: 1 } })).toEqual({ type: 'AckPublishMetric', message: { message: '' } });
    await t.publish({ type: 'PublishMetricsRequest', message: { metadata: meta({ fin: true, idle: false, id: '2' }), taskMetrics: [metric(b, 20)], timestamp: 2 } });
    let view = (await telemetry()).instances[instance]!;
    expect((view.tasks as Array<{ taskArn: string }>).map((x) => x.taskArn)).toEqual([a, b]);
    await t.publish({ type: 'PublishMetricsRequest', message: { metadata: meta({ fin: true, idle: false, id: '3' }), taskMetrics: [metric(a, 30)], timestamp: 3 } });
    await t.publish({ type: 'PublishInstanceStatusRequest', message: { metadata: { cluster: CLUSTER, containerInstance: instance, requestId: 'r' }, statuses: [{ type: 'ContainerRuntime', status: 'OK', lastStatusChange: 5, lastUpdated: 6 }], timestamp: 7 } });
    await t2.publish({ type: 'PublishMetricsRequest', message: { metadata: { cluster: CLUSTER, containerInstance: other, fin: true, idle: true, messageId: 'x' }, timestamp: 8 } });

    view = (await telemetry()).instances[instance]!;
    expect(view).toEqual({
      cluster: CLUSTER,
      lastMetricsAt: expect.any(Number),
      idle: false,
      tasks: [{ ...metric(a, 30), receivedAt: expect.any(Number) }],
      instanceStatus: { statuses: [{ type: 'ContainerRuntime', status: 'OK', lastStatusChange: 5, lastUpdated: 6 }], timestamp: 7, receivedAt: expect.any(Number) },
      health: null,
    });
    expect(view.lastMetricsAt as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(view.lastMetricsAt as number).toBeLessThanOrEqual(Date.now() / 1000);

    const only = await telemetry(`?containerInstance=${encodeURIComponent(other)}`);
    expect(Object.keys(only.instances)).toEqual([other]);
    expect(only.instances[other]).toMatchObject({ idle: true, tasks: [], instanceStatus: null, health: null });
    t.close();
    t2.close();
  });
});

describe('PublishHealthRequest → DescribeTasks healthStatus', () => {
  it('shows the reported container health and the task health derived from essential containers', async () => {
    await env.ecs.send(new RegisterTaskDefinitionCommand({
      family: 'checked',
      containerDefinitions: [
        { name: 'web', image: 'busybox', memory: 16, healthCheck: { command: ['CMD-SHELL', 'true'] } },
        { name: 'side', image: 'busybox', memory: 16, essential: false },
      ],
    }));
    const agent = await connectedAgent({ url: env.cp.url, cluster: CLUSTER });
    const taskArn = (await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'checked' }))).tasks![0]!.taskArn!;
    const describe = async () => (await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!;
    const health = (web: string) => ({
      type: 'PublishHealthRequest',
      message: {
        metadata: { cluster: CLUSTER, containerInstance: agent.containerInstanceArn, fin: true, messageId: web },
        tasks: [{ taskArn, taskDefinitionFamily: 'checked', taskDefinitionVersion: '1', containers: [{ containerName: 'web', healthStatus: web, statusSince: 1795390869.1 }] }],
        timestamp: 1795390869.2,
      },
    });
    const before = await describe();
    expect(before.healthStatus).toBe('UNKNOWN');
    expect(before.containers!.map((c) => c.healthStatus)).toEqual(['UNKNOWN', 'UNKNOWN']);

    const t = await tcs(agent.containerInstanceArn);
    expect(await t.publish(health('HEALTHY'))).toEqual({ type: 'AckPublishHealth', message: { message: '' } });
    const healthy = await describe();
    expect(healthy.healthStatus).toBe('HEALTHY');
    expect(Object.fromEntries(healthy.containers!.map((c) => [c.name, c.healthStatus]))).toEqual({ web: 'HEALTHY', side: 'UNKNOWN' });
    expect((await telemetry()).instances[agent.containerInstanceArn]!.health).toEqual({ receivedAt: expect.any(Number), tasks: [health('HEALTHY').message.tasks[0]] });

    await t.publish(health('UNHEALTHY'));
    await eventually(async () => {
      const d = await describe();
      expect(d.healthStatus).toBe('UNHEALTHY');
      expect(d.containers!.find((c) => c.name === 'web')!.healthStatus).toBe('UNHEALTHY');
    });
    t.close();
    await agent.report(taskArn, 'STOPPED', [{ containerName: 'web', status: 'STOPPED', exitCode: 0 }]);
    await agent.close();
  });
});
