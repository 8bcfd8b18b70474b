// "Nothing lost, nothing twice", control-plane side: with a dataDir the control plane keeps its
// state in <dataDir>/control-plane.db, so after close + start on the same directory the ECS API
// answers the same, an agent that reconnects gets what it never acknowledged (same messageId,
// same frame), seqNums keep rising, and repeated or stale task reports change nothing. Real
// SQLite files, real websockets, the real SDK; the last test drives the `dockhand` binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateClusterCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand,
  DescribeTasksCommand, ListContainerInstancesCommand, ListTaskDefinitionsCommand, ListTasksCommand,
  RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AcsTaskWithCredentials } from '../../src/protocol/acs-task-credentials.ts';
import { FakeAgent, ecsClient, eventually } from './fake-agent.ts';
import { cleanupsAfterEachTest, startWithClient } from './control-plane-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'dockhand-cp-persist-'));
let dirs = 0;
const cleanups = cleanupsAfterEachTest();
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A control plane on `dataDir`, closed (with its SDK client) after the test. */
const start = (dataDir: string) => startWithClient({ dataDir, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 10_000 }, cleanups);

/** The agent side after a control-plane restart: same instance ARN, a new connection. */
async function resume(url: string, cluster: string, arn: string, autoAck = true): Promise<FakeAgent> {
  const agent = new FakeAgent({ url, cluster, autoAck });
  agent.containerInstanceArn = arn;
  cleanups.push(() => agent.close());
  await agent.connect();
  return agent;
}

async function registerAgent(url: string, cluster: string, autoAck = true): Promise<FakeAgent> {
  const agent = await FakeAgent.register({ url, cluster, autoAck });
  cleanups.push(() => agent.close());
  await agent.connect();
  return agent;
}

const newDir = () => join(root, `cp${++dirs}`);
const containers = [{ name: 'app', image: 'busybox', memory: 16 }];

