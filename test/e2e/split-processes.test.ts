// `dockhand control-plane` and `dockhand agent` as separate processes, the way a real deployment
// runs them: the agent keeps its container-instance ARN in ECS_DATADIR and re-registers with it
// after a restart, SIGTERM ends it with exit 0 within 2 s, and a running task is left untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { docker, freePort, removeTaskContainers, sleep, TEST_IMAGE } from './local-harness.ts';

const CREDS = { AWS_ACCESS_KEY_ID: 'AKIDSPLIT', AWS_SECRET_ACCESS_KEY: 'split-secret' };
let cp: ChildProcess;
let url: string;
let client: ECSClient;
let dataDir: string;
const taskArns: string[] = [];

function startAgent(): ChildProcess {
  return spawn(process.execPath, ['bin/dockhand.js', 'agent'], {
    env: {
      PATH: process.env.PATH, HOME: dataDir, ...CREDS,
      ECS_CLUSTER: 'split', ECS_BACKEND_HOST: url, AWS_DEFAULT_REGION: 'us-east-1', ECS_EXTERNAL: 'true',
      ECS_DATADIR: join(dataDir, 'agent'), ECS_AGENT_CONFIG_FILE_PATH: join(dataDir, 'no-ecs.config'), ECS_LOGLEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function connectedInstances(): Promise<Array<{ arn: string; connected: boolean }>> {
  const list = await client.send(new ListContainerInstancesCommand({ cluster: 'split' }));
  if (!list.containerInstanceArns?.length) return [];
  const d = await client.send(new DescribeContainerInstancesCommand({ cluster: 'split', containerInstances: list.containerInstanceArns }));
  return (d.containerInstances ?? []).map((ci) => ({ arn: ci.containerInstanceArn!, connected: !!ci.agentConnected }));
}

async function waitConnected(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const connected = (await connectedInstances()).filter((c) => c.connected);
    if (connected.length === 1) return connected[0]!.arn;
    await sleep(100);
  }
  throw new Error('agent never connected');
}

async function sigterm(proc: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  proc.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', (c) => r(c))));
  return { code, ms: performance.now() - t0 };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dockhand-split-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  cp = spawn(process.execPath, ['bin/dockhand.js', 'control-plane', '--port', String(port)], { env: { PATH: process.env.PATH, HOME: dataDir }, stdio: 'ignore' });
  client = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY } });
  for (let i = 0; ; i++) {
    try { await client.send(new CreateClusterCommand({ clusterName: 'split' })); break; } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
});

afterAll(async () => {
  if (cp) await sigterm(cp);
  client?.destroy();
  await removeTaskContainers(taskArns);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('agent and control plane as separate processes', () => {
  it('re-registers with its saved ARN after a restart, and leaves the running task alone', async () => {
    let agent = startAgent();
    const firstArn = await waitConnected();
    expect(existsSync(join(dataDir, 'agent', 'agent.db'))).toBe(true);

    await client.send(new RegisterTaskDefinitionCommand({ family: 'split-sleeper', containerDefinitions: [{ name: 's', image: TEST_IMAGE, command: ['sleep', '3600'], memory: 32 }] }));
    const run = await client.send(new RunTaskCommand({ cluster: 'split', taskDefinition: 'split-sleeper' }));
    const taskArn = run.tasks![0]!.taskArn!;
    taskArns.push(taskArn);
    let runtimeId: string | undefined;
    for (let i = 0; i < 200 && !runtimeId; i++) {
      const t = (await client.send(new DescribeTasksCommand({ cluster: 'split', tasks: [taskArn] }))).tasks![0]!;
      if (t.lastStatus === 'RUNNING') runtimeId = t.containers![0]!.runtimeId;
      else await sleep(50);
    }
    expect(runtimeId).toMatch(/^[0-9a-f]{64}$/);
    const before = await docker.getContainer(runtimeId!).inspect();

    const stopped = await sigterm(agent);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(2000);

    agent = startAgent();
    const secondArn = await waitConnected();
    expect(secondArn).toBe(firstArn);
    expect(await connectedInstances()).toEqual([{ arn: firstArn, connected: true }]);

    const after = await docker.getContainer(runtimeId!).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).toBe(before.State.StartedAt); // never restarted
    expect(after.RestartCount).toBe(0);
    expect((await sigterm(agent)).code).toBe(0);
  });

  it('a bad setting stops `dockhand agent` with a message naming it and exit code 5', async () => {
    const proc = spawn(process.execPath, ['bin/dockhand.js', 'agent'], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ECS_CONTAINER_STOP_TIMEOUT: 'forever', ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/no-ecs.config' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(5);
    expect(stderr).toMatch(/ECS_CONTAINER_STOP_TIMEOUT/);
  });
});
