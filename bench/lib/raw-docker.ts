// Docker with no agent in between: the same container the agent runs (busybox `sleep 3600`, labels,
// Memory 64 MiB, CpuShares 10, bridge), created and started straight through dockerode, the way
// /work/shared/design/raw-docker-baseline.md measured it. Also the one `GET /events` stream every
// phase reads, so Docker's own view of when things happened sits on the same clock as the rest.
import Docker from 'dockerode';
import type { Timeline } from './timeline.ts';
import { mapLimit } from './stats.ts';

export const IMAGE = 'local/busybox:latest';
export const BENCH_LABEL = 'dockhand.bench';
export const TASK_ARN_LABEL = 'com.amazonaws.ecs.task-arn';
const MIB = 1024 * 1024;

export const DOCKER_SOCKET = '/var/run/docker.sock';

/** A dockerode client pinned to the daemon's API version, as the agent pins its own; through
 *  `socketPath` (the bench's proxy, docker-proxy.ts) when given. */
export async function connectDocker(socketPath = DOCKER_SOCKET): Promise<{ docker: Docker; version: Docker.DockerVersion }> {
  const probe = new Docker({ socketPath });
  const version = await probe.version();
  return { docker: new Docker({ socketPath, version: `v${version.ApiVersion}` }), version };
}

export function rawContainerSpec(runId: string, name: string): Docker.ContainerCreateOptions {
  return {
    name,
    Image: IMAGE,
    Cmd: ['sleep', '3600'],
    Labels: { [BENCH_LABEL]: runId, 'dockhand.bench.kind': 'raw' },
    HostConfig: { Memory: 64 * MIB, CpuShares: 10, NetworkMode: 'bridge' },
  };
}

interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export interface DockerEventWatch {
  /** Container ID of each agent task seen so far, by task ARN. */
  containerOfTask: Map<string, string>;
  stop(): void;
}

/**
 * Opens the events stream for this run's containers and marks `docker:<action>:<id>` (and
 * `docker:<action>:<taskArn>` for agent containers) at each event's arrival. Resolves once the
 * stream is open, so nothing that follows can be missed.
 */
export async function watchDockerEvents(docker: Docker, runId: string, timeline: Timeline): Promise<DockerEventWatch> {
  const containerOfTask = new Map<string, string>();
  const abort = new AbortController();
  const stream = (await docker.getEvents({
    filters: { type: ['container'], label: [`${BENCH_LABEL}=${runId}`], event: ['create', 'start', 'die', 'stop', 'destroy'] },
    abortSignal: abort.signal,
  } as never)) as unknown as NodeJS.ReadableStream;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    const at = performance.now();
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      const e = JSON.parse(line) as DockerEvent;
      const action = e.Action ?? e.status ?? '';
      const id = e.Actor?.ID ?? e.id ?? '';
      timeline.mark(`docker:${action}:${id}`, at);
      const taskArn = e.Actor?.Attributes?.[TASK_ARN_LABEL];
      if (taskArn) {
        timeline.mark(`docker:${action}:${taskArn}`, at);
        containerOfTask.set(taskArn, id);
      }
    }
  });
  stream.on('error', () => { /* ends with the abort at teardown */ });
  return { containerOfTask, stop: () => abort.abort() };
}

export interface RawSample {
  /** create call issued → start call returned: Docker's own create+start. */
  createStartMs: number;
  /** Inside Docker, as seen through the socket proxy and the events stream (when available):
   *  create request → `create` event, plus start request → `start` event. */
  dockerMs?: number;
  id: string;
}

/** One create+start straight through dockerode. */
export async function rawCreateStart(docker: Docker, runId: string, name: string, timeline?: Timeline): Promise<RawSample> {
  const t0 = performance.now();
  const c = await docker.createContainer(rawContainerSpec(runId, name));
  await c.start();
  const createStartMs = performance.now() - t0;
  if (!timeline) return { createStartMs, id: c.id };
  const [createIssued, created, startIssued, started] = await Promise.all([
    timeline.waitFor(`dockerreq:create:${name}`, 2000), timeline.waitFor(`docker:create:${c.id}`, 2000),
    timeline.waitFor(`dockerreq:start:${c.id}`, 2000), timeline.waitFor(`docker:start:${c.id}`, 2000),
  ]);
  return { createStartMs, dockerMs: created - createIssued + (started - startIssued), id: c.id };
}

/** N create+start in parallel: wall time from the first create call to the last start return. */
export async function rawParallel(docker: Docker, runId: string, n: number, prefix: string): Promise<{ wallMs: number; ids: string[] }> {
  const t0 = performance.now();
  const ids = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const c = await docker.createContainer(rawContainerSpec(runId, `${prefix}-${i}`));
    await c.start();
    return c.id;
  }));
  return { wallMs: performance.now() - t0, ids };
}

/** `stop({t})` of a running raw container whose PID 1 ignores SIGTERM: ms beyond t at `die`. */
export async function rawStopOverrun(docker: Docker, id: string, timeoutSec: number, timeline: Timeline): Promise<{ dieMs: number; returnMs: number }> {
  const t0 = performance.now();
  await docker.getContainer(id).stop({ t: timeoutSec });
  const returned = performance.now();
  const die = await timeline.waitFor(`docker:die:${id}`, 5000);
  return { dieMs: die - t0 - timeoutSec * 1000, returnMs: returned - t0 - timeoutSec * 1000 };
}

export async function removeContainers(docker: Docker, ids: readonly string[]): Promise<void> {
  await mapLimit(ids, 8, async (id) => {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  });
}

/** Every container this run made (raw ones and the agent's, which carry the label as a
 *  dockerLabel of the bench task definition). */
export async function containersOfRun(docker: Docker, runId: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${runId}`] } });
  return list.map((c) => c.Id);
}

/** Containers on this engine that are not ours: other people's tests make the numbers noisy. */
export async function foreignContainerCount(docker: Docker, runId: string): Promise<number> {
  const list = await docker.listContainers({ all: false });
  return list.filter((c) => c.Labels?.[BENCH_LABEL] !== runId).length;
}
