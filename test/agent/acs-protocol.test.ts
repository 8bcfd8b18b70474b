// Pure parts of the agent's ACS side: the URL it dials, the connection state machine, and what it
// answers to each frame (checked against the capture of the real agent).
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { acsUrl } from '../../src/agent/acs/acs-url.ts';
import { transition, type Connection } from '../../src/agent/acs/connection-state.ts';
import { handleAcsFrame } from '../../src/agent/acs/acs-handlers.ts';
import { decodeInbound, type AcsOutbound, type AcsTask } from '../../src/protocol/acs-messages.ts';
import { TaskCredentialsStore } from '../../src/agent/credentials/task-credentials.ts';

const ARN = 'arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/0f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('ACS URL', () => {
  it('matches the real agent: endpoint + ws, cluster name in clusterArn, DockerVersion prefix', () => {
    const url = new URL(acsUrl('http://127.0.0.1:18081/', {
      agentHash: 'c763e4dc', agentVersion: '1.83.0', cluster: 'ecsref', containerInstanceArn: ARN,
      dockerVersion: '20.10.24+dfsg1', sendCredentials: true, seqNum: 1,
    }));
    expect(url.protocol).toBe('ws:');
    expect(url.pathname).toBe('/ws');
    expect([...url.searchParams.keys()]).toEqual(['agentHash', 'agentVersion', 'clusterArn', 'containerInstanceArn', 'dockerVersion', 'protocolVersion', 'sendCredentials', 'seqNum']);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      agentHash: 'c763e4dc', agentVersion: '1.83.0', clusterArn: 'ecsref', containerInstanceArn: ARN,
      dockerVersion: 'DockerVersion: 20.10.24+dfsg1', protocolVersion: '2', sendCredentials: 'true', seqNum: '1',
    });
    // The capture's query string encodes the space as '+', as URLSearchParams does.
    expect(url.search).toContain('dockerVersion=DockerVersion%3A+20.10.24%2Bdfsg1');
    expect(acsUrl('https://ecs-a-1.us-west-2.amazonaws.com', { agentHash: 'h', agentVersion: 'v', cluster: 'c', containerInstanceArn: 'a', dockerVersion: 'd', sendCredentials: false, seqNum: 5 }))
      .toMatch(/^wss:\/\/ecs-a-1\.us-west-2\.amazonaws\.com\/ws\?/);
  });
});

describe('connection state machine', () => {
  it('walks idle → connecting → connected → waiting → connecting → closed', () => {
    let s: Connection = { status: 'idle' };
    s = transition(s, { type: 'connect' });
    expect(s).toEqual({ status: 'connecting', attempt: 1 });
    s = transition(s, { type: 'lost', reason: 'refused', delayMs: 250 });
    expect(s).toEqual({ status: 'waiting', attempt: 1, delayMs: 250, reason: 'refused' });
    s = transition(s, { type: 'retry' });
    expect(s).toEqual({ status: 'connecting', attempt: 2 });
    s = transition(s, { type: 'opened', at: 42 });
    expect(s).toEqual({ status: 'connected', since: 42 });
    expect(transition(s, { type: 'retry' })).toBe(s); // not a transition from connected
    s = transition(s, { type: 'lost', reason: 'idle', delayMs: 300 });
    expect(s.status).toBe('waiting');
    s = transition(s, { type: 'shutdown' });
    expect(s).toEqual({ status: 'closed' });
    expect(transition(s, { type: 'connect' })).toEqual({ status: 'closed' });
  });
});

function harness(seq = 0, known: Array<{ taskArn: string; desiredStatus: 'RUNNING' | 'STOPPED' }> = []) {
  const sent: AcsOutbound[] = [];
  const applied: AcsTask[] = [];
  const stopped: string[] = [];
  const reconnects: Array<{ reason: string; inactive: boolean }> = [];
  let lastSeq = seq;
  const ctx = {
    tasks: {
      applyTask: (t: AcsTask) => { applied.push(t); },
      knownTasks: () => known,
      stopTask: (arn: string) => { stopped.push(arn); },
    },
    send: (f: AcsOutbound) => sent.push(f),
    lastSeqNum: () => lastSeq,
    setLastSeqNum: (n: number) => { lastSeq = n; },
    logger: pino({ level: 'silent' }),
    reconnect: (reason: string, o?: { inactive?: boolean }) => { reconnects.push({ reason, inactive: !!o?.inactive }); },
    newMessageId: () => `generated-${sent.length}`,
  };
  return { ctx, sent, applied, stopped, reconnects, seq: () => lastSeq };
}

const task = (arn: string, desiredStatus: 'RUNNING' | 'STOPPED'): AcsTask => ({ arn, family: 'f', version: '1', desiredStatus, containers: [] });

