// The capture's scenarios replayed against our whole agent (startAgent: registration, ACS, TCS,
// task engine on real Docker, outbox), with a peer answering as the capture's control plane did.
// What our agent sends is compared with what amazon-ecs-agent v1.83.0 sent. Differences on purpose:
//  - runtimeId and timestamps: a different container and a different moment;
//  - attributes: we advertise a subset (only capabilities Dockhand honours), checked in registration.test.ts.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import pino from 'pino';
import { loadAgentConfig } from '../../src/agent/config/agent-config.ts';
import { startAgent, type RunningAgent } from '../../src/agent/main.ts';
import { RegistrationError } from '../../src/agent/register/register-instance.ts';
import { loadCapture, startCapturePeer, until, type CapturePeer } from './capture-peer.ts';

const docker = new Docker();
const TASK_ARN = 'arn:aws:ecs:us-west-2:123456789012:task/ecsref/1a2b3c4d5e6f708192a3b4c5d6e7f809';
const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-the-real-example-secret' };
let peer: CapturePeer;
let agent: RunningAgent | undefined;
let dataDir: string;

async function removeCapturedTaskContainers(): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${TASK_ARN}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

function config(extra: Record<string, string> = {}) {
  return loadAgentConfig({
    ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/no-ecs.config', ECS_CLUSTER: 'ecsref', ECS_BACKEND_HOST: peer.url, AWS_DEFAULT_REGION: 'us-west-2',
    AWS_REGION: 'us-west-2', ECS_EXTERNAL: 'true', ECS_DATADIR: dataDir, ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached', ...extra,
  });
}

beforeEach(async () => {
  peer = await startCapturePeer();
  dataDir = mkdtempSync(join(tmpdir(), 'dockhand-replay-'));
  await removeCapturedTaskContainers();
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await peer.close();
  rmSync(dataDir, { recursive: true, force: true });
});
afterAll(removeCapturedTaskContainers);

const submitted = (status: string) => peer.api.filter((r) => r.operation === 'SubmitTaskStateChange' && r.body.status === status);

describe('replaying variant-stop-timeout-2s against our agent', () => {
  it('sends the real agent\'s calls, frames and state-change bodies', async () => {
    const capture = loadCapture('variant-stop-timeout-2s');
    const fromCapture = (op: string, status?: string) => capture.find((r) => r.operation === op && r.direction === 'agent->cp' && (!status || r.body?.status === status))!.body!;
    agent = await startAgent({ config: config({ ECS_CONTAINER_STOP_TIMEOUT: '2s' }), logger: pino({ level: 'silent' }), credentials: CREDS });
    await until(() => peer.acsConnected());

    // Start-up: one registration, then DiscoverPollEndpoint for ACS and for TCS (twice, as the capture).
    await until(() => peer.api.filter((r) => r.operation === 'DiscoverPollEndpoint').length >= 2);
    expect(peer.api.slice(0, 3).map((r) => r.operation)).toEqual(['RegisterContainerInstance', 'DiscoverPollEndpoint', 'DiscoverPollEndpoint']);
    for (const r of peer.api) {
      expect(r.headers.authorization).toMatch(/SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=/);
      expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
    }

    // The capture's PayloadMessage (RUNNING), then its manifest, then the STOPPED payload.
    const frames = capture.filter((r) => r.channel === 'acs' && r.direction === 'cp->agent' && r.kind === 'ws-frame');
    const payloads = frames.filter((r) => r.operation === 'PayloadMessage');
    peer.sendAcs(payloads[0]!.body);
    await until(() => submitted('RUNNING').length === 1, 20_000);
    const running = submitted('RUNNING')[0]!;
    const realRunning = fromCapture('SubmitTaskStateChange', 'RUNNING') as { containers: Array<{ runtimeId: string }> };
    const runtimeId = (running.body.containers as Array<{ runtimeId: string }>)[0]!.runtimeId;
    expect(running.body).toEqual({ ...realRunning, containers: [{ ...realRunning.containers[0], runtimeId }] });
    expect(Object.keys(running.body)).toEqual(Object.keys(realRunning));

    const inspect = await docker.getContainer(runtimeId).inspect();
    expect(inspect.Name).toMatch(/^\/ecs-ecsref-sleep-1-sleeper-[0-9a-f]{20}$/);
    expect(inspect.HostConfig.CgroupParent).toBe('/ecs/1a2b3c4d5e6f708192a3b4c5d6e7f809');
    expect(inspect.HostConfig.CpuShares).toBe(10);
    expect(inspect.HostConfig.Memory).toBe(64 * 1048576);

    const manifest = frames.find((r) => r.operation === 'TaskManifestMessage')!;
    peer.sendAcs(manifest.body);
    peer.sendAcs(payloads[1]!.body);
    await until(() => submitted('STOPPED').length === 1, 20_000);
    const stopped = submitted('STOPPED')[0]!;
    const realStopped = fromCapture('SubmitTaskStateChange', 'STOPPED') as { executionStoppedAt: number; containers: Array<{ runtimeId: string }> };
    expect(stopped.body).toEqual({ ...realStopped, executionStoppedAt: stopped.body.executionStoppedAt, containers: [{ ...realStopped.containers[0], runtimeId }] });
    expect(Object.keys(stopped.body)).toEqual(Object.keys(realStopped));
    expect(typeof stopped.body.executionStoppedAt).toBe('number');

    // ACS answers: acks for both payloads and the manifest, no stop verification (the task was listed).
    const acks = peer.frames.acs.map((f) => JSON.parse(f) as { type: string; message: { messageId: string } });
    const realAcks = capture.filter((r) => r.channel === 'acs' && r.direction === 'agent->cp' && r.operation === 'AckRequest').map((r) => r.body);
    expect(acks.filter((a) => a.type === 'AckRequest')).toEqual(realAcks);
    expect(acks.some((a) => a.type === 'TaskStopVerificationMessage')).toBe(false);
    expect(submitted('RUNNING')).toHaveLength(1); // never twice
  });
});

