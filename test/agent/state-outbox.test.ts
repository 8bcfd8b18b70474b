// The durable outbox against a real HTTP peer that answers SubmitTaskStateChange the way the
// capture's control plane did ({"acknowledgment":"ACK"}), or fails like an outage (503).
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';

import pino from 'pino';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { StateOutbox, outboxBody, type TaskStateChange } from '../../src/agent/outbox/state-outbox.ts';
import { createEcsClient } from '../../src/agent/ecs/ecs-client.ts';
import { startCapturePeer } from './capture-peer.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

interface Received { target: string; raw: string; body: Record<string, unknown>; userAgent: string; authorization: string }

async function fakeEcs(failFirst: number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      calls += 1;
      if (calls <= failFirst) {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
        res.end('{"__type":"ServerException","message":"outage"}');
        return;
      }
      received.push({ target: String(req.headers['x-amz-target']), raw, body: JSON.parse(raw), userAgent: String(req.headers['user-agent']), authorization: String(req.headers.authorization) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': String(calls) });
      res.end('{"acknowledgment":"ACK"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

const servers: Server[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });

const FAST = { minMs: 20, maxMs: 100, multiplier: 1.3, jitter: 0.2 };
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
const change = (task: string, status: 'RUNNING' | 'STOPPED', exitCode?: number): TaskStateChange => ({
  task, status, reason: '', containers: [{ containerName: 'c', runtimeId: 'r'.repeat(64), status, ...(exitCode !== undefined ? { exitCode } : {}) }],
  ...(status === 'STOPPED' ? { executionStoppedAt: 1795390939.838 } : {}),
});

describe('SqliteAgentStore outbox', () => {
  it('keeps entries across reopen, in order per task', () => {
    const dir = tempDir('dockhand-store-');
    const a = new SqliteAgentStore(dir);
    a.enqueue('t1', 'one'); a.enqueue('t2', 'two'); a.enqueue('t1', 'three');
    a.setMeta('containerInstanceArn', 'arn:x');
    a.close();
    const b = new SqliteAgentStore(dir);
    expect(b.outboxHeads().map((e) => [e.taskArn, e.body])).toEqual([['t1', 'one'], ['t2', 'two']]);
    b.acknowledge(b.outboxHeads()[0]!.id);
    expect(b.outboxHeads().map((e) => e.body)).toEqual(['two', 'three']);
    expect(b.getMeta('containerInstanceArn')).toBe('arn:x');
    b.close();
  });
});

/** Queues a change the way the agent does (the task checkpoint writes it to the store in the same
 *  transaction as the task state), then wakes the outbox. */
function queue(store: SqliteAgentStore, outbox: StateOutbox, c: TaskStateChange): void {
  store.enqueue(c.task, outboxBody('ecsref', c));
  outbox.kick();
}

describe('StateOutbox', () => {
  it('delivers every change once, in order per task, through an outage, with the capture body shape', async () => {
    const ecs = await fakeEcs(3);
    servers.push(ecs.server);
    const store = new SqliteAgentStore(':memory:');
    const client = createEcsClient({ region: 'us-west-2', endpoint: ecs.url, credentials: creds });
    const outbox = new StateOutbox({ store, client, logger: pino({ level: 'silent' }), backoff: FAST });
    outbox.start();
    queue(store, outbox, change('task-a', 'RUNNING'));
    queue(store, outbox, change('task-b', 'RUNNING'));
    queue(store, outbox, change('task-a', 'STOPPED', 137));
    await outbox.drained();
    await outbox.close();
    client.destroy();

    expect(ecs.received.map((r) => `${r.body.task}:${r.body.status}`).filter((s) => s.startsWith('task-a'))).toEqual(['task-a:RUNNING', 'task-a:STOPPED']);
    expect(ecs.received).toHaveLength(3);
    const stopped = ecs.received.find((r) => r.body.status === 'STOPPED')!;
    expect(stopped.target).toBe('AmazonEC2ContainerServiceV20141113.SubmitTaskStateChange');
    // Same keys and value shapes as the real agent's STOPPED report (capture seq 58).
    expect(stopped.body).toEqual({
      cluster: 'ecsref', task: 'task-a', status: 'STOPPED', reason: '', executionStoppedAt: 1795390939.838,
      containers: [{ containerName: 'c', exitCode: 137, runtimeId: 'r'.repeat(64), status: 'STOPPED' }],
    });
    // Keys in the Go agent's (alphabetical) order, byte for byte as the capture shows them.
    expect(stopped.raw).toBe('{"cluster":"ecsref","containers":[{"containerName":"c","exitCode":137,"runtimeId":"' + 'r'.repeat(64) +
      '","status":"STOPPED"}],"executionStoppedAt":1795390939.838,"reason":"","status":"STOPPED","task":"task-a"}');
    expect(stopped.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-west-2\/ecs\/aws4_request, SignedHeaders=[^,]*x-amz-target/);
    expect(stopped.userAgent).toMatch(/Dockhand\/\d+\.\d+\.\d+/);
    expect(store.outboxSize()).toBe(0);
  });

  it('a restarted agent delivers what the previous run left in the store', async () => {
    const ecs = await fakeEcs(0);
    servers.push(ecs.server);
    const dir = tempDir('dockhand-outbox-');
    const first = new SqliteAgentStore(dir);
    const unreachable = createEcsClient({ region: 'us-west-2', endpoint: 'http://127.0.0.1:1', credentials: creds });
    const dead = new StateOutbox({ store: first, client: unreachable, logger: pino({ level: 'silent' }), backoff: FAST });
    dead.start();
    queue(first, dead, change('task-c', 'RUNNING'));
    await new Promise((r) => setTimeout(r, 100));
    await dead.close();
    unreachable.destroy();
    first.close();

    const store = new SqliteAgentStore(dir);
    expect(store.outboxSize()).toBe(1);
    const client = createEcsClient({ region: 'us-west-2', endpoint: ecs.url, credentials: creds });
    const outbox = new StateOutbox({ store, client, logger: pino({ level: 'silent' }), backoff: FAST });
    outbox.start();
    await outbox.drained();
    await outbox.close();
    client.destroy();
    expect(ecs.received.map((r) => r.body.task)).toEqual(['task-c']);
    expect(store.outboxSize()).toBe(0);
    store.close();
  });

  it('a control plane that never answers does not hold reports forever: timeout, retry, delivered', async () => {
    const peer = await startCapturePeer();
    try {
      peer.hangSubmits(true);
      const store = new SqliteAgentStore(':memory:');
      const client = createEcsClient({ region: 'us-west-2', endpoint: peer.url, credentials: creds, requestTimeoutMs: 300 });
      const outbox = new StateOutbox({ store, client, logger: pino({ level: 'silent' }), backoff: FAST });
      outbox.start();
      queue(store, outbox, change('task-hung', 'RUNNING'));
      await new Promise((r) => setTimeout(r, 1000));
      const attempts = peer.api.filter((r) => r.operation === 'SubmitTaskStateChange').length;
      expect(attempts).toBeGreaterThanOrEqual(2); // each hung attempt timed out and was retried
      expect(store.outboxSize()).toBe(1);
      peer.hangSubmits(false);
      await outbox.drained();
      expect(store.outboxSize()).toBe(0);
      await outbox.close();
      client.destroy();
    } finally {
      await peer.close();
    }
  });
});
