// agent.db truncated mid-file: the agent names the file in a clear error, keeps the damaged file
// aside (agent.db.corrupt-<timestamp>), starts on a fresh database, and when ACS hands it the same
// task again it adopts the running container (found by its name and labels) instead of launching
// a second one. A recording peer that always answers with the same instance ARN plays ECS.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURED_INSTANCE_ARN, startCapturePeer, until, type CapturePeer } from '../agent/capture-peer.ts';
import { container, removeTestContainers, task } from '../agent-engine/engine-harness.ts';
import { DockerodeEngine } from '../../src/agent/docker/dockerode-engine.ts';
import { testLogger } from '../agent-engine/engine-harness.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';
import { dockerContainersByName, docker } from './durability-harness.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'dockhand-corrupt-'));
const agentDir = join(dataDir, 'agent');
let peer: CapturePeer | undefined;
afterAll(async () => {
  await peer?.close();
  await removeTestContainers(new DockerodeEngine({ logger: testLogger }));
  rmSync(dataDir, { recursive: true, force: true });
});

function startAgent(url: string): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ['bin/dockhand.js', 'agent'], {
    env: {
      PATH: process.env.PATH, HOME: dataDir, AWS_ACCESS_KEY_ID: 'AKIDCORRUPT', AWS_SECRET_ACCESS_KEY: 'x',
      ECS_CLUSTER: 'ecsref', ECS_BACKEND_HOST: url, AWS_DEFAULT_REGION: 'us-west-2', ECS_EXTERNAL: 'true',
      ECS_DATADIR: agentDir, ECS_AGENT_CONFIG_FILE_PATH: join(dataDir, 'none'), ECS_DISABLE_METRICS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return { proc, output: () => out };
}

const sigterm = (p: ChildProcess): Promise<number | null> => { p.kill('SIGTERM'); return new Promise((r) => p.once('exit', (c) => r(c))); };

function payload(t: AcsTask, messageId: string, seqNum: number): unknown {
  return { type: 'PayloadMessage', message: { clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/ecsref', containerInstanceArn: CAPTURED_INSTANCE_ARN, messageId, seqNum, tasks: [t] } };
}

const reports = (p: CapturePeer, arn: string): Array<{ status: string; containers: Array<{ runtimeId?: string; exitCode?: number }> }> =>
  p.api.filter((a) => a.operation === 'SubmitTaskStateChange' && a.body.task === arn).map((a) => a.body as never);

describe('a truncated agent.db', () => {
  it('is named in a clear error, moved aside, and no container is launched twice', async () => {
    peer = await startCapturePeer();
    const t = task('corrupt', [container('main', { command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'] })]);
    let agent = startAgent(peer.url);
    await until(() => peer!.acsConnected(), 20_000);
    peer.sendAcs(payload(t, 'm1', 1));
    await until(() => reports(peer!, t.arn).some((r) => r.status === 'RUNNING'), 20_000);
    const runtimeId = reports(peer, t.arn)[0]!.containers[0]!.runtimeId!;
    const startedAt = (await docker.getContainer(runtimeId).inspect()).State.StartedAt;
    expect(await sigterm(agent.proc)).toBe(0);

    const db = join(agentDir, 'agent.db');
    const size = statSync(db).size;
    expect(size).toBeGreaterThan(8192);
    truncateSync(db, Math.floor(size / 2) + 100); // mid-page, mid-file

    const acsBefore = peer.acsUpgrades.length;
    agent = startAgent(peer.url);
    await until(() => peer!.acsUpgrades.length > acsBefore && peer!.acsConnected(), 20_000);
    // The error names the file and where it went; the damaged file is kept, a fresh one replaces it.
    const line = agent.output().split('\n').find((l) => l.includes('is corrupt'));
    expect(line).toBeDefined();
    expect(line).toContain(db);
    const aside = readdirSync(agentDir).filter((f) => /^agent\.db\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/.test(f));
    expect(aside).toHaveLength(1);
    expect(statSync(join(agentDir, aside[0]!)).size).toBe(Math.floor(size / 2) + 100);
    expect(existsSync(db)).toBe(true);

    // ACS hands the same task again: adopted, not launched a second time.
    peer.sendAcs(payload(t, 'm2', 2));
    await until(() => reports(peer!, t.arn).filter((r) => r.status === 'RUNNING').length === 2, 20_000);
    expect(reports(peer, t.arn)[1]!.containers[0]!.runtimeId).toBe(runtimeId);
    const byName = await dockerContainersByName(t.arn);
    expect([...byName.keys()]).toEqual(['main']);
    expect(byName.get('main')!.map((c) => c.id)).toEqual([runtimeId]);
    const after = await docker.getContainer(runtimeId).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).toBe(startedAt); // never restarted

    // And it is managed again: a STOPPED payload stops it and reports its exit code.
    peer.sendAcs(payload({ ...t, desiredStatus: 'STOPPED' }, 'm3', 3));
    await until(() => reports(peer!, t.arn).some((r) => r.status === 'STOPPED'), 20_000);
    expect(reports(peer, t.arn).map((r) => r.status)).toEqual(['RUNNING', 'RUNNING', 'STOPPED']);
    expect(reports(peer, t.arn)[2]!.containers[0]).toMatchObject({ runtimeId, exitCode: 0 });
    expect((await docker.getContainer(runtimeId).inspect()).State.Running).toBe(false);
    expect(await sigterm(agent.proc)).toBe(0);
  }, 90_000);
});