describe('ACS frame handling', () => {
  it('PayloadMessage: applies STOPPED tasks first, remembers seqNum, acks as the real agent', () => {
    const h = harness();
    handleAcsFrame(decodeInbound(JSON.stringify({
      type: 'PayloadMessage',
      message: { clusterArn: 'arn:aws:ecs:us-west-2:1:cluster/ecsref', containerInstanceArn: ARN, messageId: 'm1', seqNum: 3, tasks: [task('a', 'RUNNING'), task('b', 'STOPPED')] },
    })), h.ctx);
    expect(h.applied.map((t) => t.arn)).toEqual(['b', 'a']);
    expect(h.seq()).toBe(3);
    expect(h.sent).toEqual([{ type: 'AckRequest', message: { cluster: 'arn:aws:ecs:us-west-2:1:cluster/ecsref', containerInstance: ARN, messageId: 'm1' } }]);
  });

  it('HeartbeatMessage → HeartbeatAckRequest with the same messageId', () => {
    const h = harness();
    handleAcsFrame(decodeInbound('{"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-1"}}'), h.ctx);
    expect(h.sent).toEqual([{ type: 'HeartbeatAckRequest', message: { messageId: 'hb-1' } }]);
  });

  it('a stale TaskManifestMessage (timeline ≤ seqNum) is acked but not acted on', () => {
    const h = harness(5);
    handleAcsFrame(decodeInbound(JSON.stringify({ type: 'TaskManifestMessage', message: { clusterArn: 'c', containerInstanceArn: ARN, messageId: 'tm', timeline: 4, tasks: [] } })), h.ctx);
    expect(h.sent[0]?.type).toBe('AckRequest');
    expect(h.applied).toEqual([]);
  });

  it('a fresh manifest stops what it marks STOPPED and asks ACS to verify tasks it does not list', () => {
    const h = harness(1, [
      { taskArn: 'listed-running', desiredStatus: 'RUNNING' },
      { taskArn: 'listed-stopped', desiredStatus: 'RUNNING' },
      { taskArn: 'unlisted', desiredStatus: 'RUNNING' },
      { taskArn: 'already-stopping', desiredStatus: 'STOPPED' },
    ]);
    handleAcsFrame(decodeInbound(JSON.stringify({
      type: 'TaskManifestMessage',
      message: { clusterArn: 'c', containerInstanceArn: ARN, messageId: 'tm', timeline: 2, tasks: [
        { taskArn: 'listed-running', desiredStatus: 'RUNNING' }, { taskArn: 'listed-stopped', desiredStatus: 'STOPPED' },
      ] },
    })), h.ctx);
    expect(h.stopped).toEqual(['listed-stopped']);
    expect(h.sent).toEqual([
      { type: 'AckRequest', message: { cluster: 'c', containerInstance: ARN, messageId: 'tm' } },
      { type: 'TaskStopVerificationMessage', message: { messageId: 'generated-1', stopCandidates: [{ taskArn: 'unlisted' }] } },
    ]);
    // Only what ACS confirms is stopped; unknown ARNs in the ack are ignored.
    handleAcsFrame(decodeInbound(JSON.stringify({ type: 'TaskStopVerificationAck', message: { messageId: 'generated-1', stopTasks: [{ taskArn: 'unlisted' }, { taskArn: 'never-seen' }] } })), h.ctx);
    expect(h.stopped).toEqual(['listed-stopped', 'unlisted']);
  });

  it('exceptions reconnect (InactiveInstanceException waits longer); unknown types are ignored', () => {
    const h = harness();
    handleAcsFrame(decodeInbound('{"type":"InactiveInstanceException","message":{"message":"deregistered"}}'), h.ctx);
    handleAcsFrame(decodeInbound('{"type":"SomethingNew","message":{}}'), h.ctx);
    handleAcsFrame(decodeInbound('{"type":"CloseMessage","message":{"message":"bye"}}'), h.ctx);
    expect(h.reconnects).toEqual([
      { reason: 'InactiveInstanceException: deregistered', inactive: true },
      { reason: 'ACS closed the session: bye', inactive: false },
    ]);
    expect(h.sent).toEqual([]);
  });

  it('IAMRoleCredentialsMessage: kept for the task, acked with its credentialsId and expiration, never logged', () => {
    const h = harness();
    const store = new TaskCredentialsStore();
    const lines: string[] = [];
    Object.assign(h.ctx, { credentials: store, logger: pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } }) });
    handleAcsFrame(decodeInbound(JSON.stringify({ type: 'IAMRoleCredentialsMessage', message: { messageId: 'c1', taskArn: 't', roleCredentials: { credentialsId: 'cid', expiration: '2026-11-24T00:00:00Z', accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's3cr3t-value' } } })), h.ctx);
    expect(h.sent).toEqual([{ type: 'IAMRoleCredentialsAckRequest', message: { messageId: 'c1', expiration: '2026-11-24T00:00:00Z', credentialsId: 'cid' } }]);
    expect(store.get('cid')).toMatchObject({ taskArn: 't', roleType: 'TaskApplication', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's3cr3t-value' } });
    expect(lines.join('')).toContain('task credentials received');
    expect(lines.join('')).not.toContain('s3cr3t-value');
    // Once ACS tells the task to stop, its credentials are gone.
    handleAcsFrame(decodeInbound(JSON.stringify({ type: 'PayloadMessage', message: { clusterArn: 'c', containerInstanceArn: ARN, messageId: 'p9', seqNum: 9, tasks: [task('t', 'STOPPED')] } })), h.ctx);
    expect(store.get('cid')).toBeUndefined();
  });

  it('rejects frames that are not ACS envelopes', () => {
    expect(() => decodeInbound('nope')).toThrow(/not JSON/);
    expect(() => decodeInbound('{"message":{}}')).toThrow(/no "type"/);
  });
});
