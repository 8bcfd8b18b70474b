// Our agent's ACS and TCS sessions against a test server that answers as the capture's control
// plane did (shared/fixtures/ecs-agent-capture/main.traffic.jsonl), over real HTTP and websockets.
// We compare what our agent sends with what the real agent v1.83.0 sent. Differences on purpose:
//  - agentHash / agentVersion: ours are Dockhand's (DOCKHAND_COMMIT, package.json version);
//  - User-Agent of the upgrade: ws's default instead of Go's "Go-http-client/1.1".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createEcsClient } from '../../src/agent/ecs/ecs-client.ts';
import { AcsSession } from '../../src/agent/acs/acs-session.ts';
import { TcsSession } from '../../src/agent/tcs/tcs-session.ts';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { splitTcsFrame } from '../../src/protocol/tcs-frames.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';
import { CAPTURED_INSTANCE_ARN as ARN, loadCapture, startCapturePeer, until, type CapturePeer } from './capture-peer.ts';

const capture = loadCapture('main');
const realUpgrade = (channel: string) => capture.find((r) => r.channel === channel && r.kind === 'ws-upgrade')!;
const realFrame = (channel: string, type: string) => capture.find((r) => r.channel === channel && r.direction === 'agent->cp' && r.operation === type)!;

let peer: CapturePeer;
let base: string;
beforeAll(async () => { peer = await startCapturePeer(); base = peer.url; });
afterAll(async () => { await peer?.close(); });

describe('wire conformance with the real agent', () => {
  it('ACS: same upgrade query and signing, same answers to heartbeat and payload', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: base, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
    const applied: AcsTask[] = [];
    const session = new AcsSession({
      client, cluster: 'ecsref', containerInstanceArn: ARN, region: 'us-west-2', dockerVersion: '20.10.24+dfsg1',
      store: new SqliteAgentStore(':memory:'), logger: pino({ level: 'silent' }),
      tasks: { applyTask: (t) => { applied.push(t); }, knownTasks: () => [], stopTask: () => {} },
    });
    session.start();
    await session.connected();
    const ours = peer.upgrades.acs!;
    const real = realUpgrade('acs');
    expect(ours.path).toBe('/acs/ws');
    expect(Object.keys(ours.query)).toEqual(Object.keys(real.query!));
    const differOnPurpose = ['agentHash', 'agentVersion'];
    for (const [k, v] of Object.entries(real.query!)) if (!differOnPurpose.includes(k)) expect(ours.query[k], k).toBe(v);
    expect(ours.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-west-2\/ecs\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(ours.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);

    // Replay the capture's ACS frames to our agent and compare its answers with the real agent's.
    for (const seq of [18, 20]) peer.sendAcs(capture.find((r) => r.seq === seq)!.body);
    await until(() => peer.frames.acs.length >= 2);
    const answers = peer.frames.acs.map((f) => JSON.parse(f) as { type: string });
    expect(answers).toEqual([realFrame('acs', 'HeartbeatAckRequest').body, capture.find((r) => r.seq === 21)!.body]);
    expect(applied.map((t) => t.arn)).toEqual(['arn:aws:ecs:us-west-2:123456789012:task/ecsref/1a2b3c4d5e6f708192a3b4c5d6e7f809']);
    await session.close();
    client.destroy();
  });

  it('TCS: same upgrade query (no DockerVersion prefix), each frame with a signed header block', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: base, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
    const session = new TcsSession({
      client, cluster: 'ecsref', containerInstanceArn: ARN, region: 'us-west-2', dockerVersion: '20.10.24+dfsg1',
      metrics: { collect: async () => [] }, disableMetrics: false, logger: pino({ level: 'silent' }),
    });
    session.start();
    await until(() => peer.frames.tcs.length >= 2);
    const real = realUpgrade('tcs');
    expect(Object.keys(peer.upgrades.tcs!.query)).toEqual(Object.keys(real.query!));
    expect(peer.upgrades.tcs!.query.dockerVersion).toBe('20.10.24+dfsg1');
    expect(peer.upgrades.tcs!.query.containerInstance).toBe(ARN);
    expect(peer.upgrades.tcs!.headers.authorization).toMatch(/SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);

    const [metrics, status] = peer.frames.tcs.map((f) => splitTcsFrame(f));
    expect(Object.keys(metrics!.headers)).toEqual(['authorization', 'host', 'x-amz-date']);
    expect(metrics!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-west-2\/ecs\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    const ourMetrics = JSON.parse(metrics!.json) as { type: string; message: { metadata: Record<string, unknown>; timestamp: number } };
    const realIdle = capture.find((r) => r.seq === 14)!.body! as { type: string; message: Record<string, unknown> }; // the real agent's first, idle, PublishMetricsRequest
    expect(ourMetrics.type).toBe(realIdle.type);
    expect(Object.keys(ourMetrics.message.metadata).sort()).toEqual(Object.keys(realIdle.message.metadata as object).sort());
    expect(ourMetrics.message.metadata).toMatchObject({ cluster: 'ecsref', containerInstance: ARN, fin: true, idle: true });
    const ourStatus = JSON.parse(status!.json) as { type: string; message: { statuses: Array<Record<string, unknown>> } };
    const realStatus = realFrame('tcs', 'PublishInstanceStatusRequest').body! as { type: string; message: Record<string, unknown> };
    expect(ourStatus.type).toBe(realStatus.type);
    expect(Object.keys(ourStatus.message).sort()).toEqual(Object.keys(realStatus.message).sort());
    expect(ourStatus.message.statuses[0]).toMatchObject({ status: 'OK', type: 'ContainerRuntime' });
    await session.close();
    client.destroy();
  });

  it('ECS_DISABLE_METRICS: TCS still connects and reports instance status, but sends no task metrics', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: base, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
    const before = peer.frames.tcs.length;
    const busy = [{ taskArn: 't', taskDefinitionFamily: 'f', taskDefinitionVersion: '1', containerMetrics: [{ containerName: 'c' }] }];
    const session = new TcsSession({
      client, cluster: 'ecsref', containerInstanceArn: ARN, region: 'us-west-2', dockerVersion: '20.10.24+dfsg1',
      metrics: { collect: async () => busy }, disableMetrics: true, logger: pino({ level: 'silent' }),
    });
    session.start();
    await until(() => peer.frames.tcs.length >= before + 2);
    const [metrics, status] = peer.frames.tcs.slice(before).map((f) => JSON.parse(splitTcsFrame(f).json) as { type: string; message: Record<string, unknown> });
    expect(metrics!.type).toBe('PublishMetricsRequest');
    expect(metrics!.message.taskMetrics).toBeUndefined();
    expect((metrics!.message.metadata as { idle: boolean }).idle).toBe(true);
    expect(status!.type).toBe('PublishInstanceStatusRequest');
    await session.close();
    client.destroy();
  });
});
