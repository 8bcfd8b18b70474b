// The control plane alone, as its own process (`dockhand control-plane`), driven by simulated
// agents (sim-agent.ts) that speak the real ACS protocol but run nothing:
//   1. RunTask → PayloadMessage on the wire: request written → frame received by the agent, with
//      one agent in its own cluster (the light case), and later in a loaded cluster.
//   2. Scale: many agents connect, tasks are placed on them with StartTask (10 instances per call)
//      and reported RUNNING; then, for one manifest period, DescribeTasks is timed back to back
//      (1 task and 100 tasks per call) while heartbeats and manifests flow, and RSS is sampled.
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnControlPlane, stopChild, waitHealthy } from '../lib/agent-process.ts';
import { memoryOf, watchUsage } from '../lib/proc-usage.ts';
import { IMAGE } from '../lib/raw-docker.ts';
import { SignedJsonClient } from '../lib/signed-json.ts';
import { SimAgent } from '../lib/sim-agent.ts';
import { mapLimit, sleep } from '../lib/stats.ts';
import { Timeline } from '../lib/timeline.ts';
import { CREDENTIALS, REGION } from './agent-harness.ts';

export interface ScaleOptions {
  agents: number;
  tasksPerAgent: number;
  clusters: number;
  lightSamples: number;
  loadedSamples: number;
  windowSec: number;
  tmpDir: string;
  nodeFlags: string[];
  log: (m: string) => void;
}

export interface ScaleResults {
  layout: { agents: number; clusters: number; tasks: number };
  runTaskLightMs: number[];
  runTaskLoadedMs: number[];
  connectSec: number;
  fillSec: number;
  startTaskMs: number[];
  describe1Ms: number[];
  describe100Ms: number[];
  rssAfterFill: number;
  rssWindow: number[];
  rssPeak: number;
  cpuPercentWindow: number;
  /** How many errors the simulated agents saw, and the first few. */
  agentErrorCount: number;
  agentErrors: string[];
  /** Database files the control plane kept under its data directory (none: in-memory store). */
  storeFiles: string[];
}

const FAMILY = 'sim';
const LIGHT_CLUSTER = 'light';
const LIGHT_WARMUPS = 10;
/** StartTask's own limit on containerInstances. */
const START_TASK_MAX = 10;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** RunTask written → PayloadMessage received; waits for the RUNNING report before returning. */
async function runTaskToPayload(api: SignedJsonClient, tl: Timeline, cluster: string): Promise<number> {
  const r = await api.timed<{ tasks: Array<{ taskArn: string }> }>('RunTask', { cluster, taskDefinition: FAMILY });
  const arn = r.body.tasks[0]?.taskArn;
  if (!arn) throw new Error(`RunTask placed nothing in ${cluster}: ${JSON.stringify(r.body)}`);
  const received = await tl.waitFor(`sim-payload:RUNNING:${arn}`, 30_000);
  await tl.waitFor(`sim-reported:RUNNING:${arn}`, 30_000);
  return received - r.sentAt;
}

function pick<T>(list: readonly T[], n: number): T[] {
  const out = new Set<T>();
  while (out.size < Math.min(n, list.length)) out.add(list[Math.floor(Math.random() * list.length)]!);
  return [...out];
}

