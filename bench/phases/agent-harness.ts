// The setting for every agent measurement: the real control plane inside the bench process (so
// its websocket sends and request arrivals can be observed, see cp-observer.ts), the real agent
// as a child process talking to Docker through the bench's socket proxy (docker-proxy.ts), one
// cluster, one task definition shaped like the raw Docker container, and the events stream.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import pino from 'pino';
import { startControlPlane, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { spawnAgent, stopChild, waitAgentConnected } from '../lib/agent-process.ts';
import { observeControlPlane } from '../lib/cp-observer.ts';
import { startDockerProxy } from '../lib/docker-proxy.ts';
import { BENCH_LABEL, connectDocker, DOCKER_SOCKET, IMAGE, watchDockerEvents, type DockerEventWatch } from '../lib/raw-docker.ts';
import { SignedJsonClient } from '../lib/signed-json.ts';
import type { Timeline } from '../lib/timeline.ts';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDDOCKHANDBENCH', secretAccessKey: 'dockhand-bench-not-a-secret' };
export const CLUSTER = 'bench';
export const FAMILY = 'dockhand-bench-sleeper';

export interface AgentHarness {
  /** Through the Docker socket proxy, like the agent: raw measurements pay the same hop. */
  docker: Docker;
  runId: string;
  timeline: Timeline;
  api: SignedJsonClient;
  agent: ChildProcess;
  agentPid: number;
  events: DockerEventWatch;
  controlPlane: RunningControlPlane;
  close(): Promise<void>;
}

export interface AgentHarnessOptions {
  /** Straight to Docker: the events stream. */
  docker: Docker;
  runId: string;
  timeline: Timeline;
  tmpDir: string;
  nodeFlags: string[];
  /** The container's stopTimeout (seconds between SIGTERM and SIGKILL). */
  stopTimeoutSec: number;
  /** Extra agent settings (bench --agent-env). */
  agentEnv: Record<string, string>;
  /** Node flags instead of the deployed agent's (bench --agent-node-flags). */
  agentNodeFlags?: string[];
}

export async function startAgentHarness(o: AgentHarnessOptions): Promise<AgentHarness> {
  const stopObserving = observeControlPlane(o.timeline);
  const logger = pino({ name: 'bench-control-plane', level: 'warn' }, createWriteStream(join(o.tmpDir, 'control-plane.log')));
  const controlPlane = await startControlPlane({ host: '127.0.0.1', port: 0, region: REGION, logger });
  const api = new SignedJsonClient({ url: controlPlane.url, region: REGION, credentials: CREDENTIALS });
  const proxyPath = join(o.tmpDir, 'docker.sock');
  const proxy = await startDockerProxy({ path: proxyPath, upstream: DOCKER_SOCKET, timeline: o.timeline });
  let agent: ChildProcess | undefined;
  let events: DockerEventWatch | undefined;
  const close = async () => {
    if (agent) await stopChild(agent);
    events?.stop();
    await proxy.close();
    await controlPlane.close();
    api.close();
    stopObserving();
  };
  try {
    await api.call('CreateCluster', { clusterName: CLUSTER });
    // The raw container's shape (raw-docker.ts): busybox sleep 3600, 64 MiB, 10 CPU shares,
    // bridge; the bench label rides along as a dockerLabel so cleanup finds the agent's containers.
    await api.call('RegisterTaskDefinition', {
      family: FAMILY,
      networkMode: 'bridge',
      containerDefinitions: [{
        name: 'sleeper', image: IMAGE, command: ['sleep', '3600'], cpu: 10, memory: 64, essential: true,
        stopTimeout: o.stopTimeoutSec, dockerLabels: { [BENCH_LABEL]: o.runId },
      }],
    });
    events = await watchDockerEvents(o.docker, o.runId, o.timeline);
    const { docker } = await connectDocker(proxyPath);
    agent = spawnAgent({
      controlPlaneUrl: controlPlane.url, cluster: CLUSTER, dataDir: join(o.tmpDir, 'agent-home'), region: REGION,
      credentials: CREDENTIALS, nodeFlags: o.nodeFlags, logFile: join(o.tmpDir, 'agent.log'),
      extraEnv: { DOCKER_HOST: `unix://${proxyPath}`, ...o.agentEnv }, ...(o.agentNodeFlags ? { agentNodeFlags: o.agentNodeFlags } : {}),
    });
    await waitAgentConnected(api, CLUSTER, agent);
    return { docker, runId: o.runId, timeline: o.timeline, api, agent, agentPid: agent.pid!, events, controlPlane, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** RunTask of the bench task definition; the task ARNs in placement order. */
export async function runTasks(h: AgentHarness, count: number): Promise<string[]> {
  const out = await h.api.call<{ tasks: Array<{ taskArn: string }>; failures: unknown[] }>('RunTask', { cluster: CLUSTER, taskDefinition: FAMILY, count });
  if (out.failures.length) throw new Error(`RunTask could not place every task: ${JSON.stringify(out.failures)}`);
  return out.tasks.map((t) => t.taskArn);
}
