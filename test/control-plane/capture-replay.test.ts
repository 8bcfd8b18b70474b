// Conformance with the real agent's wire (capture main.traffic.jsonl, agent v1.83.0): the agent's
// side of the capture is replayed, in order, against our control plane over real HTTP and
// websockets (same request bodies and headers; the websocket upgrades and TCS frames re-signed,
// since SigV4 dates differ), and every answer is compared with what the capture's fake control
// plane answered: the same keys and value shapes, or exactly the same text where it is fixed.
// Where the capture's fake control plane pushed something on its own schedule, the replay makes
// our control plane do the same with the ECS API (RunTask, StopTask) and waits for it.
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { signWebsocketUpgrade } from '../../src/protocol/sigv4-websocket.ts';
import { signTcsFrame, splitTcsFrame } from '../../src/protocol/tcs-frames.ts';
import { jsonText, readCapture, shapeOf, without, type CaptureRecord } from './capture-records.ts';
import { FrameQueue } from './frame-queue.ts';

const REGION = 'us-west-2';
/** The capture's dummy credentials (AWS documentation examples). */
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/**
 * Where our answers differ from the capture's fake control plane on purpose. No key differs in
 * name or JSON type (RegisterContainerInstance, DiscoverPollEndpoint, SubmitTaskStateChange,
 * PayloadMessage, TaskManifestMessage, HeartbeatMessage and the TCS acks all match in shape), so
 * nothing is left out of the shape checks; these are the values that differ, each checked below:
 */
const VALUE_DIFFERENCES = {
  // DiscoverPollEndpoint: one port serves the API, ACS and TCS, told apart by path.
  endpoints: 'http://<host>:<port>/acs/ and /tcs/ instead of ports 18081 and 18082',
  // The agent registered with ecs.capability.external (ECS Anywhere); the capture's fake said EC2.
  launchType: 'EXTERNAL',
  // Manifests run on a 400 ms timer here, not on the capture's scenario clock: the numbers
  // differ, their order (one counter, payload < manifest < payload) is asserted.
  counters: ['seqNum', 'timeline', 'generatedAt'],
} as const;

let cp: RunningControlPlane;
let ecs: ECSClient;
const records = readCapture('main');

beforeAll(async () => {
  // Fast heartbeats and manifests so that the replay's waits are short.
  cp = await startControlPlane({ logger: pino({ level: 'silent' }), region: REGION, accountId: '123456789012', heartbeatIntervalMs: 100, manifestIntervalMs: 400 });
  ecs = new (await import('@aws-sdk/client-ecs')).ECSClient({ endpoint: cp.url, region: REGION, credentials: CREDENTIALS });
  await ecs.send(new CreateClusterCommand({ clusterName: 'ecsref' }));
  // The capture's task (payload seq 20): one container, cpu 10, memory 64, bridge.
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'ecsref-sleep', networkMode: 'bridge',
    containerDefinitions: [{ name: 'sleeper', image: 'local/busybox:latest', command: ['sleep', '3600'], cpu: 10, memory: 64, essential: true }],
  }));
});
afterAll(async () => {
  ecs.destroy();
  await cp.close();
});

/** Captured identifiers → ours (instance, task and container ARNs, message ids), as learnt. */
const ids = new Map<string, string>();
const rewrite = (text: string) => [...ids].reduce((t, [from, to]) => t.replaceAll(from, to), text);
const rewriteBack = (text: string) => [...ids].reduce((t, [from, to]) => t.replaceAll(to, from), text);