export async function controlPlaneScalePhase(o: ScaleOptions): Promise<ScaleResults> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = join(o.tmpDir, 'control-plane-home');
  mkdirSync(dataDir, { recursive: true });
  const child = spawnControlPlane({ port, region: REGION, dataDir, nodeFlags: o.nodeFlags, logFile: join(o.tmpDir, 'control-plane-scale.log') });
  // The agents' calls and the timed user calls use separate socket pools: a timed call never
  // waits behind a queue of agent reports inside this process.
  const agentApi = new SignedJsonClient({ url, region: REGION, credentials: CREDENTIALS, maxSockets: 64 });
  const api = new SignedJsonClient({ url, region: REGION, credentials: CREDENTIALS, maxSockets: 4 });
  const tl = new Timeline();
  const sims: SimAgent[] = [];
  const agentErrors: string[] = [];
  let agentErrorCount = 0;
  const simOptions = (cluster: string) => ({
    api: agentApi, cluster, region: REGION, credentials: CREDENTIALS, timeline: tl,
    onError: (err: Error) => {
      agentErrorCount++;
      if (agentErrors.length < 20) agentErrors.push(err.message);
    },
  });
  try {
    await waitHealthy(url, child);
    const pid = child.pid!;
    await api.call('RegisterTaskDefinition', {
      family: FAMILY, containerDefinitions: [{ name: 'app', image: IMAGE, command: ['sleep', '3600'], cpu: 10, memory: 64 }],
    });

    // 1. The light case: one agent alone in its cluster.
    await api.call('CreateCluster', { clusterName: LIGHT_CLUSTER });
    sims.push(await SimAgent.start(simOptions(LIGHT_CLUSTER)));
    await sleep(1500); // past the first heartbeat
    const runTaskLightMs: number[] = [];
    for (let i = 0; i < LIGHT_WARMUPS + o.lightSamples; i++) {
      const ms = await runTaskToPayload(api, tl, LIGHT_CLUSTER);
      if (i >= LIGHT_WARMUPS) runTaskLightMs.push(ms);
    }
    o.log(`  RunTask → Payload (1 agent): ${runTaskLightMs.length} samples`);

    // 2. Scale: agents spread round-robin over the clusters.
    const clusters = Array.from({ length: o.clusters }, (_, k) => `scale-${k}`);
    for (const c of clusters) await api.call('CreateCluster', { clusterName: c });
    const t0 = performance.now();
    const scaleSims = await mapLimit(Array.from({ length: o.agents }, (_, j) => clusters[j % clusters.length]!), 25,
      (cluster) => SimAgent.start(simOptions(cluster)));
    sims.push(...scaleSims);
    const connectSec = (performance.now() - t0) / 1000;
    o.log(`  ${o.agents} simulated agents connected in ${connectSec.toFixed(1)} s`);

    const jobs: Array<{ cluster: string; instances: string[] }> = [];
    for (const cluster of clusters) {
      const own = scaleSims.filter((_, j) => clusters[j % clusters.length] === cluster).map((s) => s.containerInstanceArn);
      for (let round = 0; round < o.tasksPerAgent; round++) {
        for (let i = 0; i < own.length; i += START_TASK_MAX) jobs.push({ cluster, instances: own.slice(i, i + START_TASK_MAX) });
      }
    }
    const tasksByCluster = new Map<string, string[]>(clusters.map((c) => [c, []]));
    const startTaskMs: number[] = [];
    const t1 = performance.now();
    await mapLimit(jobs, 4, async (job) => {
      const r = await api.timed<{ tasks: Array<{ taskArn: string }>; failures: unknown[] }>('StartTask', {
        cluster: job.cluster, taskDefinition: FAMILY, containerInstances: job.instances,
      });
      if (r.body.failures.length) throw new Error(`StartTask failures: ${JSON.stringify(r.body.failures)}`);
      startTaskMs.push(r.doneAt - r.sentAt);
      tasksByCluster.get(job.cluster)!.push(...r.body.tasks.map((t) => t.taskArn));
    });
    const total = o.agents * o.tasksPerAgent;
    const reported = () => scaleSims.reduce((n, s) => n + s.running, 0);
    for (let waited = 0; reported() < total; waited += 200) {
      if (waited > 300_000) throw new Error(`only ${reported()} of ${total} tasks reported RUNNING`);
      await sleep(200);
    }
    const fillSec = (performance.now() - t1) / 1000;
    const rssAfterFill = memoryOf(pid).rss;
    o.log(`  ${total} tasks placed and RUNNING in ${fillSec.toFixed(1)} s; control plane RSS ${(rssAfterFill / 1e6).toFixed(1)} MB`);

    // 3. Steady state: DescribeTasks back to back for one window, RSS and CPU alongside.
    const usage = watchUsage(pid, o.windowSec);
    const describe1Ms: number[] = [];
    const describe100Ms: number[] = [];
    const end = performance.now() + o.windowSec * 1000;
    while (performance.now() < end) {
      for (const [size, into] of [[1, describe1Ms], [100, describe100Ms]] as const) {
        const cluster = clusters[Math.floor(Math.random() * clusters.length)]!;
        const r = await api.timed<{ tasks: unknown[] }>('DescribeTasks', { cluster, tasks: pick(tasksByCluster.get(cluster)!, size) });
        if (r.body.tasks.length !== Math.min(size, tasksByCluster.get(cluster)!.length)) throw new Error('DescribeTasks returned too few tasks');
        into.push(r.doneAt - r.sentAt);
      }
    }
    const window = await usage;
    o.log(`  DescribeTasks: ${describe1Ms.length + describe100Ms.length} calls in ${window.seconds.toFixed(0)} s`);

    // 4. RunTask → Payload again, now into a loaded cluster.
    const runTaskLoadedMs: number[] = [];
    for (let i = 0; i < o.loadedSamples; i++) runTaskLoadedMs.push(await runTaskToPayload(api, tl, clusters[0]!));

    return {
      layout: { agents: o.agents, clusters: o.clusters, tasks: total },
      runTaskLightMs, runTaskLoadedMs, connectSec, fillSec, startTaskMs, describe1Ms, describe100Ms,
      rssAfterFill, rssWindow: window.rssSamples, rssPeak: memoryOf(pid).hwm, cpuPercentWindow: window.cpuPercent, agentErrorCount, agentErrors,
      storeFiles: readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.db')),
    };
  } finally {
    for (const s of sims) s.close();
    agentApi.close();
    api.close();
    await stopChild(child);
  }
}