describe('registration modes and errors', () => {
  it('EC2 mode reads IMDSv2 and sends the identity document; external mode never calls IMDS', async () => {
    const imdsCalls: string[] = [];
    const doc = JSON.stringify({ accountId: '123456789012', availabilityZone: 'us-west-2a', instanceId: 'i-0123456789abcdef0', region: 'us-west-2' });
    const imds = createServer((req, res) => {
      imdsCalls.push(`${req.method} ${req.url}`);
      if (req.url === '/latest/api/token') return void res.end('T');
      res.end(req.url!.endsWith('/document') ? doc : 'c2ln');
    });
    await new Promise<void>((r) => imds.listen(0, '127.0.0.1', () => r()));
    const imdsUrl = `http://127.0.0.1:${(imds.address() as { port: number }).port}`;
    try {
      // No region configured: on EC2 the identity document's region is used.
      const ec2 = { ...config({ ECS_EXTERNAL: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl }), region: undefined };
      agent = await startAgent({ config: ec2, logger: pino({ level: 'silent' }), credentials: CREDS });
      expect(peer.api[0]!.headers.authorization).toMatch(/\/us-west-2\/ecs\/aws4_request/);
      const reg = peer.api.find((r) => r.operation === 'RegisterContainerInstance')!.body;
      expect(reg.instanceIdentityDocument).toBe(doc);
      expect(reg.instanceIdentityDocumentSignature).toBe('c2ln');
      expect((reg.attributes as Array<{ name: string }>).some((a) => a.name === 'ecs.capability.external')).toBe(false);
      expect(imdsCalls[0]).toBe('PUT /latest/api/token');
      await agent.close();
      agent = undefined;

      imdsCalls.length = 0;
      agent = await startAgent({ config: config({ ECS_EXTERNAL: 'true', AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl }), logger: pino({ level: 'silent' }), credentials: CREDS });
      expect(imdsCalls).toEqual([]);
      const ext = peer.api.filter((r) => r.operation === 'RegisterContainerInstance').at(-1)!.body;
      expect(ext.instanceIdentityDocument).toBe('');
      expect((ext.attributes as Array<{ name: string }>).some((a) => a.name === 'ecs.capability.external')).toBe(true);
    } finally {
      imds.close();
    }
  });

  it('an attribute the registration answer does not echo is terminal (attribute mismatch)', async () => {
    peer.dropEchoedAttribute('ecs.capability.external');
    const err = await startAgent({ config: config(), logger: pino({ level: 'silent' }), credentials: CREDS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as Error).message).toMatch(/attribute mismatch: ECS did not register ecs\.capability\.external/);
    expect(peer.api.filter((r) => r.operation === 'RegisterContainerInstance')).toHaveLength(1);
  });

  it('an InvalidParameterException from registration is terminal: no retry loop', async () => {
    peer.failRegistrationWith('InvalidParameterException');
    const err = await startAgent({ config: config(), logger: pino({ level: 'silent' }), credentials: CREDS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as Error).message).toMatch(/InvalidParameterException/);
    expect(peer.api.filter((r) => r.operation === 'RegisterContainerInstance')).toHaveLength(1);
  });
});
