// The ACS session's timers, as the real agent's: reconnect when nothing arrives within the
// heartbeat timeout, back off after a lost connection, wait longer after InactiveInstanceException,
// and on reconnect ask for no credentials again and resume from the next seqNum.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createEcsClient } from '../../src/agent/ecs/ecs-client.ts';
import { AcsSession } from '../../src/agent/acs/acs-session.ts';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { CAPTURED_INSTANCE_ARN as ARN, startCapturePeer, until, type CapturePeer } from './capture-peer.ts';

let peer: CapturePeer;
let session: AcsSession | undefined;
beforeEach(async () => { peer = await startCapturePeer(); });
afterEach(async () => { await session?.close(); session = undefined; await peer.close(); });

function open(timing: Partial<ConstructorParameters<typeof AcsSession>[0]['timing']>): AcsSession {
  const client = createEcsClient({ region: 'us-west-2', endpoint: peer.url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  session = new AcsSession({
    client, cluster: 'ecsref', containerInstanceArn: ARN, region: 'us-west-2', dockerVersion: '20.10.24',
    store: new SqliteAgentStore(':memory:'), logger: pino({ level: 'silent' }), timing,
    tasks: { applyTask: () => {}, knownTasks: () => [], stopTask: () => {} },
  });
  session.start();
  return session;
}

describe('ACS timers', () => {
  it('reconnects when no message arrives within the heartbeat timeout; then sendCredentials=false and the next seqNum', async () => {
    open({ heartbeatTimeoutMs: 300, heartbeatJitterMs: 0 });
    await until(() => peer.acsUpgrades.length === 1);
    peer.sendAcs({ type: 'PayloadMessage', message: { clusterArn: 'c', containerInstanceArn: ARN, messageId: 'p', seqNum: 7, tasks: [] } });
    await until(() => peer.acsUpgrades.length === 2, 5000);
    const [first, second] = peer.acsUpgrades;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(300);
    expect(first!.query).toMatchObject({ sendCredentials: 'true', seqNum: '1' });
    expect(second!.query).toMatchObject({ sendCredentials: 'false', seqNum: '8' });
  });

  it('heartbeats keep the connection: no reconnect while they arrive', async () => {
    open({ heartbeatTimeoutMs: 300, heartbeatJitterMs: 0 });
    await until(() => peer.acsUpgrades.length === 1);
    for (let i = 0; i < 8; i++) {
      peer.sendAcs({ type: 'HeartbeatMessage', message: { healthy: true, messageId: `hb${i}` } });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(peer.acsUpgrades).toHaveLength(1);
    expect(peer.frames.acs).toHaveLength(8);
  });

  it('after a dropped connection it backs off from 250 ms; after InactiveInstanceException it waits the inactive delay', async () => {
    open({ inactiveWaitMs: 1500 });
    await until(() => peer.acsUpgrades.length === 1);
    peer.dropAcs();
    await until(() => peer.acsUpgrades.length === 2);
    const backoff = peer.acsUpgrades[1]!.at - peer.acsUpgrades[0]!.at;
    expect(backoff).toBeGreaterThanOrEqual(250);
    expect(backoff).toBeLessThan(1500);

    const t0 = performance.now();
    peer.sendAcs({ type: 'InactiveInstanceException', message: { message: 'instance deregistered' } });
    await until(() => peer.acsUpgrades.length === 3, 5000);
    expect(peer.acsUpgrades[2]!.at - t0).toBeGreaterThanOrEqual(1500);
  });

  it('reconnects on purpose after the connection lifetime, at once (no backoff)', async () => {
    open({ connectionLifetimeMs: 400, connectionJitterMs: 0 });
    await until(() => peer.acsUpgrades.length === 2, 5000);
    const gap = peer.acsUpgrades[1]!.at - peer.acsUpgrades[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(400);
    expect(gap).toBeLessThan(1000);
  });
});
