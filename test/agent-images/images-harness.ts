// `dockhand local` (control plane + agent in one child process, real Docker) for the image tests,
// restartable on the same data directory (ECS_IMAGE_PULL_BEHAVIOR=once must survive a restart),
// with every line the process writes (agent and control plane, stdout and stderr) kept in one log
// file that tests can read and grep.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, ListTasksCommand,
  RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type Task,
} from '@aws-sdk/client-ecs';
import { freePort, removeTaskContainers, sleep } from '../e2e/local-harness.ts';

export interface ImagesLocal {
  client: ECSClient;
  dataDir: string;
  logFile: string;
  /** Everything the process logged so far. */
  log(): string;
  runTask(family: string, containers: ContainerDefinition[]): Promise<Task>;
  describeTask(taskArn: string): Promise<Task>;
  waitForTask(taskArn: string, predicate: (t: Task) => boolean, timeoutMs?: number): Promise<Task>;
  /** Stops the process; the data directory stays (for a restart) unless `removeData`. */
  stop(o?: { removeData?: boolean }): Promise<void>;
}

/** Starts `dockhand local`; pass the `dataDir` of a stopped one to restart it. */
export async function startImagesLocal(env: Record<string, string>, dataDir?: string): Promise<ImagesLocal> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'dockhand-images-'));
  const logFile = join(dir, 'dockhand.log');
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, ['bin/dockhand.js', 'local', '--api-port', String(port), '--data-dir', dir], {
    env: { PATH: process.env.PATH, HOME: dir, AWS_REGION: 'us-east-1', ECS_LOGLEVEL: 'debug', DOCKHAND_LOGLEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => append(logFile, d));
  try {
    await started(proc, logFile);
  } catch (err) {
    // A process that never came up leaves nothing behind (unless it is a restart of kept data).
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return connect(proc, port, dir, logFile);
}

/** Output that arrives after the directory was removed (a failed start) is dropped. */
function append(file: string, data: Buffer): void {
  try { appendFileSync(file, data); } catch { /* directory gone */ }
}

function started(proc: ChildProcess, logFile: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`dockhand local did not start; log: ${logFile}\n${buf}`)), 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      append(logFile, d);
      if (buf.includes('Dockhand local: ECS API at')) { clearTimeout(timer); resolve(); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dockhand local exited with ${code}: ${buf}`)); });
  });
}

async function connect(proc: ChildProcess, port: number, dir: string, logFile: string): Promise<ImagesLocal> {
  const client = new ECSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const arns = (await client.send(new ListContainerInstancesCommand({ cluster: 'default' }))).containerInstanceArns ?? [];
    const d = arns.length ? await client.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: arns })) : undefined;
    if (d?.containerInstances?.some((ci) => ci.agentConnected)) break;
    if (Date.now() > deadline) throw new Error('the local agent never connected');
    await sleep(100);
  }
  const taskArns = new Set<string>();
  const describeTask = async (taskArn: string): Promise<Task> => {
    const t = (await client.send(new DescribeTasksCommand({ cluster: 'default', tasks: [taskArn] }))).tasks?.[0];
    if (!t) throw new Error(`task ${taskArn} not found`);
    return t;
  };
  return {
    client, dataDir: dir, logFile, describeTask,
    log: () => readFileSync(logFile, 'utf8'),
    async runTask(family, containers) {
      await client.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: containers }));
      const task = (await client.send(new RunTaskCommand({ cluster: 'default', taskDefinition: family }))).tasks?.[0];
      if (!task?.taskArn) throw new Error(`RunTask placed nothing for ${family}`);
      taskArns.add(task.taskArn);
      return task;
    },
    async waitForTask(taskArn, predicate, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const t = await describeTask(taskArn);
        if (predicate(t)) return t;
        if (Date.now() > end) throw new Error(`timed out waiting for ${taskArn}: ${JSON.stringify(t)}`);
        await sleep(50);
      }
    },
    async stop(o = {}) {
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        const listed = await client.send(new ListTasksCommand({ cluster: 'default', desiredStatus })).catch(() => undefined);
        for (const arn of listed?.taskArns ?? []) taskArns.add(arn);
      }
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      client.destroy();
      await removeTaskContainers([...taskArns]);
      if (o.removeData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const isStopped = (t: Task): boolean => t.lastStatus === 'STOPPED';
export const isRunning = (t: Task): boolean => t.lastStatus === 'RUNNING';

/** The agent's JSON log lines with this `msg`. */
export function logLines(log: string, msg: string): Array<Record<string, unknown>> {
  return log.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      return o.msg === msg ? [o] : [];
    } catch {
      return [];
    }
  });
}
