// The I/O half of restart reconciliation: every container carrying this cluster's ECS labels, as
// Docker shows it now (list, then inspect each for its exit code, times and port bindings).
import type { DockerEngine } from '../docker/docker-engine.ts';
import { ECS_LABELS } from '../docker/container-config.ts';
import { dockerStatusCode } from '../docker/docker-errors.ts';
import type { ObservedContainer } from './reconcile-plan.ts';
import { healthStatus } from '../engine/container-state.ts';

/** Inspections in parallel: enough to be quick, few enough not to flood dockerd. */
const INSPECT_CONCURRENCY = 8;

export async function observeContainers(docker: DockerEngine, cluster: string): Promise<ObservedContainer[]> {
  const list = await docker.listContainers({ labels: [ECS_LABELS.taskArn, `${ECS_LABELS.cluster}=${cluster}`] });
  const out: ObservedContainer[] = [];
  for (let i = 0; i < list.length; i += INSPECT_CONCURRENCY) {
    const batch = await Promise.all(list.slice(i, i + INSPECT_CONCURRENCY).map((c) => inspectObserved(docker, c.id)));
    for (const o of batch) if (o) out.push(o);
  }
  return out;
}

/** One container, or undefined when it is gone or not an ECS task's. */
export async function inspectObserved(docker: DockerEngine, id: string): Promise<ObservedContainer | undefined> {
  try {
    const info = await docker.inspectContainer(id);
    const taskArn = info.labels[ECS_LABELS.taskArn];
    const containerName = info.labels[ECS_LABELS.containerName];
    if (!taskArn || !containerName) return undefined;
    return {
      id: info.id, name: info.name, taskArn, containerName, running: info.running, exitCode: info.exitCode,
      networkBindings: info.portBindings,
      ...(info.startedAt !== undefined ? { startedAt: info.startedAt } : {}),
      ...(info.finishedAt !== undefined ? { finishedAt: info.finishedAt } : {}),
      ...(info.health ? { health: healthStatus(info.health) } : {}),
    };
  } catch (err) {
    // Removed between the list and the inspect. Any other failure must not read as "gone" (that
    // would report a running task STOPPED): it fails the restore, and the agent's restart retries.
    if (dockerStatusCode((err as Error).cause) === 404) return undefined;
    throw err;
  }
}