describe('replay of main.traffic.jsonl', () => {
  it('answers every agent request and frame as the capture\'s control plane did', async () => {
    const responses = new Map<number, { status: number; body: unknown }>();
    const sockets: Partial<Record<'acs' | 'tcs', { ws: WebSocket; queue: FrameQueue }>> = {};
    const endpoints = { acs: '', tcs: '' };
    const heartbeatAcksSent = new Set<string>();
    const ackTemplate = records.find((r) => r.channel === 'acs' && r.operation === 'HeartbeatAckRequest')!;
    let taskArn = '';
    const seqNums: Array<{ type: string; n: number }> = [];

    for (const r of records) {
      const where = `seq ${r.seq} ${r.channel} ${r.kind} ${r.operation ?? ''}`;
      if (r.kind === 'note' || r.kind === 'tcp-connect') continue;

      if (r.kind === 'http-request') {
        responses.set(r.seq, await apiCall(r));
      } else if (r.kind === 'http-response') {
        const ours = responses.get(r.inResponseTo!)!;
        expect(ours.status, where).toBe(r.status);
        checkApiResponse(r, ours.body, where);
        if (r.operation === 'RegisterContainerInstance') {
          const captured = (r.body as { containerInstance: { containerInstanceArn: string } }).containerInstance.containerInstanceArn;
          ids.set(captured, (ours.body as { containerInstance: { containerInstanceArn: string } }).containerInstance.containerInstanceArn);
        }
        if (r.operation === 'DiscoverPollEndpoint') {
          const b = ours.body as { endpoint: string; telemetryEndpoint: string };
          Object.assign(endpoints, { acs: b.endpoint, tcs: b.telemetryEndpoint });
        }
      } else if (r.kind === 'ws-upgrade') {
        const channel = r.channel as 'acs' | 'tcs';
        const ws = await upgrade(endpoints[channel], r);
        const queue = new FrameQueue(ws);
        sockets[channel] = { ws, queue };
        if (channel === 'acs') {
          // The agent answers every heartbeat at once (capture: within 2 ms), whatever the schedule.
          queue.onFrame((f) => {
            if (f.type !== 'HeartbeatMessage') return;
            const messageId = (f.message as { messageId: string }).messageId;
            const ack = JSON.parse(jsonText(ackTemplate)) as { message: { messageId: string } };
            ack.message.messageId = messageId;
            ws.send(JSON.stringify(ack));
            heartbeatAcksSent.add(messageId);
          });
        }
      } else if (r.kind === 'ws-upgrade-accepted') {
        expect(sockets[r.channel as 'acs' | 'tcs']!.ws.readyState, where).toBe(WebSocket.OPEN);
      } else if (r.kind === 'ws-close') {
        sockets[r.channel as 'acs' | 'tcs']!.ws.terminate(); // 1006 in the capture: the agent just went away
      } else if (r.kind === 'ws-frame' && r.direction === 'agent->cp') {
        const s = sockets[r.channel as 'acs' | 'tcs']!;
        if (r.operation === 'HeartbeatAckRequest') {
          // Sent by the responder above for the heartbeat this one answered.
          const captured = (r.body as { message: { messageId: string } }).message.messageId;
          expect(heartbeatAcksSent.has(ids.get(captured)!), where).toBe(true);
        } else if (r.channel === 'tcs') {
          const framed = await signTcsFrame({ host: new URL(endpoints.tcs).host, region: REGION, credentials: CREDENTIALS, json: rewrite(jsonText(r)) });
          expect(Object.keys(splitTcsFrame(framed).headers), where).toEqual(r.frameHeaders!.map(([k]) => k.toLowerCase()));
          s.ws.send(framed);
        } else {
          s.ws.send(rewrite(jsonText(r)));
        }
      } else if (r.kind === 'ws-frame' && r.direction === 'cp->agent') {
        const s = sockets[r.channel as 'acs' | 'tcs']!;
        const captured = r.body as { type: string; message: Record<string, unknown> };
        if (r.channel === 'tcs') {
          // Fixed texts: the acks and the TCS heartbeat are exactly the capture's.
          expect(await s.queue.next(captured.type), where).toEqual(captured);
          continue;
        }
        if (captured.type === 'PayloadMessage') {
          const desired = (captured.message.tasks as Array<{ desiredStatus: string }>)[0]!.desiredStatus;
          if (desired === 'RUNNING') taskArn = (await ecs.send(new RunTaskCommand({ cluster: 'ecsref', taskDefinition: 'ecsref-sleep' }))).tasks![0]!.taskArn!;
          else await ecs.send(new StopTaskCommand({ cluster: 'ecsref', task: taskArn }));
        }
        const ours = await s.queue.next(captured.type, (f) => captured.type !== 'TaskManifestMessage' || JSON.stringify(f).includes(taskArn));
        expect(shapeOf(ours), where).toEqual(shapeOf(captured));
        learnIds(captured, ours);
        // Beyond shape: the same values, once our ids are mapped back to the captured ones.
        const normalise = (f: unknown) => without(f, VALUE_DIFFERENCES.counters.map((k) => `message.${k}`).concat('message.tasks.launchType'));
        expect(normalise(JSON.parse(rewriteBack(JSON.stringify(ours)))), where).toEqual(normalise(captured));
        if (captured.type === 'PayloadMessage') {
          expect((ours.message as { tasks: Array<{ launchType: string }> }).tasks[0]!.launchType).toBe(VALUE_DIFFERENCES.launchType);
        }
        const n = (ours.message as { seqNum?: number; timeline?: number });
        if (n.seqNum !== undefined || n.timeline !== undefined) seqNums.push({ type: captured.type, n: (n.seqNum ?? n.timeline)! });
      } else {
        throw new Error(`replay does not handle ${where}`);
      }
    }

    // Payload, manifest, payload: one counter, strictly increasing (capture: 1, 2, 3).
    expect(seqNums.map((s) => s.type)).toEqual(['PayloadMessage', 'TaskManifestMessage', 'PayloadMessage']);
    expect(seqNums[0]!.n).toBeLessThan(seqNums[1]!.n);
    expect(seqNums[1]!.n).toBeLessThan(seqNums[2]!.n);
    // The replayed reports moved the task as they did the real one.
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'ecsref', tasks: [taskArn] }))).tasks![0]!;
    expect(task).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(task.containers![0]).toMatchObject({ name: 'sleeper', exitCode: 137, runtimeId: '740fd29525b0fad515e8ffcfa86b178d18f16c3d15d459e56be7a97f58b42b52' });
    // And the replayed telemetry reads back as the agent last sent it.
    const last = (op: string) => JSON.parse(jsonText(records.filter((x) => x.operation === op).at(-1)!)) as { message: Record<string, unknown> };
    const metrics = last('PublishMetricsRequest').message as { metadata: { idle: boolean }; taskMetrics?: Array<{ taskArn: string }> };
    const telemetry = (await (await fetch(`${cp.url}/dockhand/telemetry`)).json()) as { instances: Record<string, Record<string, unknown>> };
    const instanceArn = rewrite('arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(telemetry.instances[instanceArn]).toMatchObject({
      cluster: 'ecsref',
      idle: metrics.metadata.idle,
      instanceStatus: { statuses: last('PublishInstanceStatusRequest').message.statuses },
    });
    expect((telemetry.instances[instanceArn]!.tasks as Array<{ taskArn: string }>).map((t) => t.taskArn)).toEqual((metrics.taskMetrics ?? []).map((t) => rewrite(t.taskArn)));
  });
});

