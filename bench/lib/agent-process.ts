// The real agent as its own process (`node <the deployed flags> bin/dockhand.js agent`), configured
// through the environment as a deployment would, so /proc shows its own RSS and CPU and nothing of
// the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignedJsonClient } from './signed-json.ts';
import { sleep } from './stats.ts';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

export interface ChildOptions {
  /** Extra node flags, e.g. --cpu-prof (bench --profile). */
  nodeFlags: string[];
  logFile: string;
}

export interface AgentChildOptions extends ChildOptions {
  controlPlaneUrl: string;
  cluster: string;
  dataDir: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  extraEnv?: Record<string, string>;
  /** Instead of the deployed agent's Node flags (bench --agent-node-flags, for experiments). */
  agentNodeFlags?: string[];
}

/**
 * The Node flags the deployed agent runs with, from systemd/dockhand-agent.service's ExecStart
 * (the Dockerfile's ENTRYPOINT must carry the same), so the bench measures the agent as deployed.
 */
export function deployedAgentNodeFlags(): string[] {
  const unit = readFileSync(join(REPO_ROOT, 'systemd/dockhand-agent.service'), 'utf8');
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  const fromUnit = execStart.split(/\s+/).filter((t) => t.startsWith('--'));
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const fromDockerfile = (entrypoint ? JSON.parse(entrypoint) as string[] : []).filter((t) => t.startsWith('--'));
  if (fromUnit.join(' ') !== fromDockerfile.join(' ')) {
    throw new Error(`the agent's Node flags differ: systemd unit "${fromUnit.join(' ')}", Dockerfile "${fromDockerfile.join(' ')}"`);
  }
  return fromUnit;
}

/** Children still running: an interrupted bench must not leave an agent or control plane behind. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function spawnLogged(args: string[], env: Record<string, string | undefined>, o: ChildOptions): ChildProcess {
  const child = spawn(process.execPath, [...o.nodeFlags, join(REPO_ROOT, 'bin/dockhand.js'), ...args], {
    cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const log = createWriteStream(o.logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

export function spawnAgent(o: AgentChildOptions): ChildProcess {
  return spawnLogged(['agent'], {
    PATH: process.env.PATH,
    HOME: o.dataDir,
    AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
    ECS_CLUSTER: o.cluster,
    ECS_BACKEND_HOST: o.controlPlaneUrl,
    ECS_EXTERNAL: 'true',
    ECS_DATADIR: join(o.dataDir, 'agent'),
    ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/no-ecs.config', // can never exist: /dev/null is a file
    ECS_LOGLEVEL: 'warn',
    // As in the real agent's capture: the test image exists locally and no registry is reachable.
    ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
    ...o.extraEnv,
  }, { ...o, nodeFlags: [...(o.agentNodeFlags ?? deployedAgentNodeFlags()), ...o.nodeFlags] });
}

/** `dockhand control-plane` with its default store, kept under `dataDir` (a fresh directory). */
export function spawnControlPlane(o: ChildOptions & { port: number; region: string; dataDir: string }): ChildProcess {
  return spawnLogged(['control-plane', '--host', '127.0.0.1', '--port', String(o.port)], {
    PATH: process.env.PATH, HOME: o.dataDir, DOCKHAND_DATA_DIR: o.dataDir, AWS_REGION: o.region, DOCKHAND_LOGLEVEL: 'warn',
  }, o);
}

/** Waits until the cluster has exactly one container instance and its agent is connected. */
export async function waitAgentConnected(api: SignedJsonClient, cluster: string, child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the agent exited with code ${child.exitCode} before connecting`);
    const list = await api.call<{ containerInstanceArns: string[] }>('ListContainerInstances', { cluster });
    if (list.containerInstanceArns.length) {
      const d = await api.call<{ containerInstances: Array<{ containerInstanceArn: string; agentConnected: boolean }> }>(
        'DescribeContainerInstances', { cluster, containerInstances: list.containerInstanceArns });
      const connected = d.containerInstances.find((ci) => ci.agentConnected);
      if (connected) return connected.containerInstanceArn;
    }
    await sleep(100);
  }
  throw new Error('the agent did not connect in time');
}

/** Polls until GET /health answers (a control-plane child has started listening). */
export async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the control plane did not start in time');
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
