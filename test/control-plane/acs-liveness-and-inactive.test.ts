// The ACS connection's end of life: an agent that stops acking heartbeats (or sends nothing at
// all) is closed with 1008 and shows disconnected; a deregistered instance is told
// InactiveInstanceException, both while connected and when it connects again.
import { CreateClusterCommand, DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import pino from 'pino';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { FakeAgent, ecsClient } from './fake-agent.ts';

const CLUSTER = 'live';
let cp: RunningControlPlane | undefined;
let ecs: ECSClient | undefined;
const agents: FakeAgent[] = [];

async function start(o: { heartbeatIntervalMs: number; heartbeatTimeoutMs?: number }): Promise<{ cp: RunningControlPlane; ecs: ECSClient }> {
  cp = await startControlPlane({ logger: pino({ level: 'silent' }), ...o });
  ecs = ecsClient(cp.url);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  return { cp, ecs };
}

async function connectedAgent(url: string, autoAck = true): Promise<FakeAgent> {
  const agent = await FakeAgent.register({ url, cluster: CLUSTER, autoAck });
  agents.push(agent);
  await agent.connect();
  return agent;
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })));
}

async function agentConnected(client: ECSClient, arn: string): Promise<boolean | undefined> {
  const out = await client.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }));
  return out.containerInstances![0]!.agentConnected;
}

afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
  ecs?.destroy();
  await cp?.close();
  cp = undefined;
});

describe('heartbeat acks', () => {
  it('keeps an agent that acks every heartbeat; closes one that does not ack within the timeout', async () => {
    const { cp, ecs } = await start({ heartbeatIntervalMs: 100 }); // timeout: 3 intervals = 300 ms
    const good = await connectedAgent(cp.url);
    // Talks (so the silence rule never fires) but never acks a heartbeat.
    const bad = await connectedAgent(cp.url, false);
    const t0 = Date.now();
    const chatter = setInterval(() => bad.send({ type: 'TaskStopVerificationMessage', message: { messageId: 'x', stopCandidates: [] } }), 50);
    const badClosed = await closeOf(bad.ws!).finally(() => clearInterval(chatter));
    expect(badClosed.code).toBe(1008);
    expect(badClosed.reason).toMatch(/^HeartbeatMessage [0-9a-f-]{36} not acknowledged within 300 ms$/);
    // First heartbeat at 100 ms, unacked for 300 ms: closed at about 400 ms.
    expect(badClosed.at - t0).toBeGreaterThanOrEqual(350);
    expect(badClosed.at - t0).toBeLessThan(1500);
    expect(await agentConnected(ecs, bad.containerInstanceArn)).toBe(false);

    await new Promise((r) => setTimeout(r, 500)); // well past the timeout
    expect(good.ws!.readyState).toBe(WebSocket.OPEN);
    expect(await agentConnected(ecs, good.containerInstanceArn)).toBe(true);
    expect(good.frames.filter((f) => f.type === 'HeartbeatMessage').length).toBeGreaterThanOrEqual(8);
  });

  it('closes a connection that sends nothing at all for the timeout, even before any heartbeat', async () => {
    // Heartbeats every 5 s (first after 1 s) but a 300 ms timeout: only the silence rule can fire.
    const { cp, ecs } = await start({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 300 });
    const silent = await connectedAgent(cp.url, false);
    const t0 = Date.now();
    const closed = await closeOf(silent.ws!);
    expect(closed).toMatchObject({ code: 1008, reason: 'nothing received within 300 ms' });
    expect(closed.at - t0).toBeLessThan(900);
    expect(silent.frames.filter((f) => f.type === 'HeartbeatMessage')).toEqual([]);
    expect(await agentConnected(ecs, silent.containerInstanceArn)).toBe(false);
  });

  it('counts any frame as a sign of life while no heartbeat is outstanding', async () => {
    const { cp, ecs } = await start({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 300 });
    const chatty = await connectedAgent(cp.url, false);
    const timer = setInterval(() => chatty.send({ type: 'TaskStopVerificationMessage', message: { messageId: 'x', stopCandidates: [] } }), 100);
    try {
      await new Promise((r) => setTimeout(r, 700));
      expect(chatty.ws!.readyState).toBe(WebSocket.OPEN);
      expect(await agentConnected(ecs, chatty.containerInstanceArn)).toBe(true);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('InactiveInstanceException', () => {
  it('tells a connected agent its instance was deregistered, then refuses its reconnects', async () => {
    const { cp, ecs } = await start({ heartbeatIntervalMs: 100 });
    const agent = await connectedAgent(cp.url);
    const closed = closeOf(agent.ws!);
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: agent.containerInstanceArn }));
    const live = await agent.next('InactiveInstanceException', 1000);
    expect(live).toEqual({ type: 'InactiveInstanceException', unknown: true, message: { message: `Container instance ${agent.containerInstanceArn} was deregistered.` } });
    expect(await closed).toMatchObject({ code: 1008, reason: 'inactive instance' });

    await agent.connect();
    const again = closeOf(agent.ws!);
    const refused = await agent.next('InactiveInstanceException', 1000);
    expect(refused).toEqual({ type: 'InactiveInstanceException', unknown: true, message: { message: `Container instance ${agent.containerInstanceArn} is inactive (deregistered).` } });
    expect(await again).toMatchObject({ code: 1008, reason: 'inactive instance' });
    const describe = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [agent.containerInstanceArn] }));
    expect(describe.containerInstances![0]).toMatchObject({ status: 'INACTIVE', agentConnected: false });
  });
});