describe('control-plane state survives a restart (sqlite store)', () => {
  it('answers DescribeClusters/TaskDefinition/ContainerInstances/Tasks and the List calls the same', async () => {
    const dir = newDir();
    const first = await start(dir);
    await first.ecs.send(new CreateClusterCommand({ clusterName: 'keep', tags: [{ key: 'team', value: 'a' }] }));
    await first.ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', cpu: '256', tags: [{ key: 'k', value: 'v' }], containerDefinitions: [{ ...containers[0]!, portMappings: [{ containerPort: 80 }] }] }));
    const agent = await registerAgent(first.cp.url, 'keep');
    const taskArn = (await first.ecs.send(new RunTaskCommand({ cluster: 'keep', taskDefinition: 'app', startedBy: 'me' }))).tasks![0]!.taskArn!;
    await agent.nextPayload();
    await agent.report(taskArn, 'RUNNING', [{ containerName: 'app', status: 'RUNNING', runtimeId: 'c0ffee', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }] }]);
    await agent.close();

    const snapshot = async (ecs: ECSClient) => {
      await eventually(async () => {
        const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'keep', containerInstances: [agent.containerInstanceArn] }));
        expect(d.containerInstances![0]!.agentConnected).toBe(false);
      });
      const strip = <T extends { $metadata: unknown }>({ $metadata: _, ...rest }: T): Omit<T, '$metadata'> => rest;
      return {
        clusters: strip(await ecs.send(new DescribeClustersCommand({ clusters: ['keep'], include: ['TAGS'] }))),
        taskDefinition: strip(await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'app', include: ['TAGS'] }))),
        instances: strip(await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'keep', containerInstances: [agent.containerInstanceArn] }))),
        tasks: strip(await ecs.send(new DescribeTasksCommand({ cluster: 'keep', tasks: [taskArn], include: ['TAGS'] }))),
        taskArns: strip(await ecs.send(new ListTasksCommand({ cluster: 'keep', startedBy: 'me' }))),
        instanceArns: strip(await ecs.send(new ListContainerInstancesCommand({ cluster: 'keep' }))),
        taskDefinitionArns: strip(await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'app' }))),
      };
    };
    const before = await snapshot(first.ecs);
    expect(before.tasks.tasks![0]).toMatchObject({ lastStatus: 'RUNNING', containers: [{ runtimeId: 'c0ffee' }] });
    expect(before.clusters.clusters![0]).toMatchObject({ runningTasksCount: 1, registeredContainerInstancesCount: 1 });
    await first.cp.close();
    expect(existsSync(join(dir, 'control-plane.db'))).toBe(true);

    const second = await start(dir);
    expect(await snapshot(second.ecs)).toEqual(before);
  });

  it('re-sends the payload and credentials never acked before the restart, same messageId; seqNum keeps rising', async () => {
    const dir = newDir();
    const first = await start(dir);
    await first.ecs.send(new CreateClusterCommand({ clusterName: 'resume' }));
    await first.ecs.send(new RegisterTaskDefinitionCommand({ family: 'role', taskRoleArn: 'arn:aws:iam::000000000000:role/r', containerDefinitions: containers }));
    const agent = await registerAgent(first.cp.url, 'resume', false);
    const arn = agent.containerInstanceArn;
    const taskArn = (await first.ecs.send(new RunTaskCommand({ cluster: 'resume', taskDefinition: 'role' }))).tasks![0]!.taskArn!;
    const payload = await agent.nextPayload();
    const credentials = await agent.next('IAMRoleCredentialsMessage');
    await agent.close();
    await first.cp.close();

    const second = await start(dir);
    const back = await resume(second.cp.url, 'resume', arn, false);
    const resent = await back.nextPayload();
    expect(resent).toEqual(payload); // byte-for-byte the same frame: messageId, seqNum, generatedAt
    const resentCredentials = await back.next('IAMRoleCredentialsMessage');
    expect(resentCredentials).toEqual(credentials);
    expect((resent.message.tasks[0] as AcsTaskWithCredentials).roleCredentials!.credentialsId).toBe(credentials.message.roleCredentials!.credentialsId);
    back.ack(resent.message.messageId);
    back.send({ type: 'IAMRoleCredentialsAckRequest', message: { messageId: resentCredentials.message.messageId, credentialsId: credentials.message.roleCredentials!.credentialsId! } });

    // Re-registration with the saved ARN (what a restarted agent does) finds the same instance.
    const again = await second.ecs.send(new RegisterContainerInstanceCommand({ cluster: 'resume', containerInstanceArn: arn, totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 }] }));
    expect(again.containerInstance!.containerInstanceArn).toBe(arn);

    await second.ecs.send(new StopTaskCommand({ cluster: 'resume', task: taskArn }));
    const stop = await back.nextPayload();
    expect(stop.message.seqNum).toBe(payload.message.seqNum! + 1);
    expect(stop.message.messageId).not.toBe(payload.message.messageId);
    back.ack(stop.message.messageId);
    await new Promise((r) => setTimeout(r, 100));
    await back.close();
    await second.cp.close();

    // Everything acked: a third start re-sends nothing, and seqNums still continue.
    const third = await start(dir);
    const last = await resume(third.cp.url, 'resume', arn);
    await new Promise((r) => setTimeout(r, 300));
    expect(last.frames.filter((f) => f.type === 'PayloadMessage' || f.type === 'IAMRoleCredentialsMessage')).toEqual([]);
    await third.ecs.send(new RunTaskCommand({ cluster: 'resume', taskDefinition: 'role' }));
    expect((await last.nextPayload()).message.seqNum).toBe(stop.message.seqNum! + 1);
  });

  it('ignores repeated and stale SubmitTaskStateChange, before and after a restart', async () => {
    const dir = newDir();
    const first = await start(dir);
    await first.ecs.send(new CreateClusterCommand({ clusterName: 'idem' }));
    await first.ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: containers }));
    const agent = await registerAgent(first.cp.url, 'idem');
    const taskArn = (await first.ecs.send(new RunTaskCommand({ cluster: 'idem', taskDefinition: 'app' }))).tasks![0]!.taskArn!;
    const describe = async (ecs: ECSClient) => (await ecs.send(new DescribeTasksCommand({ cluster: 'idem', tasks: [taskArn] }))).tasks![0]!;
    const running = [{ containerName: 'app', status: 'RUNNING' as const, runtimeId: 'abc' }];

    await agent.report(taskArn, 'RUNNING', running);
    const afterRunning = await describe(first.ecs);
    await agent.report(taskArn, 'RUNNING', running); // the agent's outbox retried
    expect(await describe(first.ecs)).toEqual(afterRunning);

    await agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 3 }], { reason: 'exited' });
    const stopped = await describe(first.ecs);
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ exitCode: 3 }] });
    await agent.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 3 }], { reason: 'exited' });
    await agent.report(taskArn, 'RUNNING', running); // stale, arrives late
    expect(await describe(first.ecs)).toEqual(stopped);
    await agent.close();
    await first.cp.close();

    const second = await start(dir);
    const back = await resume(second.cp.url, 'idem', agent.containerInstanceArn);
    expect(await back.report(taskArn, 'RUNNING', running)).toBe('ACK');
    await back.report(taskArn, 'STOPPED', [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }]);
    expect(await describe(second.ecs)).toEqual(stopped);
  });

  it('continues a ListTasks page across a restart (the token names a task, not an offset)', async () => {
    const dir = newDir();
    const first = await start(dir);
    await first.ecs.send(new CreateClusterCommand({ clusterName: 'pages' }));
    await first.ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: containers }));
    await registerAgent(first.cp.url, 'pages');
    const arns = (await first.ecs.send(new RunTaskCommand({ cluster: 'pages', taskDefinition: 'app', count: 5 }))).tasks!.map((t) => t.taskArn!);
    const page1 = await first.ecs.send(new ListTasksCommand({ cluster: 'pages', maxResults: 2 }));
    await first.cp.close();

    const second = await start(dir);
    const page2 = await second.ecs.send(new ListTasksCommand({ cluster: 'pages', maxResults: 2, nextToken: page1.nextToken! }));
    const page3 = await second.ecs.send(new ListTasksCommand({ cluster: 'pages', maxResults: 2, nextToken: page2.nextToken! }));
    expect([...page1.taskArns!, ...page2.taskArns!, ...page3.taskArns!].sort()).toEqual([...arns].sort());
    expect(page3.nextToken).toBeUndefined();
  });

  it('refuses a corrupt database with an error naming the file, and leaves the file alone', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'control-plane.db');
    const garbage = Buffer.from('this is not an SQLite database '.repeat(200));
    writeFileSync(file, garbage);
    await expect(start(dir)).rejects.toThrow(`control-plane database ${file} cannot be used: file is not a database`);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });
});