async function apiCall(r: CaptureRecord): Promise<{ status: number; body: unknown }> {
  const headers = Object.fromEntries(r.headers!.filter(([k]) => !['host', 'content-length'].includes(k.toLowerCase())));
  const res = await fetch(cp.url, { method: r.method ?? 'POST', headers, body: rewrite(jsonText(r)) });
  return { status: res.status, body: await res.json() };
}

function checkApiResponse(r: CaptureRecord, ours: unknown, where: string): void {
  expect(shapeOf(ours), where).toEqual(shapeOf(r.body));
  if (r.operation === 'RegisterContainerInstance') {
    // The echo: every attribute and resource the agent sent comes back as sent.
    const c = (r.body as { containerInstance: Record<string, unknown> }).containerInstance;
    const o = (ours as { containerInstance: Record<string, unknown> }).containerInstance;
    for (const key of ['attributes', 'registeredResources', 'remainingResources', 'status', 'agentConnected', 'runningTasksCount', 'pendingTasksCount', 'version']) {
      expect(o[key], `${where} ${key}`).toEqual(c[key]);
    }
  }
  if (r.operation === 'SubmitTaskStateChange') expect(ours, where).toEqual({ acknowledgment: 'ACK' });
  if (r.operation === 'DiscoverPollEndpoint') {
    // VALUE_DIFFERENCES.endpoints
    for (const v of Object.values(ours as Record<string, string>)) expect(v, where).toMatch(new RegExp(`^${cp.url}/(acs|tcs)/$`));
  }
}

/** The websocket upgrade with the captured query (our ARNs), re-signed for now. */
async function upgrade(endpoint: string, r: CaptureRecord): Promise<WebSocket> {
  const url = new URL(`${endpoint}ws`);
  url.protocol = 'ws:';
  for (const [k, v] of Object.entries(r.query!)) url.searchParams.set(k, rewrite(v));
  const headers = { 'User-Agent': r.headers!.find(([k]) => k === 'User-Agent')![1], ...(await signWebsocketUpgrade({ url: url.toString(), region: REGION, credentials: CREDENTIALS })) };
  const ws = new WebSocket(url, { headers });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return ws;
}

/** Message ids and ARNs in a captured frame → the ones at the same place in ours. */
function learnIds(captured: unknown, ours: unknown): void {
  if (typeof captured === 'string' && typeof ours === 'string') {
    if (/^(arn:aws:ecs:|[0-9a-f]{8}-[0-9a-f]{4}-)/.test(captured) && captured !== ours) ids.set(captured, ours);
    return;
  }
  if (typeof captured !== 'object' || captured === null || typeof ours !== 'object' || ours === null) return;
  for (const [k, v] of Object.entries(captured)) learnIds(v, (ours as Record<string, unknown>)[k]);
}
