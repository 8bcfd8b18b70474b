// The agent-facing wire as the real agent v1.83.0 uses it (capture main.traffic.jsonl): raw
// RegisterContainerInstance/DiscoverPollEndpoint bodies, the ACS websocket handshake and its
// in-band errors, connection replacement, and TCS frames with their signed header block.
import { CreateClusterCommand, DescribeContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import pino from 'pino';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../../src/control-plane/index.ts';
import { signWebsocketUpgrade } from '../../src/protocol/sigv4-websocket.ts';
import { signTcsFrame } from '../../src/protocol/tcs-frames.ts';
import { CREDENTIALS, FakeAgent, REGION, eventually } from './fake-agent.ts';
import { useControlPlane } from './control-plane-fixture.ts';

const env = useControlPlane({ heartbeatIntervalMs: 150, accountId: '123456789012', region: 'us-west-2' }, async ({ ecs }) => {
  await ecs.send(new CreateClusterCommand({ clusterName: 'ecsref' }));
});

/** A signed raw JSON 1.1 call, as the Go agent sends it. */
async function rawCall(op: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(env.cp.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AmazonEC2ContainerServiceV20141113.${op}`,
      'X-Amz-Date': '20261122T234049Z',
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-west-2/ecs/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=${'1e'.repeat(32)}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const CAPTURED_REGISTRATION = {
  attributes: [
    { name: 'ecs.capability.container-ordering' },
    { name: 'ecs.capability.full-sync' },
    { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.17' },
    { name: 'ecs.capability.external' },
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: 'x86_64' },
  ],
  clientToken: 'b939fc62-d44b-4503-a63f-71f02a71175d',
  cluster: 'ecsref',
  instanceIdentityDocument: '',
  instanceIdentityDocumentSignature: '',
  totalResources: [
    { integerValue: 2048, name: 'CPU', type: 'INTEGER' },
    { integerValue: 24105, name: 'MEMORY', type: 'INTEGER' },
    { name: 'PORTS', stringSetValue: ['22', '2375', '2376', '51678', '51679'], type: 'STRINGSET' },
    { name: 'PORTS_UDP', stringSetValue: [], type: 'STRINGSET' },
  ],
};

describe('agent API as the real agent calls it', () => {
  let arn = '';

  it('RegisterContainerInstance echoes attributes and resources', async () => {
    const r = await rawCall('RegisterContainerInstance', CAPTURED_REGISTRATION);
    expect(r.status).toBe(200);
    const ci = r.body.containerInstance as Record<string, unknown>;
    arn = ci.containerInstanceArn as string;
    expect(arn).toMatch(/^arn:aws:ecs:us-west-2:123456789012:container-instance\/ecsref\/[0-9a-f]{32}$/);
    expect(ci).toMatchObject({
      attributes: CAPTURED_REGISTRATION.attributes,
      registeredResources: CAPTURED_REGISTRATION.totalResources,
      remainingResources: CAPTURED_REGISTRATION.totalResources,
      status: 'ACTIVE', agentConnected: false, runningTasksCount: 0, pendingTasksCount: 0, version: 1,
    });
    expect(ci.ec2InstanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(typeof ci.registeredAt).toBe('number');
  });

  it('a retried registration with the same clientToken returns the same instance', async () => {
    const again = await rawCall('RegisterContainerInstance', CAPTURED_REGISTRATION);
    expect((again.body.containerInstance as { containerInstanceArn: string }).containerInstanceArn).toBe(arn);
  });

  it('re-registration with the saved containerInstanceArn keeps the ARN and bumps the version', async () => {
    const body = { ...CAPTURED_REGISTRATION, clientToken: 'e6a8f513-38b6-4776-ae28-5af9a8673cae', containerInstanceArn: arn, totalResources: CAPTURED_REGISTRATION.totalResources.map((r) => (r.name === 'CPU' ? { ...r, integerValue: 4096 } : r)) };
    const r = await rawCall('RegisterContainerInstance', body);
    const ci = r.body.containerInstance as Record<string, unknown>;
    expect(ci.containerInstanceArn).toBe(arn);
    expect(ci.version).toBe(2);
    expect((ci.registeredResources as Array<{ name: string; integerValue?: number }>)[0]!.integerValue).toBe(4096);
  });

  it('RegisterContainerInstance into a missing cluster is ClusterNotFoundException', async () => {
    const r = await rawCall('RegisterContainerInstance', { ...CAPTURED_REGISTRATION, cluster: 'nowhere', clientToken: 'x' });
    expect(r).toEqual({ status: 400, body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' } });
  });

  it('DiscoverPollEndpoint points ACS and TCS at this server', async () => {
    const r = await rawCall('DiscoverPollEndpoint', { cluster: 'ecsref', containerInstance: arn });
    expect(r.body).toEqual({ endpoint: `${env.cp.url}/acs/`, telemetryEndpoint: `${env.cp.url}/tcs/`, serviceConnectEndpoint: `${env.cp.url}/acs/` });
  });
});

function acsUrl(instanceArn: string, cluster = 'ecsref'): string {
  const u = new URL(`${env.cp.url.replace('http:', 'ws:')}/acs/ws`);
  u.searchParams.set('clusterArn', cluster);
  u.searchParams.set('containerInstanceArn', instanceArn);
  u.searchParams.set('protocolVersion', '2');
  return u.toString();
}

function firstFrameOrClose(ws: WebSocket): Promise<{ frame?: unknown; code?: number; status?: number }> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve({ frame: JSON.parse(String(d)) }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('close', (code) => resolve({ code }));
    ws.once('error', () => undefined);
  });
}

describe('ACS websocket', () => {
  it('refuses an unsigned upgrade with 403', async () => {
    const ws = new WebSocket(acsUrl('arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/x'));
    expect(await firstFrameOrClose(ws)).toEqual({ status: 403 });
  });

  it('answers an unknown instance with InvalidInstanceException, then closes', async () => {
    const url = acsUrl('arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/unknown');
    const ws = new WebSocket(url, { headers: await signWebsocketUpgrade({ url, region: REGION, credentials: CREDENTIALS }) });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const first = await firstFrameOrClose(ws);
    expect(first.frame).toMatchObject({ type: 'InvalidInstanceException', message: { message: expect.stringContaining('unknown') } });
    expect(await closed).toBe(1008);
  });

  it('sends the first heartbeat promptly and marks the instance connected; a second connection replaces the first', async () => {
    const agent = await FakeAgent.register({ url: env.cp.url, cluster: 'ecsref' });
    const t0 = Date.now();
    await agent.connect();
    const hb = await agent.next('HeartbeatMessage', 1500);
    expect(hb.message).toMatchObject({ healthy: true, messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(Date.now() - t0).toBeLessThan(1000);
    const describe = () => env.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'ecsref', containerInstances: [agent.containerInstanceArn] }));
    expect((await describe()).containerInstances![0]!.agentConnected).toBe(true);

    const oldSocket = agent.ws!;
    const oldClosed = new Promise<void>((resolve) => oldSocket.once('close', () => resolve()));
    await agent.connect(); // same instance, new socket
    await oldClosed;
    expect((await describe()).containerInstances![0]!.agentConnected).toBe(true);

    await env.ecs.send(new RegisterTaskDefinitionCommand({ family: 'one', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }] }));
    const run = await env.ecs.send(new RunTaskCommand({ cluster: 'ecsref', taskDefinition: 'one', startedBy: 'wire' }));
    expect(run.tasks![0]!.containerInstanceArn).toBe(agent.containerInstanceArn);
    expect((await agent.nextPayload()).message.tasks[0]!.arn).toBe(run.tasks![0]!.taskArn);

    await agent.close();
    await eventually(async () => expect((await describe()).containerInstances![0]!.agentConnected).toBe(false));
  });

  it('refuses upgrades on unknown paths', async () => {
    const url = `${env.cp.url.replace('http:', 'ws:')}/nope/ws`;
    const ws = new WebSocket(url, { headers: await signWebsocketUpgrade({ url, region: REGION, credentials: CREDENTIALS }) });
    expect(await firstFrameOrClose(ws)).toEqual({ status: 404 });
  });
});

describe('TCS websocket', () => {
  it('strips the signed header block and acks each publish type; heartbeats', async () => {
    const instance = 'arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/abc';
    const url = `${env.cp.url.replace('http:', 'ws:')}/tcs/ws?cluster=ecsref&containerInstance=${encodeURIComponent(instance)}&agentVersion=1.83.0`;
    const ws = new WebSocket(url, { headers: await signWebsocketUpgrade({ url, region: REGION, credentials: CREDENTIALS }) });
    const frames: Array<{ type: string; message: unknown }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as { type: string; message: unknown }));
    await new Promise((resolve) => ws.once('open', resolve));
    const host = new URL(env.cp.url).host;
    const send = async (doc: unknown) => ws.send(await signTcsFrame({ host, region: REGION, credentials: CREDENTIALS, json: JSON.stringify(doc) }));
    const metadata = { cluster: 'ecsref', containerInstance: instance };
    await send({ type: 'PublishMetricsRequest', message: { metadata: { ...metadata, fin: true, idle: true, messageId: 'm1' }, timestamp: 1795390849.148 } });
    await send({ type: 'PublishInstanceStatusRequest', message: { metadata: { ...metadata, requestId: 'r1' }, statuses: [{ type: 'ContainerRuntime', status: 'OK', lastStatusChange: 1, lastUpdated: 1 }], timestamp: 1 } });
    await send({ type: 'PublishHealthRequest', message: { metadata: { ...metadata, fin: true, messageId: 'h1' }, tasks: [], timestamp: 1 } });
    ws.send('{"type":"PublishMetricsRequest","message":{}}'); // unsigned: dropped, not acked
    await eventually(() => expect(frames.filter((f) => f.type === 'HeartbeatMessage').length).toBeGreaterThanOrEqual(1), 2000);
    const acks = frames.filter((f) => f.type !== 'HeartbeatMessage');
    expect(acks).toEqual([
      { type: 'AckPublishMetric', message: { message: '' } },
      { type: 'AckPublishInstanceStatus', message: { message: '' } },
      { type: 'AckPublishHealth', message: { message: '' } },
    ]);
    expect(frames.find((f) => f.type === 'HeartbeatMessage')).toEqual({ type: 'HeartbeatMessage', message: { healthy: true } });
    ws.close();
  });
});

describe('requireSignature: false', () => {
  it('accepts unsigned API calls and websocket upgrades', async () => {
    const open = await startControlPlane({ logger: pino({ level: 'silent' }), requireSignature: false });
    try {
      const res = await fetch(open.url, { method: 'POST', headers: { 'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.CreateCluster' }, body: '{"clusterName":"c"}' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { cluster: { clusterArn: string } }).cluster.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/c');
      const ws = new WebSocket(`${open.url.replace('http:', 'ws:')}/acs/ws?clusterArn=c&containerInstanceArn=nope`);
      const first = await firstFrameOrClose(ws);
      expect(first.frame).toMatchObject({ type: 'InvalidInstanceException' }); // upgraded, then told in-band
    } finally {
      await open.close();
    }
  });
});
