// Runs the real `dockhand local` binary (a child process, its own data dir and a free port) and
// gives tests an @aws-sdk/client-ecs client pointed at it, plus Docker's own view for assertions.
// Every task a test starts is remembered so that teardown removes exactly those containers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, ListTasksCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type Task,
} from '@aws-sdk/client-ecs';
import { TaskCgroups, taskCgroupPath } from '../../src/agent/docker/task-cgroup.ts';

export const TEST_IMAGE = 'local/busybox:latest';
export const docker = new Docker();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface LocalHarness {
  url: string;
  client: ECSClient;
  dataDir: string;
  logFile: string;
  proc: ChildProcess;
  /** Registers a one-off task definition and runs it; remembers the task for cleanup. */
  runTask(family: string, containers: ContainerDefinition[], extra?: { cpu?: string; memory?: string; networkMode?: 'bridge' | 'host' | 'none' }): Promise<Task>;
  describeTask(taskArn: string): Promise<Task>;
  /** Polls DescribeTasks until `predicate` holds; returns the task and when it was first seen. */
  waitForTask(taskArn: string, predicate: (t: Task) => boolean, timeoutMs?: number): Promise<{ task: Task; at: number }>;
  stop(): Promise<void>;
}

export async function startLocalHarness(env: Record<string, string> = {}): Promise<LocalHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockhand-e2e-'));
  const logFile = join(dataDir, 'dockhand.log');
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/dockhand.js', 'local', '--api-port', String(port), '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: dataDir, AWS_REGION: 'us-east-1', ECS_LOGLEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  proc.stdout!.pipe(log);
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`dockhand local did not start; log: ${logFile}\n${buf}`)), 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      log.write(d);
      if (buf.includes('Dockhand local: ECS API at')) { clearTimeout(timer); resolve(); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dockhand local exited with ${code}: ${buf}`)); });
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
  const taskArns = new Set<string>();

  // The agent registers before the ready line, but its ACS socket may still be opening.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = await client.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    const arns = list.containerInstanceArns ?? [];
    if (arns.length) {
      const d = await client.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: arns }));
      if (d.containerInstances?.some((ci) => ci.agentConnected)) break;
    }
    if (Date.now() > deadline) throw new Error('the local agent never connected');
    await sleep(100);
  }

  const describeTask = async (taskArn: string): Promise<Task> => {
    const out = await client.send(new DescribeTasksCommand({ cluster: 'default', tasks: [taskArn] }));
    const t = out.tasks?.[0];
    if (!t) throw new Error(`task ${taskArn} not found: ${JSON.stringify(out.failures)}`);
    return t;
  };

  return {
    url, client, dataDir, logFile, proc, describeTask,
    async runTask(family, containers, extra = {}) {
      await client.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containers, ...extra }));
      const out = await client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: family, startedBy: 'dockhand-e2e' }));
      const task = out.tasks?.[0];
      if (!task?.taskArn) throw new Error(`RunTask placed nothing: ${JSON.stringify(out.failures)}`);
      taskArns.add(task.taskArn);
      return task;
    },
    async waitForTask(taskArn, predicate, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const task = await describeTask(taskArn);
        if (predicate(task)) return { task, at: performance.now() };
        if (Date.now() > end) throw new Error(`timed out waiting for ${taskArn}: ${JSON.stringify(task)}`);
        await sleep(25);
      }
    },
    async stop() {
      // Every task this control plane knows, including ones a test started another way (the AWS CLI).
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        const listed = await client.send(new ListTasksCommand({ cluster: 'default', desiredStatus })).catch(() => undefined);
        for (const arn of listed?.taskArns ?? []) taskArns.add(arn);
      }
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      client.destroy();
      await removeTaskContainers([...taskArns]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Force-removes the containers of these tasks (found by the task-arn label), and only those,
 *  then their task cgroups /ecs/<task id> (the stopped agent can no longer remove them). */
export async function removeTaskContainers(taskArns: string[]): Promise<void> {
  for (const arn of taskArns) {
    const list = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await hostCgroups.remove(taskCgroupPath(arn)).catch(() => undefined);
  }
}

const hostCgroups = new TaskCgroups({ mountPath: '/sys/fs/cgroup' });

export async function containersOfTask(taskArn: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] } });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