describe('dockhand control-plane --data-dir (the binary)', () => {
  const REPO = resolve(import.meta.dirname, '../..');

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }

  function spawnControlPlane(port: number, dataDir: string): ChildProcess {
    const proc = spawn(process.execPath, ['bin/dockhand.js', 'control-plane', '--port', String(port), '--data-dir', dataDir], {
      cwd: REPO, env: { PATH: process.env.PATH, HOME: dataDir }, stdio: 'ignore',
    });
    cleanups.push(() => void (proc.exitCode === null && proc.kill('SIGKILL')));
    return proc;
  }

  async function sigterm(proc: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', (c) => r(c))));
    proc.kill('SIGTERM');
    return exited;
  }

  it('keeps a cluster across SIGTERM and a new start', async () => {
    const dataDir = newDir();
    const port = await freePort();
    const ecs = ecsClient(`http://127.0.0.1:${port}`);
    cleanups.push(() => ecs.destroy());

    const first = spawnControlPlane(port, dataDir);
    await eventually(() => ecs.send(new CreateClusterCommand({ clusterName: 'durable' })), 10_000);
    expect(await sigterm(first)).toBe(0);
    expect(existsSync(join(dataDir, 'control-plane', 'control-plane.db'))).toBe(true);

    const second = spawnControlPlane(port, dataDir);
    const described = await eventually(() => ecs.send(new DescribeClustersCommand({ clusters: ['durable'] })), 10_000);
    expect(described.clusters).toEqual([expect.objectContaining({ clusterName: 'durable', status: 'ACTIVE' })]);
    expect(await sigterm(second)).toBe(0);
  }, 30_000);
});
