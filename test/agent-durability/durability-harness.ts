// Drives the real binaries for the durability tests: a `dockhand control-plane` child, a recording
// HTTP proxy in front of its ECS API (the agent's ECS_BACKEND_HOST points at the proxy, so every
// SubmitTaskStateChange it sends is seen in arrival order, and the proxy can play "control plane
// down"), and `dockhand agent` children that tests kill -9 and restart on the same data dir.
// ACS goes straight to the control plane (DiscoverPollEndpoint names the control plane itself).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, type Task } from '@aws-sdk/client-ecs';
import { docker, freePort, removeTaskContainers, sleep, TEST_IMAGE } from '../e2e/local-harness.ts';

export { docker, sleep, TEST_IMAGE };
export const TEST_LABEL = 'dockhand.test';
const CREDS = { AWS_ACCESS_KEY_ID: 'AKIDDURABLE', AWS_SECRET_ACCESS_KEY: 'durable-secret' };

export interface Submitted { task: string; status: string; containers: Array<{ containerName: string; status: string; runtimeId?: string; exitCode?: number }>; at: number }

export interface Durability {
  cluster: string;
  client: ECSClient;
  dataDir: string;
  runId: string;
  /** Every SubmitTaskStateChange the control plane received (and answered), in arrival order. */
  submitted: Submitted[];
  /** While paused the proxy drops every API request's connection, as a dead control plane would. */
  setApiDown(down: boolean): void;
  /** `env` is added to the agent's environment (e.g. DOCKER_HOST for a second dockerd). */
  startAgent(env?: Record<string, string>): ChildProcess;
  /** kill -9 of the current agent; resolves once it is gone. */
  killAgent(): Promise<void>;
  stopAgent(): Promise<number | null>;
  agentOutput(): string;
  registerSleeper(family: string): Promise<void>;
  describe(taskArns: string[]): Promise<Task[]>;
  close(): Promise<void>;
  taskArns: string[];
}

export async function startDurability(name: string): Promise<Durability> {
  const runId = `${name}-${randomBytes(4).toString('hex')}`;
  const cluster = runId;
  const dataDir = mkdtempSync(join(tmpdir(), 'dockhand-durable-'));
  const cpPort = await freePort();
  const cpUrl = `http://127.0.0.1:${cpPort}`;
  const cp = spawn(process.execPath, ['bin/dockhand.js', 'control-plane', '--port', String(cpPort)], { env: { PATH: process.env.PATH, HOME: dataDir }, stdio: 'ignore' });
  const submitted: Submitted[] = [];
  let apiDown = false;
  const proxy: Server = createServer((req, res) => {
    if (apiDown) { req.socket.destroy(); return; }
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const fwd = request(`${cpUrl}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        const back: Buffer[] = [];
        up.on('data', (d: Buffer) => back.push(d));
        up.on('end', () => {
          // Recorded once the control plane has answered it: what it really received.
          if (String(req.headers['x-amz-target']).endsWith('.SubmitTaskStateChange') && up.statusCode === 200) {
            const b = JSON.parse(raw.toString()) as Submitted;
            submitted.push({ task: b.task, status: b.status, containers: b.containers, at: Date.now() });
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(back));
        });
      });
      fwd.on('error', () => req.socket.destroy());
      fwd.end(raw);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const client = new ECSClient({ endpoint: cpUrl, region: 'us-east-1', credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY } });
  for (let i = 0; ; i++) {
    try { await client.send(new CreateClusterCommand({ clusterName: cluster })); break; } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
  let agent: ChildProcess | undefined;
  let output = '';
  const taskArns: string[] = [];
  const exited = (p: ChildProcess): Promise<number | null> =>
    new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

  return {
    cluster, client, dataDir, runId, submitted, taskArns,
    setApiDown: (down) => { apiDown = down; },
    startAgent(env = {}) {
      agent = spawn(process.execPath, ['bin/dockhand.js', 'agent'], {
        env: {
          PATH: process.env.PATH, HOME: dataDir, ...CREDS,
          ECS_CLUSTER: cluster, ECS_BACKEND_HOST: proxyUrl, AWS_DEFAULT_REGION: 'us-east-1', ECS_EXTERNAL: 'true',
          ECS_DATADIR: join(dataDir, 'agent'), ECS_AGENT_CONFIG_FILE_PATH: join(dataDir, 'no-ecs.config'), ECS_LOGLEVEL: 'info',
          ECS_DISABLE_METRICS: 'true', ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      agent.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
      agent.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
      return agent;
    },
    async killAgent() {
      if (!agent) return;
      const a = agent;
      a.kill('SIGKILL');
      await exited(a);
    },
    async stopAgent() {
      if (!agent) return null;
      const a = agent;
      a.kill('SIGTERM');
      return exited(a);
    },
    agentOutput: () => output,
    async registerSleeper(family) {
      await client.send(new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{
          name: 'main', image: TEST_IMAGE, memory: 32, stopTimeout: 2, dockerLabels: { [TEST_LABEL]: runId },
          // Exits promptly on SIGTERM (busybox sleep as PID 1 would wait for the SIGKILL).
          command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
        }],
      }));
    },
    async describe(arns) {
      const out: Task[] = [];
      for (let i = 0; i < arns.length; i += 100) {
        const r = await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
        out.push(...(r.tasks ?? []));
      }
      return out;
    },
    async close() {
      if (agent && agent.exitCode === null && agent.signalCode === null) { agent.kill('SIGKILL'); await exited(agent); }
      cp.kill('SIGKILL');
      await exited(cp);
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      client.destroy();
      await removeTaskContainers(taskArns);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every container Docker has for a task, by ECS container name. */
export async function dockerContainersByName(taskArn: string): Promise<Map<string, Array<{ id: string; state: string }>>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] } });
  const out = new Map<string, Array<{ id: string; state: string }>>();
  for (const c of list) {
    const name = c.Labels['com.amazonaws.ecs.container-name'] ?? '?';
    out.set(name, [...(out.get(name) ?? []), { id: c.Id, state: c.State }]);
  }
  return out;
}

/** Polls until `check` returns true (or throws its last failure after `ms`). */
export async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Deterministic pseudo-random numbers (mulberry32): a failing run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
